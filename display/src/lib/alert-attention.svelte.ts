/**
 * What the wall does to draw the eye to its alerts: firing alerts flash until acknowledged, and with
 * `?sound=on` a new one chimes. The mute control silences the alerts present when pressed, for
 * MUTE_MINUTES (ten); the mute is kept in localStorage so a reloaded wall stays quiet. The rules
 * are in alerts.ts; this holds the state and does the I/O (storage, sound).
 */
import type { LiveAlert } from '$shared/live.js';
import {
  activeMute,
  arrivals,
  attentionKey,
  isFlashing,
  muteAlerts,
  parseMute,
  type AlertMute,
} from './alerts.js';

const STORAGE_KEY = 'pingan-wall.alert-mute';

/** The browser's localStorage, or null where there is none or it may not be used (a locked-down profile). */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export interface AlertAttentionOptions {
  /** Chime when a new alert fires (`?sound=on`). */
  sound: boolean;
  chime: () => void;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

export class AlertAttention {
  mute = $state.raw<AlertMute | null>(null);
  readonly sound: boolean;
  readonly #chime: () => void;
  readonly #storage: AlertAttentionOptions['storage'];
  /** The alerts (at their severity) of the last picture; null before the first. */
  #seen: string[] | null = null;

  constructor(options: AlertAttentionOptions) {
    this.sound = options.sound;
    this.#chime = options.chime;
    this.#storage = options.storage ?? null;
    try {
      this.mute = parseMute(this.#storage?.getItem(STORAGE_KEY) ?? null);
    } catch {
      // Storage refused (a locked-down kiosk profile): the mute lasts until the page reloads.
    }
  }

  flashing(alert: LiveAlert, now: number): boolean {
    return isFlashing(alert, this.mute, now);
  }

  muted(now: number): boolean {
    return activeMute(this.mute, now) !== null;
  }

  /** Mutes the firing alerts for the next minutes, or, while muted, unmutes. */
  toggle(alerts: readonly LiveAlert[], now: number): void {
    this.#save(this.muted(now) ? null : muteAlerts(alerts, now));
  }

  /**
   * Notes the alerts of a new picture and chimes once when one fired that this wall has not seen
   * (and no mute covers). The first picture only primes: what was already firing is not news.
   */
  observe(alerts: readonly LiveAlert[], now: number): void {
    const fresh = arrivals(alerts, this.#seen ?? [], this.mute, now);
    const first = this.#seen === null;
    // An alert that left the wall (resolved) never comes back under the same id: forget it.
    this.#seen = alerts.map(attentionKey);
    if (!first && this.sound && fresh.length > 0) this.#chime();
    if (this.mute !== null && !activeMute(this.mute, now)) this.#save(null);
  }

  #save(mute: AlertMute | null): void {
    this.mute = mute;
    try {
      if (mute === null) this.#storage?.removeItem(STORAGE_KEY);
      else this.#storage?.setItem(STORAGE_KEY, JSON.stringify(mute));
    } catch {
      // See the constructor.
    }
  }
}
