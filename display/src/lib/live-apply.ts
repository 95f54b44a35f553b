/**
 * Deltas are queued as they arrive and applied together once per animation frame, so a burst of
 * ticks costs one render. Pure: the store owns the queue and the socket.
 */
import { applyDelta, type LiveDelta, type LiveSnapshot } from '$shared/live.js';

export interface AppliedDeltas {
  snapshot: LiveSnapshot;
  /** A delta did not follow on: the snapshot is as far as it got, and the client must resync. */
  resync: boolean;
  /** How many deltas moved the snapshot on. */
  applied: number;
}

/**
 * Applies queued deltas in order. A delta the snapshot already covers (`seq` at or below the
 * snapshot's, as after a resync) is skipped; the first that does not follow on stops the run.
 */
export function applyDeltas(snapshot: LiveSnapshot, deltas: readonly LiveDelta[]): AppliedDeltas {
  let current = snapshot;
  let applied = 0;
  for (const delta of deltas) {
    if (delta.seq <= current.seq) continue;
    const next = applyDelta(current, delta);
    if (next === null) return { snapshot: current, resync: true, applied };
    current = next;
    applied += 1;
  }
  return { snapshot: current, resync: false, applied };
}
