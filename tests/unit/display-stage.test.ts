import { describe, expect, it } from 'vitest';
import {
  canvasPixelRatio,
  DESIGN_HEIGHT,
  DESIGN_WIDTH,
  parseTiling,
  stageTransform,
  tilePosition,
  visibleRegion,
} from '../../display/src/lib/stage.js';

describe('the design canvas on a screen', () => {
  it('fills a 1920×1080 screen exactly and a 4K screen at twice the size', () => {
    expect(stageTransform({ width: 1920, height: 1080 })).toEqual({ scale: 1, x: 0, y: 0 });
    expect(stageTransform({ width: 3840, height: 2160 })).toEqual({ scale: 2, x: 0, y: 0 });
  });

  it('letterboxes a screen of another shape, centred and never stretched', () => {
    // 4:3 — bars above and below.
    const square = stageTransform({ width: 1600, height: 1200 });
    expect(square.scale).toBeCloseTo(1600 / DESIGN_WIDTH, 9);
    expect(square.x).toBe(0);
    expect(square.y).toBeCloseTo((1200 - DESIGN_HEIGHT * square.scale) / 2, 9);
    // Ultra-wide — bars left and right.
    const wide = stageTransform({ width: 3440, height: 1080 });
    expect(wide.scale).toBe(1);
    expect(wide.x).toBe((3440 - 1920) / 2);
    expect(wide.y).toBe(0);
  });

  it('answers a harmless transform for a screen of no size', () => {
    expect(stageTransform({ width: 0, height: 0 })).toEqual({ scale: 1, x: 0, y: 0 });
  });
});

describe('spliced walls', () => {
  it('read ?tiles=CxR&tile=N in the usual spellings', () => {
    expect(parseTiling('3x2', '4')).toEqual({ columns: 3, rows: 2, tile: 4 });
    expect(parseTiling('3×2', '1')).toEqual({ columns: 3, rows: 2, tile: 1 });
    expect(parseTiling('2X2', '4')).toEqual({ columns: 2, rows: 2, tile: 4 });
  });

  it('ignore a tiling that makes no sense, so the screen shows the whole canvas', () => {
    for (const [tiles, tile] of [
      [null, null],
      ['2x2', null],
      ['2x2', '0'],
      ['2x2', '5'],
      ['0x2', '1'],
      ['two', '1'],
      ['99x1', '1'],
      ['2x2', '1.5'],
    ] as const)
      expect(parseTiling(tiles, tile)).toBeNull();
  });

  it('number tiles row by row from the top left', () => {
    expect(tilePosition({ columns: 3, rows: 2, tile: 1 })).toEqual({ column: 0, row: 0 });
    expect(tilePosition({ columns: 3, rows: 2, tile: 3 })).toEqual({ column: 2, row: 0 });
    expect(tilePosition({ columns: 3, rows: 2, tile: 4 })).toEqual({ column: 0, row: 1 });
  });

  it('show tile 4 of a 2×2 wall of 960×540 screens as the bottom-right quarter of the canvas', () => {
    const screen = { width: 960, height: 540 };
    const transform = stageTransform(screen, { columns: 2, rows: 2, tile: 4 });
    expect(transform).toEqual({ scale: 1, x: -960, y: -540 });
    expect(visibleRegion(screen, transform)).toEqual({ x: 960, y: 540, width: 960, height: 540 });
  });

  it('cover the canvas exactly once between them, on 4K screens too', () => {
    const screen = { width: 3840, height: 2160 };
    const regions = [1, 2, 3, 4, 5, 6].map((tile) =>
      visibleRegion(screen, stageTransform(screen, { columns: 3, rows: 2, tile })),
    );
    const area = regions.reduce((sum, r) => sum + r.width * r.height, 0);
    expect(area).toBeCloseTo(DESIGN_WIDTH * DESIGN_HEIGHT, 6);
    expect(regions[0]).toMatchObject({ x: 0, y: 0 });
    expect(regions[5]!.x + regions[5]!.width).toBeCloseTo(DESIGN_WIDTH, 9);
    expect(regions[5]!.y + regions[5]!.height).toBeCloseTo(DESIGN_HEIGHT, 9);
  });

  it('letterbox a wall whose screens do not add up to 16:9, centred on the whole wall', () => {
    // Three 1920×1080 screens side by side: the canvas is scaled to their height, centred across them.
    const screen = { width: 1920, height: 1080 };
    const middle = stageTransform(screen, { columns: 3, rows: 1, tile: 2 });
    expect(middle.scale).toBe(1);
    expect(middle.x).toBe((3 * 1920 - 1920) / 2 - 1920);
    expect(visibleRegion(screen, middle)).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(visibleRegion(screen, stageTransform(screen, { columns: 3, rows: 1, tile: 1 })).width).toBe(0);
  });

  it('give a canvas inside the stage enough device pixels to stay sharp', () => {
    expect(canvasPixelRatio({ scale: 2, x: 0, y: 0 }, 1)).toBe(2);
    expect(canvasPixelRatio({ scale: 0.5, x: 0, y: 0 }, 1)).toBe(1);
    expect(canvasPixelRatio({ scale: 4, x: 0, y: 0 }, 2)).toBe(4);
  });
});
