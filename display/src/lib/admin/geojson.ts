/**
 * A street's outline uploaded as a GeoJSON file, read in the browser before anything is sent: a
 * Feature, a FeatureCollection (its features' polygons, merged), a Polygon or a MultiPolygon, each
 * checked ring by ring so that a bad file is refused here with a reason a person can act on, and
 * the outline previewed as the map would draw it (d3-geo, Mercator, fitted to the preview).
 */
import { geoMercator, geoPath } from 'd3';
import type { StreetGeometry } from '../api.js';
import { rewind } from '../street-map.js';

type Position = [number, number];
type Ring = Position[];

/** The outline as the configuration stores it. */
export interface Outline {
  [key: string]: unknown;
  type: 'Polygon' | 'MultiPolygon';
  coordinates: Ring[] | Ring[][];
}

/** Why a file is not an outline: a code for the words table, and where in the file. */
export type GeoProblem =
  | { code: 'not-json'; detail: string }
  | { code: 'no-type' }
  | { code: 'unsupported'; type: string }
  | { code: 'no-polygon' }
  | { code: 'bad-ring'; where: string; detail: 'not-array' | 'too-short' | 'not-closed' }
  | { code: 'bad-position'; where: string };

export type GeoResult = { ok: true; geometry: Outline } | { ok: false; problem: GeoProblem };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function position(value: unknown): Position | null {
  if (!Array.isArray(value) || value.length < 2) return null;
  const [lon, lat] = value as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number') return null;
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return null;
  // Elevation and anything after it are not drawn: kept out of the stored outline.
  return [lon, lat];
}

type Checked<T> = { ok: true; value: T } | { ok: false; problem: GeoProblem };

function ring(value: unknown, where: string): Checked<Ring> {
  if (!Array.isArray(value)) return { ok: false, problem: { code: 'bad-ring', where, detail: 'not-array' } };
  const positions: Ring = [];
  for (const [i, raw] of value.entries()) {
    const p = position(raw);
    if (!p) return { ok: false, problem: { code: 'bad-position', where: `${where}[${i}]` } };
    positions.push(p);
  }
  // RFC 7946: a linear ring has four or more positions, the first and the last the same.
  if (positions.length < 4) return { ok: false, problem: { code: 'bad-ring', where, detail: 'too-short' } };
  const first = positions[0]!;
  const last = positions[positions.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1])
    return { ok: false, problem: { code: 'bad-ring', where, detail: 'not-closed' } };
  return { ok: true, value: positions };
}

function polygon(value: unknown, where: string): Checked<Ring[]> {
  if (!Array.isArray(value) || value.length === 0)
    return { ok: false, problem: { code: 'bad-ring', where, detail: 'not-array' } };
  const rings: Ring[] = [];
  for (const [i, raw] of value.entries()) {
    const checked = ring(raw, `${where}[${i}]`);
    if (!checked.ok) return checked;
    rings.push(checked.value);
  }
  return { ok: true, value: rings };
}

/** The polygons of one geometry object, checked; `where` says where it is in the file. */
function polygonsOf(geometry: unknown, where: string): Checked<Ring[][]> {
  if (!isObject(geometry) || typeof geometry.type !== 'string')
    return { ok: false, problem: { code: 'no-type' } };
  if (geometry.type === 'Polygon') {
    const checked = polygon(geometry.coordinates, `${where}coordinates`);
    return checked.ok ? { ok: true, value: [checked.value] } : checked;
  }
  if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0)
      return { ok: false, problem: { code: 'no-polygon' } };
    const polygons: Ring[][] = [];
    for (const [i, raw] of geometry.coordinates.entries()) {
      const checked = polygon(raw, `${where}coordinates[${i}]`);
      if (!checked.ok) return checked;
      polygons.push(checked.value);
    }
    return { ok: true, value: polygons };
  }
  return { ok: false, problem: { code: 'unsupported', type: geometry.type } };
}

/** Reads an uploaded file's text as a street's outline, or says what is wrong with it. */
export function parseOutline(text: string): GeoResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problem: { code: 'not-json', detail: error instanceof Error ? error.message : String(error) },
    };
  }
  if (!isObject(data) || typeof data.type !== 'string') return { ok: false, problem: { code: 'no-type' } };
  let polygons: Ring[][] = [];
  if (data.type === 'FeatureCollection') {
    if (!Array.isArray(data.features)) return { ok: false, problem: { code: 'no-polygon' } };
    for (const [i, feature] of data.features.entries()) {
      if (!isObject(feature)) return { ok: false, problem: { code: 'no-type' } };
      // A collection may carry points or lines beside the outline (a label, a road): only polygons count.
      const geometry = feature.geometry;
      if (!isObject(geometry) || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) continue;
      const checked = polygonsOf(geometry, `features[${i}].geometry.`);
      if (!checked.ok) return { ok: false, problem: checked.problem };
      polygons.push(...checked.value);
    }
  } else {
    const geometry = data.type === 'Feature' ? data.geometry : data;
    const checked = polygonsOf(geometry, data.type === 'Feature' ? 'geometry.' : '');
    if (!checked.ok) return { ok: false, problem: checked.problem };
    polygons = checked.value;
  }
  if (polygons.length === 0) return { ok: false, problem: { code: 'no-polygon' } };
  return {
    ok: true,
    geometry:
      polygons.length === 1
        ? { type: 'Polygon', coordinates: polygons[0]! }
        : { type: 'MultiPolygon', coordinates: polygons },
  };
}

/** The outline drawn into a `width`×`height` box (Mercator, fitted with a margin): an SVG path. */
export function outlinePath(geometry: StreetGeometry, width: number, height: number, margin = 6): string {
  const shape = rewind(geometry);
  const projection = geoMercator().fitExtent(
    [
      [margin, margin],
      [width - margin, height - margin],
    ],
    shape,
  );
  return geoPath(projection)(shape) ?? '';
}

/** Positions in an outline: the preview says how detailed the file is. */
export function positionCount(geometry: StreetGeometry): number {
  const rings: unknown[] =
    geometry.type === 'Polygon' ? geometry.coordinates : (geometry.coordinates as unknown[][]).flat();
  return rings.reduce<number>((sum, r) => sum + (Array.isArray(r) ? r.length : 0), 0);
}
