/**
 * One section's save: the reason, the progress, and the outcome — the new version, or the server's
 * refusal by key path (nothing changed), or a failure to reach it. A form built with problems of its
 * own (JSON that does not parse) is not sent.
 */
import { ApiFailure } from '../api.js';
import { Refusal, type ConfigVersion } from './api.js';
import type { Built } from './forms.js';
import type { Issue } from './issues.js';
import { problemOf } from './store.svelte.js';

export class Saver {
  reason = $state('');
  saving = $state(false);
  saved = $state.raw<ConfigVersion | null>(null);
  issues = $state.raw<Issue[]>([]);
  /** A failure that is not a refusal (network, 401/403, 5xx). */
  problem = $state<string | null>(null);
  /** The reason was left empty when saving. */
  reasonMissing = $state(false);

  clear() {
    this.saved = null;
    this.issues = [];
    this.problem = null;
    this.reasonMissing = false;
  }

  /** Builds the body and sends it with `send`; true when it was saved. */
  async run<T>(
    build: () => Built<T>,
    send: (value: T, reason: string) => Promise<{ version: ConfigVersion }>,
  ) {
    this.clear();
    if (this.reason.trim() === '') {
      this.reasonMissing = true;
      return false;
    }
    const built = build();
    if (!built.ok) {
      this.issues = built.issues;
      return false;
    }
    this.saving = true;
    try {
      const answer = await send(built.value, this.reason.trim());
      this.saved = answer.version;
      this.reason = '';
      return true;
    } catch (error) {
      if (error instanceof Refusal) this.issues = error.issues;
      else this.problem = error instanceof ApiFailure ? error.message : problemOf(error);
      return false;
    } finally {
      this.saving = false;
    }
  }
}
