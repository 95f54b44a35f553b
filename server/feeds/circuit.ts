/**
 * A circuit breaker for one feed, pure (time comes in): after a run of failures it opens and the
 * poller leaves the feed alone for a cool-down that doubles with each failed retry, up to a ceiling;
 * then one trial run (half-open) decides.
 */
export interface CircuitOptions {
  /** Consecutive failed runs that open the circuit. */
  threshold: number;
  baseCooldownMs: number;
  maxCooldownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class Circuit {
  private failures = 0;
  private openedUntil = 0;
  private trips = 0;

  constructor(private readonly options: CircuitOptions) {}

  state(now: number): CircuitState {
    if (this.failures < this.options.threshold) return 'closed';
    return now < this.openedUntil ? 'open' : 'half-open';
  }

  /** Whether a run may go ahead now. */
  allows(now: number): boolean {
    return this.state(now) !== 'open';
  }

  /** Until when the circuit stays open (0 when closed). */
  openUntil(now: number): number {
    return this.state(now) === 'open' ? this.openedUntil : 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  success(): void {
    this.failures = 0;
    this.trips = 0;
    this.openedUntil = 0;
  }

  failure(now: number): void {
    this.failures++;
    if (this.failures >= this.options.threshold) {
      const cooldown = Math.min(this.options.maxCooldownMs, this.options.baseCooldownMs * 2 ** this.trips);
      this.trips++;
      this.openedUntil = now + cooldown;
    }
  }
}
