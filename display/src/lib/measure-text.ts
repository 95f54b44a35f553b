/**
 * The exact width of a text in the page's font, from a canvas: what layout helpers that choose a
 * number of lines (text-fit.ts) use in the browser instead of the estimate.
 */
import { estimateText, type MeasureText } from './text-fit.js';

/**
 * A {@link MeasureText} for fonts of the family `element` is set in (the page's, by default);
 * the estimate where there is no canvas. Widths are kept: a wall measures the same few texts every
 * second.
 */
export function canvasMeasure(element: Element = document.body): MeasureText {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return estimateText;
  const family = getComputedStyle(element).fontFamily;
  const widths = new Map<string, number>();
  return (text, font) => {
    const key = `${font}\n${text}`;
    let width = widths.get(key);
    if (width === undefined) {
      context.font = `${font} ${family}`;
      width = context.measureText(text).width;
      // Texts come and go (ages tick, alerts change): a bound keeps the cache from growing for ever.
      if (widths.size > 2000) widths.clear();
      widths.set(key, width);
    }
    return width;
  };
}
