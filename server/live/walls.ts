/**
 * Which walls are alive on this node: each screen's last heartbeat, for /api/health (which lists
 * every node's: server/shared-state/walls.ts).
 */
export const MAX_SCREENS = 500;

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

  /** `changed`: told each screen's new status, with its sockets on this node (0: disconnected). */
  constructor(private readonly changed?: (status: WallStatus, sockets: number) => void) {}

  beat(socketId: string, screen: string, role: string, now: Date): void {
    if (this.screenOf.get(socketId) !== screen) {
      const previous = this.screenOf.get(socketId);
      if (previous !== undefined) {
        const left = this.release(previous);
        const before = this.screens.get(previous);
        if (before) this.changed?.(before, left);
      }
      this.screenOf.set(socketId, screen);
      this.sockets.set(screen, (this.sockets.get(screen) ?? 0) + 1);
    }
    this.screens.delete(screen); // re-inserted last: the map stays ordered by last beat
    const status = { screen, role, lastSeenAt: now.toISOString(), connected: true };
    this.screens.set(screen, status);
    this.changed?.(status, this.sockets.get(screen) ?? 0);
    if (this.screens.size > MAX_SCREENS) this.screens.delete(this.screens.keys().next().value!);
  }

  gone(socketId: string, now: Date): void {
    const screen = this.screenOf.get(socketId);
    if (screen === undefined) return;
    this.screenOf.delete(socketId);
    const status = this.screens.get(screen);
    const left = this.release(screen);
    if (!status) return;
    if (left === 0) {
      const gone = { ...status, connected: false, lastSeenAt: now.toISOString() };
      this.screens.set(screen, gone);
      this.changed?.(gone, 0);
    } else this.changed?.(status, left);
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
