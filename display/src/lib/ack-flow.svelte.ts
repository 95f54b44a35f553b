/**
 * The acknowledgement page's state: it reads the alert a signed link names, then sends the comment.
 * The requests and their refusals are in ack.ts; this only holds what the page shows.
 */
import type { AlertView, Names } from '$shared/api.js';
import { confirmAckLink, readAckLink, type AckLink, type AckRefusal } from './ack.js';

/**
 * - `loading`: reading the alert
 * - `ready`: the alert is shown (with the form while it is firing)
 * - `refused`: the link cannot be used (expired, changed, the alert is gone) or the server is out of reach
 * - `confirmed`: acknowledged from this page
 */
export type AckPhase = 'loading' | 'ready' | 'refused' | 'confirmed';

export class AckFlow {
  phase = $state<AckPhase>('loading');
  alert = $state.raw<AlertView | null>(null);
  /** When the link stops working (ISO), as the server says. */
  expiresAt = $state<string | null>(null);
  /** The street's names and the city's time zone, when the server sends them. */
  streetName = $state.raw<Names | null>(null);
  timezone = $state<string | undefined>(undefined);
  /** Why the link could not be read (phase `refused`). */
  refusal = $state.raw<AckRefusal | null>(null);
  /** Why the last confirmation was refused; the alert stays on screen. */
  confirmRefusal = $state.raw<AckRefusal | null>(null);
  sending = $state(false);

  readonly link: AckLink;
  readonly #fetch: typeof fetch;

  constructor(link: AckLink, fetchImpl?: typeof fetch) {
    this.link = link;
    // The browser's fetch needs its `this`; an unbound reference throws "Illegal invocation".
    this.#fetch = fetchImpl ?? ((input, init) => fetch(input, init));
  }

  async load(): Promise<void> {
    const answer = await readAckLink(this.link, this.#fetch);
    if (answer.ok) {
      this.alert = answer.alert;
      this.expiresAt = answer.expiresAt;
      this.streetName = answer.streetName ?? null;
      this.timezone = answer.timezone;
      if (this.phase !== 'confirmed') this.phase = 'ready';
    } else {
      this.refusal = answer;
      this.phase = 'refused';
    }
  }

  async confirm(comment: string): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    this.confirmRefusal = null;
    try {
      const answer = await confirmAckLink(this.link, comment, this.#fetch);
      if (answer.ok) {
        this.alert = answer.alert;
        this.phase = 'confirmed';
        return;
      }
      this.confirmRefusal = answer;
      // Someone else acknowledged it, or it resolved meanwhile: show the alert as it is now.
      if (answer.status === 409) await this.#refresh();
    } finally {
      this.sending = false;
    }
  }

  async #refresh(): Promise<void> {
    const answer = await readAckLink(this.link, this.#fetch);
    if (answer.ok) this.alert = answer.alert;
  }
}
