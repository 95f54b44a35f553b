/**
 * The briefing's carousel as pure state: which page is shown, whether it turns by itself, and what
 * each key of a keyboard or a presenter remote does. The Svelte class applies it; tests call it.
 */

export interface CarouselState {
  /** 0-based page shown. */
  page: number;
  count: number;
  paused: boolean;
}

export type CarouselCommand =
  | { kind: 'next' }
  | { kind: 'previous' }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'toggle' }
  /** 0-based page. */
  | { kind: 'jump'; page: number };

/**
 * A key as a command: ←/→ and PageUp/PageDown (what presenter remotes send), space to pause or
 * resume, Home/End, 1–9 to jump to that page. Anything else: null, left to the browser.
 */
export function keyCommand(key: string): CarouselCommand | null {
  switch (key) {
    case 'ArrowRight':
    case 'PageDown':
      return { kind: 'next' };
    case 'ArrowLeft':
    case 'PageUp':
      return { kind: 'previous' };
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
    case ' ':
    case 'Spacebar':
      return { kind: 'toggle' };
    default:
      return /^[1-9]$/.test(key) ? { kind: 'jump', page: Number(key) - 1 } : null;
  }
}

/**
 * The state after a command. Stepping by hand stops at the first and last page (a presenter who
 * presses once too often stays on the last slide); only the timer wraps round, see {@link advance}.
 * A jump past the last page goes nowhere.
 */
export function applyCommand(state: CarouselState, command: CarouselCommand): CarouselState {
  const last = Math.max(0, state.count - 1);
  const at = (page: number) => ({ ...state, page: Math.min(last, Math.max(0, page)) });
  switch (command.kind) {
    case 'next':
      return at(state.page + 1);
    case 'previous':
      return at(state.page - 1);
    case 'first':
      return at(0);
    case 'last':
      return at(last);
    case 'toggle':
      return { ...state, paused: !state.paused };
    case 'jump':
      return command.page < state.count ? at(command.page) : state;
  }
}

/** The timer's step: the next page, round to the first after the last. */
export function advance(state: CarouselState): CarouselState {
  return state.count === 0 ? state : { ...state, page: (state.page + 1) % state.count };
}

/** Shortest and longest auto-advance, in seconds: faster is unreadable, slower is a typo. */
export const INTERVAL_BOUNDS = { min: 5, max: 3600 } as const;

/**
 * `?interval=N`: turn the page every N seconds. Off when absent, `0`, `off` or not a whole number;
 * clamped to {@link INTERVAL_BOUNDS} otherwise.
 */
export function parseInterval(text: string | null): number | null {
  if (text === null || !/^\s*\d{1,5}\s*$/.test(text)) return null;
  const seconds = Number(text);
  if (seconds === 0) return null;
  return Math.min(INTERVAL_BOUNDS.max, Math.max(INTERVAL_BOUNDS.min, seconds));
}
