/**
 * Where a ticker event happened, as the wall's ticker sets it: the street, then the community, each
 * at the largest size that lets both fit the row's room for the place, or the street alone when the
 * community cannot fit even at the wall's smallest size — left out, not cut. Pure, given a measure.
 */
import { estimateText, MIN_FONT_SIZE, type MeasureText } from './text-fit.js';

/** The ticker's rows on the wall's canvas (px), as TickerPanel.svelte sets them. */
export const TICKER_ROW = {
  /**
   * The place's width, by language: the row's 320 px for text (the 346 px panel body less the
   * 6 px bar and 2 × 10 px padding) less the time and category columns (60 + 92 px in Chinese,
   * 56 + 104 px in English, whose categories are longer words) and two 8 px gaps.
   */
  place: { zh: 152, en: 144 },
  /** Between the street and the community. */
  gap: 8,
  street: { weight: 600, sizes: [20, 18, 16] },
  community: { weight: 400, sizes: [18, 16] },
} as const;

export interface TickerPlace {
  streetSize: number;
  /** null: the community is left out. */
  communitySize: number | null;
}

/**
 * The sizes of a place's street and community in `room` px: the street as large as it can be with
 * the community beside it (set smaller than the street, or both at the smallest size); failing
 * that the street alone, as large as fits.
 */
export function tickerPlace(
  street: string,
  community: string | null,
  room: number,
  measure: MeasureText = estimateText,
): TickerPlace {
  const { gap } = TICKER_ROW;
  // A pixel of slack per part: the browser rounds each box, a canvas measures in fractions.
  const width = (text: string, weight: number, size: number) => measure(text, `${weight} ${size}px`) + 1;
  const streets = TICKER_ROW.street.sizes;
  if (community)
    for (const streetSize of streets)
      for (const communitySize of TICKER_ROW.community.sizes) {
        if (communitySize >= streetSize && communitySize > MIN_FONT_SIZE) continue;
        const both =
          width(street, TICKER_ROW.street.weight, streetSize) +
          gap +
          width(community, TICKER_ROW.community.weight, communitySize);
        if (both <= room) return { streetSize, communitySize };
      }
  const alone = streets.find((size) => width(street, TICKER_ROW.street.weight, size) <= room);
  return { streetSize: alone ?? MIN_FONT_SIZE, communitySize: null };
}
