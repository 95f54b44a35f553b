/**
 * What components inside the stage need to know about it: device pixels per canvas pixel, for the
 * backing store of a `<canvas>` (the heat map) to stay sharp when the canvas is scaled up on 4K.
 */
import { getContext, setContext } from 'svelte';

export interface StageContext {
  readonly pixelRatio: number;
}

const KEY = Symbol('stage');

export function setStageContext(context: StageContext): void {
  setContext(KEY, context);
}

/** The stage's context; outside a stage, one canvas pixel per device pixel. */
export function getStageContext(): StageContext {
  return getContext<StageContext | undefined>(KEY) ?? { pixelRatio: 1 };
}
