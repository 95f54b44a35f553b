/**
 * Which walls are alive on this node: each screen's last heartbeat — when, whether its page still
 * paints and applies the live channel — for /api/health and the `wallDown` rule (which read every
 * node's: server/shared-state/walls.ts).
 */
export const MAX_SCREENS = 500;

/** What a heartbeat said of a wall's page, on this server's clock. */
export interface WallWatch {
  /** The live channel's `seq` it had applied; null when its page does not say. */
  seq: number | null;
  /** When it last painted (ISO); null when its page does not say. */
  paintedAt: string | null;
  /** Since when it has lagged the live channel (ISO); null when up to date, or unknown. */
  lagSince: string | null;
}

export interface WallStatus extends WallWatch {
  screen: string;
  role: string;
  /** Its last heartbeat or its last socket closing, whichever was later (ISO). */
  lastSeenAt: string;
  /** Its last heartbeat (ISO). */
  beatAt: string;
  connected: boolean;
}

const beatAt = (now: Date) => ({ lastSeenAt: now.toISOString(), beatAt: now.toISOString() });

export class WallRegistry {
  private readonly screens = new Map<string, WallStatus>();
  private readonly screenOf = new Map<string, string>();
  /** Connected sockets per screen: a screen is disconnected when its last socket goes. */
  private readonly sockets = new Map<string, number>();

  /** `changed`: told each screen's new status, with its sockets on this node (0: disconnected). */
  constructor(private readonly changed?: (status: WallStatus, sockets: number) => void) {}

  beat(socketId: string, screen: string, role: string, now: Date, watch: WallWatch): void {
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
    this.record({ screen, role, ...beatAt(now), ...watch, connected: true });
  }

  /**
   * A heartbeat that came without a socket: a page whose own thread is stuck, beating from its
   * watchdog worker over HTTP. Its sockets on this node, if any, stay as they are.
   */
  report(screen: string, role: string, now: Date, watch: WallWatch): void {
    const connected = (this.sockets.get(screen) ?? 0) > 0;
    this.record({ screen, role, ...beatAt(now), ...watch, connected });
  }

  private record(status: WallStatus): void {
    this.screens.delete(status.screen); // re-inserted last: the map stays ordered by last beat
    this.screens.set(status.screen, status);
    this.changed?.(status, this.sockets.get(status.screen) ?? 0);
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
