/**
 * How much room a text takes, so that layout helpers can choose a font size or a number of lines
 * before anything is drawn. An estimate by default (no DOM, so the helpers stay pure and testable);
 * a component can pass a {@link MeasureText} backed by a canvas for the exact width in its font.
 */

/**
 * Width of `text` in pixels, set in `font` (a CSS font shorthand without the family, e.g.
 * `"700 20px"`; the measurer adds the page's family).
 */
export type MeasureText = (text: string, font: string) => number;

/**
 * The text's width in ems: Chinese characters (and other full-width ones) about one em, Latin
 * letters and digits about 0.56 em, capitals a little more, a space 0.28 em.
 */
export function estimateEms(text: string): number {
  let ems = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    ems += code > 0x2e7f ? 1 : /[A-Z]/.test(char) ? 0.66 : char === ' ' ? 0.28 : 0.56;
  }
  return ems;
}

/** The size in pixels of a CSS font shorthand ("700 20px" → 20); 16 when it names none. */
export function fontPixels(font: string): number {
  const size = /(\d+(?:\.\d+)?)px/.exec(font);
  return size ? Number(size[1]) : 16;
}

/** {@link MeasureText} by estimate: bold text (weight 600 and up) about 6% wider. */
export const estimateText: MeasureText = (text, font) => {
  const weight = /(?:^|\s)([1-9]00)(?:\s|$)/.exec(font);
  const bold = /\bbold\b/.test(font) || (weight !== null && Number(weight[1]) >= 600);
  return estimateEms(text) * fontPixels(font) * (bold ? 1.06 : 1);
};

/**
 * The smallest text the wall sets (px on its 1920×1080 canvas), read from five metres away: a
 * fitted size never goes under it, whatever minimum the caller asks for. What does not fit at it
 * wraps, or is given a shorter label.
 */
export const MIN_FONT_SIZE = 16;

/**
 * A font size at which `text` fits `width`, at most `max` and at least `min` pixels (never under
 * {@link MIN_FONT_SIZE}): Chinese characters take about one em, Latin letters about 0.56 em (a
 * little more for capitals).
 */
export function fittingFontSize(text: string, width: number, max: number, min = MIN_FONT_SIZE): number {
  return fitLabel(text, width, { max, min }).fontSize;
}

/**
 * Lines a text of `width` pixels takes in a box `available` pixels wide, from 1 up to `max` (more
 * is clamped with an ellipsis). A line breaks between words, so a full line holds a little less
 * than the box: each line after the first is counted at 85% of the box.
 */
export function linesFor(width: number, available: number, max: number): number {
  if (!(available > 0) || !Number.isFinite(width)) return max;
  let lines = 1;
  let room = available;
  while (width > room && lines < max) {
    lines += 1;
    room += available * 0.85;
  }
  return lines;
}

/**
 * A label in a box `width` pixels wide: on one line at the largest size from `max` down to `min`
 * that fits; failing that, wrapped on up to `lines` lines at `min` (a longer one is clamped with an
 * ellipsis). Bold text is about 6% wider. Neither size goes under {@link MIN_FONT_SIZE}.
 */
export function fitLabel(
  text: string,
  width: number,
  options: { max: number; min: number; lines?: number; bold?: boolean },
): { fontSize: number; lines: number } {
  const { lines = 1, bold = false } = options;
  const min = Math.max(MIN_FONT_SIZE, options.min);
  const max = Math.max(min, options.max);
  const ems = estimateEms(text) * (bold ? 1.06 : 1);
  if (ems === 0) return { fontSize: max, lines: 1 };
  const size = Math.floor(width / ems);
  if (size >= min) return { fontSize: Math.min(max, size), lines: 1 };
  return { fontSize: min, lines: linesFor(ems * min, width, lines) };
}
