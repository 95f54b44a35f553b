/**
 * The live channel's deltas as this node sent them: each `seq` and when it went out, for as long as
 * a wall may plausibly lag. A heartbeat says the `seq` a wall had applied; the oldest delta after it
 * says since when the wall has lagged (server/shared-state/walls.ts), which the `wallDown` rule
 * reads as frozen once it has lasted its minutes.
 */

/** Deltas kept: over a quarter of an hour at four a second, and an hour of one every second. */
const KEPT = 4096;

export class PublishedSeqs {
  private seqs: number[] = [];
  private ats: number[] = [];

  constructor(private readonly kept = KEPT) {}

  /** A snapshot or delta numbered `seq` went out at `at`. */
  add(seq: number, at: Date): void {
    if (this.seqs.length > 0 && seq <= this.seqs[this.seqs.length - 1]!) return;
    this.seqs.push(seq);
    this.ats.push(at.getTime());
    if (this.seqs.length > 2 * this.kept) {
      this.seqs = this.seqs.slice(-this.kept);
      this.ats = this.ats.slice(-this.kept);
    }
  }

  /** The last `seq` sent; null before the first. */
  current(): number | null {
    return this.seqs.at(-1) ?? null;
  }

  /**
   * When the first delta after `seq` went out: since then a wall that has applied `seq` lags. Null
   * when nothing was sent after it (the wall is up to date, or ahead: its `seq` is another node's).
   * A `seq` older than every delta kept lags at least since the oldest.
   */
  lagSince(seq: number): Date | null {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.seqs[middle]! <= seq) low = middle + 1;
      else high = middle;
    }
    return low < this.seqs.length ? new Date(this.ats[low]!) : null;
  }
}
