/** Which walls are alive: each screen's last heartbeat, for /api/health. */
const MAX_SCREENS = 500;

export interface WallStatus {
  screen: string;
  role: string;
  lastSeenAt: string;
  connected: boolean;
}

export class WallRegistry {
  private readonly screens = new Map<string, WallStatus>();
  private readonly screenOf = new Map<string, string>();

  beat(socketId: string, screen: string, role: string, now: Date): void {
    this.screenOf.set(socketId, screen);
    this.screens.delete(screen); // re-inserted last: the map stays ordered by last beat
    this.screens.set(screen, { screen, role, lastSeenAt: now.toISOString(), connected: true });
    if (this.screens.size > MAX_SCREENS) this.screens.delete(this.screens.keys().next().value!);
  }

  gone(socketId: string, now: Date): void {
    const screen = this.screenOf.get(socketId);
    this.screenOf.delete(socketId);
    const status = screen === undefined ? undefined : this.screens.get(screen);
    if (status && ![...this.screenOf.values()].includes(status.screen))
      this.screens.set(status.screen, { ...status, connected: false, lastSeenAt: now.toISOString() });
  }

  list(): WallStatus[] {
    return [...this.screens.values()].reverse();
  }
}
