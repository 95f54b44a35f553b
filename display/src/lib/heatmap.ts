/**
 * The streets × indicators heat map: 9 streets by 27 indicators is 243 cells, too many for SVG on a
 * wall that redraws every frame, so the cells go on a `<canvas>`. The model and the layout are
 * pure; `drawHeatmap` only paints what they say.
 */
import type { IndicatorConfig } from '$shared/city.js';
import { BLOCKS, type Block } from '$shared/index/types.js';
import { shortName } from '$shared/names.js';
import type { LiveStreet, Names } from './api.js';
import { scoreColour } from './scale.js';
import { estimateEms, fittingFontSize, MIN_FONT_SIZE } from './text-fit.js';

export interface HeatColumn {
  id: string;
  name: Names;
  /** The indicator's shorter names for its head, where the configuration gives them. */
  short?: Partial<Names>;
  /** null: an indicator the catalogue does not know. */
  block: Block | null;
}

export interface HeatRow {
  code: string;
  name: Names;
}

export interface HeatCell {
  score: number | null;
  stale: boolean;
}

export interface HeatmapModel {
  columns: HeatColumn[];
  rows: HeatRow[];
  /** Row-major: `cells[row][column]`. */
  cells: HeatCell[][];
  /** Runs of columns of one block, for the headings above them. */
  groups: { block: Block | null; start: number; count: number }[];
}

const NO_CELL: HeatCell = { score: null, stale: false };

/**
 * Columns are the catalogue's indicators, block by block (positive, negative, public) in the
 * catalogue's order, then any the live index has and the catalogue does not; rows are the streets
 * in the order given (the configured order, so that a street keeps its row as ranks change).
 */
export function heatmapModel(
  streets: readonly LiveStreet[],
  catalogue: readonly IndicatorConfig[] | null,
): HeatmapModel {
  const known = new Map((catalogue ?? []).map((indicator) => [indicator.id, indicator]));
  const columns: HeatColumn[] = [];
  for (const block of BLOCKS) {
    for (const indicator of catalogue ?? [])
      if (indicator.block === block)
        columns.push({ id: indicator.id, name: indicator.name, short: indicator.short, block });
  }
  const seen = new Set(columns.map((column) => column.id));
  for (const street of streets) {
    for (const indicator of street.indicators) {
      if (seen.has(indicator.id)) continue;
      seen.add(indicator.id);
      columns.push({
        id: indicator.id,
        name: known.get(indicator.id)?.name ?? { zh: indicator.id, en: indicator.id },
        block: null,
      });
    }
  }
  const cells = streets.map((street) => {
    const byId = new Map(street.indicators.map((indicator) => [indicator.id, indicator]));
    return columns.map((column) => {
      const indicator = byId.get(column.id);
      return indicator ? { score: indicator.score, stale: indicator.stale } : NO_CELL;
    });
  });
  const groups: HeatmapModel['groups'] = [];
  columns.forEach((column, i) => {
    const last = groups.at(-1);
    if (last && last.block === column.block) last.count += 1;
    else groups.push({ block: column.block, start: i, count: 1 });
  });
  return { columns, rows: streets.map((s) => ({ code: s.code, name: s.name })), cells, groups };
}

/** Orders streets as the regions list them (the configuration's order); unknown ones last. */
export function configuredOrder<T extends { code: string }>(
  streets: readonly T[],
  order: readonly string[] | null,
): T[] {
  if (!order) return [...streets];
  const position = new Map(order.map((code, i) => [code, i]));
  return [...streets].sort(
    (a, b) =>
      (position.get(a.code) ?? Infinity) - (position.get(b.code) ?? Infinity) || a.code.localeCompare(b.code),
  );
}

// ─── Labels ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The heat map's labels on the wall's canvas (px): column heads are set vertically, one line each,
 * none under the wall's 16 px (text-fit.ts MIN_FONT_SIZE).
 */
export const HEAT_LABELS = {
  /** Room along a column head (its box is 128 px tall, less a little for the ellipsis). */
  columnRoom: 124,
  columnFont: 17,
  columnFontMin: MIN_FONT_SIZE,
  /**
   * The street names' column: at least this wide, wider for long names, at most `labelMax` (room
   * for "Taiping New Town" at 16 px).
   */
  labelMin: 92,
  labelMax: 160,
  /** Right padding of a street name. */
  labelPadding: 10,
  /** Street names: Chinese ones are short and set larger. */
  rowFont: { zh: 19, en: 17 },
  rowFontMin: MIN_FONT_SIZE,
} as const;

/** Long words shortened when a column head would not fit otherwise. */
const ABBREVIATIONS: readonly [RegExp, string][] = [
  [/\bmanagement\b/gi, 'mgmt'],
  [/\bregulation\b/gi, 'reg.'],
  [/\binformation\b/gi, 'info.'],
  [/\bpercentage\b/gi, '%'],
];

/**
 * A column head short enough to tell the columns apart: a name written "Satisfaction: police"
 * (a family of indicators, then which one) or "Satisfaction with law enforcement" keeps the part
 * that differs ("Police", "Law enforcement"); a head still too long for its room has its long words
 * abbreviated ("Urban mgmt"). The full name stays in the head's tooltip.
 */
export function columnLabel(name: string, room: number = HEAT_LABELS.columnRoom): string {
  let label = name.trim();
  const colon = /^[^:：]+[:：]\s*(.+)$/.exec(label);
  if (colon) label = colon[1]!.trim();
  label = label.replace(/^satisfaction with\s+/i, '');
  label = label.charAt(0).toUpperCase() + label.slice(1);
  const fits = (text: string) => estimateEms(text) * HEAT_LABELS.columnFont <= room;
  if (!fits(label)) {
    const short = ABBREVIATIONS.reduce(
      (text, [word, abbreviation]) => text.replace(word, abbreviation),
      label,
    );
    if (short !== label) label = short;
  }
  return label || name;
}

