/**
 * The wall is drawn once, on a fixed 1920×1080 design canvas, and scaled uniformly onto whatever
 * screen shows it: letterboxed and centred, never stretched. A spliced video wall (拼接屏) of C×R
 * screens opens `?tiles=CxR&tile=N` on each screen: the canvas is scaled to the whole wall and each
 * screen shifts it so that it shows only its own part. Pure math; the Stage component applies it.
 */

export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

export interface Size {
  width: number;
  height: number;
}

/** One screen of a spliced wall: `columns`×`rows` screens, this one `tile` (1-based, row-major). */
export interface Tiling {
  columns: number;
  rows: number;
  tile: number;
}

/** A uniform scale, then a shift, in screen pixels: `translate(x, y) scale(scale)` from the top left. */
export interface StageTransform {
  scale: number;
  x: number;
  y: number;
}

/** More screens than this in one direction is a typo, not a wall. */
const MAX_TILES = 16;

/**
 * Reads `?tiles=CxR&tile=N` ("3x2", "3×2" or "3X2"). Anything malformed or out of range answers
 * null: the screen then shows the whole canvas, which is visibly wrong on a wall but never blank.
 */
export function parseTiling(tiles: string | null, tile: string | null): Tiling | null {
  const size = /^\s*(\d{1,2})\s*[x×X*]\s*(\d{1,2})\s*$/.exec(tiles ?? '');
  if (!size || !/^\s*\d{1,3}\s*$/.test(tile ?? '')) return null;
  const columns = Number(size[1]);
  const rows = Number(size[2]);
  const index = Number(tile);
  if (columns < 1 || rows < 1 || columns > MAX_TILES || rows > MAX_TILES) return null;
  if (index < 1 || index > columns * rows) return null;
  return { columns, rows, tile: index };
}

/** The row and column (0-based) of a tile on its wall. */
export function tilePosition(tiling: Tiling): { column: number; row: number } {
  return { column: (tiling.tile - 1) % tiling.columns, row: Math.floor((tiling.tile - 1) / tiling.columns) };
}

/**
 * Where the design canvas goes on this screen. Without a tiling: scaled to fit the screen and centred
 * (letterboxed on the long side). With one: scaled to fit the whole wall of equal screens and centred
 * on it, then shifted by this screen's place on the wall.
 */
export function stageTransform(screen: Size, tiling: Tiling | null = null): StageTransform {
  const columns = tiling?.columns ?? 1;
  const rows = tiling?.rows ?? 1;
  const wall = { width: screen.width * columns, height: screen.height * rows };
  if (!(wall.width > 0 && wall.height > 0)) return { scale: 1, x: 0, y: 0 };
  const scale = Math.min(wall.width / DESIGN_WIDTH, wall.height / DESIGN_HEIGHT);
  const left = (wall.width - DESIGN_WIDTH * scale) / 2;
  const top = (wall.height - DESIGN_HEIGHT * scale) / 2;
  const { column, row } = tiling ? tilePosition(tiling) : { column: 0, row: 0 };
  return { scale, x: left - column * screen.width, y: top - row * screen.height };
}

/**
 * The part of the design canvas a screen shows, in canvas pixels, clipped to the canvas: what a
 * tile is responsible for (a test checks that tile 4 of 2×2 is the bottom-right quarter).
 */
export function visibleRegion(screen: Size, transform: StageTransform): { x: number; y: number } & Size {
  const x0 = Math.max(0, -transform.x / transform.scale);
  const y0 = Math.max(0, -transform.y / transform.scale);
  const x1 = Math.min(DESIGN_WIDTH, (screen.width - transform.x) / transform.scale);
  const y1 = Math.min(DESIGN_HEIGHT, (screen.height - transform.y) / transform.scale);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * Device pixels per canvas pixel: what a `<canvas>` inside the stage needs for its backing store to
 * stay sharp on a 4K screen (the stage's scale times the screen's own pixel ratio).
 */
export function canvasPixelRatio(transform: StageTransform, devicePixelRatio: number): number {
  const ratio = transform.scale * (devicePixelRatio > 0 ? devicePixelRatio : 1);
  return Math.min(4, Math.max(1, ratio));
}
