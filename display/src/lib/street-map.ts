/**
 * The map panel's geometry. With GeoJSON outlines for every street: a choropleth projected to fit
 * the panel (d3-geo, Mercator). Without: a schematic tile map, a fixed grid of equal tiles in the
 * configured order of the streets — it says nothing about where a street lies, and the panel says
 * so ("示意图", "schematic"). Pure.
 */
import { geoArea, geoMercator, geoPath } from 'd3';
import type { FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import type { StreetGeometry } from './api.js';

export interface Tile {
  code: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tiles wider than tall read best: a street's name and its index side by side or stacked. */
const PREFERRED_ASPECT = 1.3;

/**
 * Lays `codes` out as a grid filling `width`×`height`: the number of columns that gives the largest
 * tiles, tiles no more than 1.3 times as wide as they are tall counting for their height. Row-major,
 * in the order given.
 */
export function tileGrid(codes: readonly string[], width: number, height: number, gap: number): Tile[] {
  const count = codes.length;
  if (count === 0 || !(width > 0) || !(height > 0)) return [];
  let best = { columns: 1, size: -Infinity };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const w = (width - (columns - 1) * gap) / columns;
    const h = (height - (rows - 1) * gap) / rows;
    const size = Math.min(w, h * PREFERRED_ASPECT);
    if (size > best.size) best = { columns, size };
  }
  const columns = best.columns;
  const rows = Math.ceil(count / columns);
  const w = (width - (columns - 1) * gap) / columns;
  const h = (height - (rows - 1) * gap) / rows;
  return codes.map((code, i) => ({
    code,
    x: (i % columns) * (w + gap),
    y: Math.floor(i / columns) * (h + gap),
    width: w,
    height: h,
  }));
}

export interface StreetShape {
  code: string;
  /** SVG path of the outline, projected into the panel. */
  path: string;
  /** Where its label goes (the outline's centroid). */
  label: [number, number];
}

/** Whether every street has an outline: only then is a choropleth honest (no holes in the city). */
export function hasGeometry(streets: readonly { code: string; geometry?: StreetGeometry }[]): boolean {
  return streets.length > 0 && streets.every((street) => street.geometry !== undefined);
}

/**
 * d3-geo reads a ring on the sphere: clockwise encloses the polygon, anticlockwise everything else.
 * GeoJSON (RFC 7946) winds outer rings anticlockwise, so a standard file would draw as the whole
 * globe minus the street. A polygon that covers more than a hemisphere is turned round.
 */
export function rewind(geometry: StreetGeometry): Geometry {
  const turn = (rings: Position[][]): Position[][] =>
    geoArea({ type: 'Polygon', coordinates: rings } satisfies Polygon) > 2 * Math.PI
      ? rings.map((ring) => [...ring].reverse())
      : rings;
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: turn(geometry.coordinates as Position[][]) }
    : {
        type: 'MultiPolygon',
        coordinates: (geometry.coordinates as Position[][][]).map((polygon) => turn(polygon)),
      };
}

/** The streets' outlines projected to fit `width`×`height` with a margin; empty when any lacks one. */
export function streetShapes(
  streets: readonly { code: string; geometry?: StreetGeometry }[],
  width: number,
  height: number,
  margin = 8,
): StreetShape[] {
  if (!hasGeometry(streets)) return [];
  const features = streets.map((street) => ({
    type: 'Feature' as const,
    properties: { code: street.code },
    geometry: rewind(street.geometry!),
  }));
  const collection: FeatureCollection = { type: 'FeatureCollection', features };
  const projection = geoMercator().fitExtent(
    [
      [margin, margin],
      [width - margin, height - margin],
    ],
    collection,
  );
  const path = geoPath(projection);
  return features
    .map((feature) => {
      const [x, y] = path.centroid(feature);
      return {
        code: feature.properties.code,
        path: path(feature) ?? '',
        label: [Number.isFinite(x) ? x : width / 2, Number.isFinite(y) ? y : height / 2] as [number, number],
      };
    })
    .filter((shape) => shape.path !== '');
}