export interface ColumnHead {
  id: string;
  label: string;
  /** The full name, for the tooltip. */
  name: string;
  fontSize: number;
}

/**
 * Each column's head in a language: the indicator's short name in that language when the
 * configuration gives one, else a label made short from its name ({@link columnLabel}); and one font
 * size for a block's heads (the size at which the longest of them fits, if one does), so that a
 * block reads as one row of labels.
 */
export function columnHeads(columns: readonly HeatColumn[], lang: 'zh' | 'en'): ColumnHead[] {
  const { columnRoom, columnFont, columnFontMin } = HEAT_LABELS;
  const labelled = columns.map((column) => {
    const name = column.name[lang]?.trim() || column.id;
    const label = shortName(column, lang) ?? columnLabel(name);
    return { column, name, label, fits: fittingFontSize(label, columnRoom, columnFont, columnFontMin) };
  });
  const sizeOf = new Map<Block | null, number>();
  for (const { column, fits } of labelled)
    sizeOf.set(column.block, Math.min(sizeOf.get(column.block) ?? columnFont, fits));
  return labelled.map(({ column, name, label }) => ({
    id: column.id,
    label,
    name,
    fontSize: sizeOf.get(column.block) ?? columnFont,
  }));
}

/**
 * The width of the street names' column: the longest name at the smallest font, as long as that
 * stays within bounds (bold text is about 6% wider than the estimate); each name then gets the
 * largest font that fits.
 */
export function rowLabels(
  rows: readonly HeatRow[],
  lang: 'zh' | 'en',
): { width: number; fontSizes: number[] } {
  const { labelMin, labelMax, labelPadding, rowFont, rowFontMin } = HEAT_LABELS;
  const names = rows.map((row) => row.name[lang]?.trim() || row.code);
  const widest = Math.max(0, ...names.map((name) => estimateEms(name) * rowFontMin * 1.06));
  const width = Math.min(labelMax, Math.max(labelMin, Math.ceil(widest + labelPadding + 2)));
  const room = (width - labelPadding) / 1.06;
  return {
    width,
    fontSizes: names.map((name) => fittingFontSize(name, room, rowFont[lang], rowFontMin)),
  };
}

const MAX_CELL_HEIGHT = 44;

export interface HeatLayout {
  /** Left edge of each column, in canvas pixels. */
  x: number[];
  cellWidth: number;
  /** Top edge of each row. */
  y: number[];
  cellHeight: number;
}

/**
 * Cells fill `width`×`height` with a 2-pixel gutter, and a wider gap between blocks so the three
 * blocks read as three groups; rows are at most 44 pixels tall, from the top.
 */
export function heatLayout(model: HeatmapModel, width: number, height: number): HeatLayout {
  const gutter = 2;
  const blockGap = 10;
  const columns = model.columns.length;
  const rows = model.rows.length;
  const gaps = Math.max(0, model.groups.length - 1);
  const cellWidth =
    columns > 0 ? Math.max(1, (width - gaps * (blockGap - gutter) - (columns - 1) * gutter) / columns) : 0;
  // A few streets (a street head's wall) get rows of a heat map, not tall bars.
  const cellHeight =
    rows > 0 ? Math.min(MAX_CELL_HEIGHT, Math.max(1, (height - (rows - 1) * gutter) / rows)) : 0;
  const x: number[] = [];
  let left = 0;
  model.groups.forEach((group, g) => {
    for (let i = 0; i < group.count; i++) {
      x.push(left);
      left += cellWidth + gutter;
    }
    if (g < model.groups.length - 1) left += blockGap - gutter;
  });
  const y = model.rows.map((_, i) => i * (cellHeight + gutter));
  return { x, cellWidth, y, cellHeight };
}

const EMPTY_CELL = '#18233a';
const HATCH = 'rgba(200, 210, 230, 0.55)';

/**
 * Paints the cells: coloured by score; a stale indicator greyed and hatched; an indicator without
 * a score a dark cell with a dash. `ratio` is device pixels per canvas pixel.
 */
export function drawHeatmap(
  context: CanvasRenderingContext2D,
  model: HeatmapModel,
  layout: HeatLayout,
  size: { width: number; height: number },
  ratio: number,
): void {
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, size.width, size.height);
  const { cellWidth: w, cellHeight: h } = layout;
  model.cells.forEach((row, r) => {
    const y = layout.y[r] ?? 0;
    row.forEach((cell, c) => {
      const x = layout.x[c] ?? 0;
      if (cell.score === null || !Number.isFinite(cell.score)) {
        context.fillStyle = EMPTY_CELL;
        context.fillRect(x, y, w, h);
        context.fillStyle = '#5b6c8a';
        context.fillRect(x + w * 0.3, y + h / 2 - 1, w * 0.4, 2);
        return;
      }
      context.globalAlpha = cell.stale ? 0.3 : 1;
      context.fillStyle = scoreColour(cell.score);
      context.fillRect(x, y, w, h);
      context.globalAlpha = 1;
      if (cell.stale) hatch(context, x, y, w, h);
    });
  });
}

/** Diagonal lines over a cell: stale at a glance, even to a colour-blind eye. */
function hatch(context: CanvasRenderingContext2D, x: number, y: number, w: number, h: number): void {
  context.save();
  context.beginPath();
  context.rect(x, y, w, h);
  context.clip();
  context.strokeStyle = HATCH;
  context.lineWidth = 1.5;
  context.beginPath();
  for (let d = -h; d < w; d += 6) {
    context.moveTo(x + d, y + h);
    context.lineTo(x + d + h, y);
  }
  context.stroke();
  context.restore();
}
