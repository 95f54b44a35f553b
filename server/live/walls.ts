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
  /** Connected sockets per screen: a screen is disconnected when its last socket goes. */
  private readonly sockets = new Map<string, number>();

  beat(socketId: string, screen: string, role: string, now: Date): void {
    if (this.screenOf.get(socketId) !== screen) {
      const previous = this.screenOf.get(socketId);
      if (previous !== undefined) this.release(previous);
      this.screenOf.set(socketId, screen);
      this.sockets.set(screen, (this.sockets.get(screen) ?? 0) + 1);
    }
    this.screens.delete(screen); // re-inserted last: the map stays ordered by last beat
    this.screens.set(screen, { screen, role, lastSeenAt: now.toISOString(), connected: true });
    if (this.screens.size > MAX_SCREENS) this.screens.delete(this.screens.keys().next().value!);
  }

  gone(socketId: string, now: Date): void {
    const screen = this.screenOf.get(socketId);
    if (screen === undefined) return;
    this.screenOf.delete(socketId);
    const status = this.screens.get(screen);
    if (this.release(screen) === 0 && status)
      this.screens.set(screen, { ...status, connected: false, lastSeenAt: now.toISOString() });
  }

  private release(screen: string): number {
    const left = (this.sockets.get(screen) ?? 1) - 1;
    if (left > 0) this.sockets.set(screen, left);
    else this.sockets.delete(screen);
    return left;
  }

  list(): WallStatus[] {
    return [...this.screens.values()].reverse();
  }
}
