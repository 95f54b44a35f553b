/**
 * The weights workbench's logic (the quarterly review, /admin/weights): the API's payloads, the
 * draft as the form holds it (text as typed) and its conversion to and from a set of weights, the
 * shares shown as one types, the checks that say which field is wrong, the server's 400 issues
 * placed beside the field they name, and the rank-shift arrows. Pure; the store fetches, the
 * components render.
 */
import type { IndicatorConfig } from '$shared/city.js';
import { BLOCKS, type Block, type Normalisation, type Weights } from '$shared/index/types.js';
import { MISSING } from '../format.js';

// ── The API's payloads (docs: /work/notes/admin-api.md, issue 14) ──────────────────────────────

export type WeightSetStatus = 'in_force' | 'scheduled' | 'superseded' | 'draft';

/** A row of `GET /api/weight-sets`. */
export interface WeightSetRow {
  id: number;
  name: string;
  effectiveFrom: string | null;
  weights: Weights;
  note: string | null;
  createdBy: string;
  createdAt: string;
  status: WeightSetStatus;
}

/** `GET /api/weight-sets`: the city's today and the first day of the next quarter, and every set. */
export interface WeightSetList {
  today: string;
  nextQuarter: string;
  weightSets: WeightSetRow[];
}

export type AuditAction = 'drafted' | 'created' | 'edited' | 'published';

/** An event of `GET /api/weight-sets/audit`, newest first. */
export interface AuditEvent {
  weightSetId: number;
  name: string;
  action: AuditAction;
  actor: string;
  at: string;
  detail: { effectiveFrom?: string | null; reason?: string | null; note?: string | null };
}

type Names = { zh: string; en: string };

/** A street's standing under one set of weights. */
export interface Standing {
  index: number | null;
  rank: number | null;
  grade: string | null;
}

/** A change of an indicator's contribution between the set in force and the draft, in index points. */
export interface ContributionChange {
  indicator: string;
  current: number | null;
  draft: number | null;
  delta: number;
}

/** `POST /api/weight-sets/what-if`. */
export interface WhatIfAnswer {
  period: string;
  asOf: string;
  inForce: { id: number; name: string } | null;
  city: { current: number | null; draft: number | null };
  streets: {
    code: string;
    name: Names;
    current: Standing;
    draft: Standing;
    /** Places moved up under the draft (positive = up), null without a rank on either side. */
    rankShift: number | null;
    topChanges: ContributionChange[];
  }[];
  meanAbsoluteRankShift: number | null;
}

/** `POST /api/weight-sets/sensitivity`. */
export interface SensitivityAnswer {
  period: string;
  asOf: string;
  draws: number;
  noise: number;
  seed: number;
  streets: {
    code: string;
    name: Names;
    rank: number | null;
    median: number | null;
    p5: number | null;
    p95: number | null;
  }[];
  removal: {
    indicator: string;
    name: Names;
    meanAbsoluteRankShift: number | null;
    /** Street → places moved up when the indicator is removed. */
    shifts: Record<string, number | null>;
  }[];
}

/** A published month of `GET /api/reports/monthly`. */
export interface PublishedMonth {
  month: string;
}

/** What a what-if or a sensitivity run is asked about: the live window, or a published month. */
export type Period = 'live' | string;

// ── The draft as the form holds it ─────────────────────────────────────────────────────────────

export type Method = Normalisation['method'];
export const METHODS: readonly Method[] = ['efficacy', 'minmax', 'target'];

/**
 * A goalpost's place whatever the method: `bad` is where the score is lowest (unacceptable, worst,
 * zero), `good` where it is highest (satisfactory, best, target). Switching the method keeps the
 * two numbers in their places, so that a switch never turns an indicator's polarity round.
 */
export type Slot = 'bad' | 'good';

/** The fields of each method, in the order they are shown, and their slots. */
export const GOALPOST_FIELDS: Record<Method, readonly { slot: Slot; key: string }[]> = {
  efficacy: [
    { slot: 'bad', key: 'unacceptable' },
    { slot: 'good', key: 'satisfactory' },
  ],
  minmax: [
    { slot: 'bad', key: 'worst' },
    { slot: 'good', key: 'best' },
  ],
  target: [
    { slot: 'good', key: 'target' },
    { slot: 'bad', key: 'zero' },
  ],
};

/** An indicator's normalisation in the form: a method and its two goalposts as typed. */
export interface GoalpostForm {
  method: Method;
  bad: string;
  good: string;
}

export interface DraftForm {
  name: string;
  blocks: Record<Block, string>;
  indicators: Record<string, string>;
  aggregation: Weights['aggregation'];
  goalposts: Record<string, GoalpostForm>;
  /** Carried over unchanged: the workbench does not edit it. */
  availabilityThreshold?: number;
}

/** The form's goalposts of a normalisation. A target's zero left out reads as empty (it means 0). */
export function goalpostForm(normalisation: Normalisation): GoalpostForm {
  switch (normalisation.method) {
    case 'efficacy':
      return {
        method: 'efficacy',
        bad: String(normalisation.unacceptable),
        good: String(normalisation.satisfactory),
      };
    case 'minmax':
      return { method: 'minmax', bad: String(normalisation.worst), good: String(normalisation.best) };
    case 'target':
      return {
        method: 'target',
        bad: normalisation.zero === undefined ? '' : String(normalisation.zero),
        good: String(normalisation.target),
      };
  }
}

/** A normalisation from its method and two goalposts (`bad` left out only for a target: its zero is 0). */
export function normalisationOf(method: Method, bad: number | undefined, good: number): Normalisation {
  switch (method) {
    case 'efficacy':
      return { method, unacceptable: bad ?? 0, satisfactory: good };
    case 'minmax':
      return { method, worst: bad ?? 0, best: good };
    case 'target':
      return bad === undefined ? { method, target: good } : { method, target: good, zero: bad };
  }
}

/** Whether two normalisations score every value alike (a target's zero left out is 0). */
export function sameNormalisation(a: Normalisation, b: Normalisation): boolean {
  switch (a.method) {
    case 'efficacy':
      return (
        b.method === 'efficacy' && a.unacceptable === b.unacceptable && a.satisfactory === b.satisfactory
      );
    case 'minmax':
      return b.method === 'minmax' && a.worst === b.worst && a.best === b.best;
    case 'target':
      return b.method === 'target' && a.target === b.target && (a.zero ?? 0) === (b.zero ?? 0);
  }
}

/** The form of a set of weights: every configured indicator, its goalposts the set's or its own. */
export function formFromWeights(
  name: string,
  weights: Weights,
  indicators: readonly IndicatorConfig[],
): DraftForm {
  const form: DraftForm = {
    name,
    blocks: { positive: '', negative: '', public: '' },
    indicators: {},
    aggregation: weights.aggregation,
    goalposts: {},
  };
  for (const block of BLOCKS) form.blocks[block] = String(weights.blocks[block]);
  for (const indicator of indicators) {
    // An indicator the set does not weigh (added to the configuration since) weighs nothing in it.
    form.indicators[indicator.id] = String(weights.indicators[indicator.id] ?? 0);
    form.goalposts[indicator.id] = goalpostForm(
      weights.normalisation?.[indicator.id] ?? indicator.normalisation,
    );
  }
  if (weights.availabilityThreshold !== undefined) form.availabilityThreshold = weights.availabilityThreshold;
  return form;
}

// ── Checking what was typed ────────────────────────────────────────────────────────────────────

/** The largest weight the server takes (shared/city.ts MAX_WEIGHT). */
export const MAX_WEIGHT = 1000;
/** The largest goalpost the server takes, either side of 0 (shared/city.ts). */
export const MAX_GOALPOST = 1e9;

export type ProblemCode =
  | 'notNumber'
  | 'negative'
  | 'tooLarge'
  | 'goalpostRange'
  | 'equalGoalposts'
  | 'blocksZero'
  | 'blockEmpty'
  | 'nameMissing';

/**
 * A problem with the draft, at the path the server would name (`weights.indicators.theft`,
 * `weights.normalisation.theft.unacceptable`), so that the page's and the server's land in one place.
 */
export interface FieldProblem {
  path: string;
  code: ProblemCode;
}

/** A number as typed: decimal, with an optional sign and exponent; null when it is not one. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** A weight as typed, or what is wrong with it: not a number, below 0, above 1000. */
export function parseWeight(text: string): { value: number } | { code: ProblemCode } {
  const value = parseNumber(text);
  if (value === null) return { code: 'notNumber' };
  if (value < 0) return { code: 'negative' };
  if (value > MAX_WEIGHT) return { code: 'tooLarge' };
  return { value };
}

function parseGoalpost(text: string): { value: number } | { code: ProblemCode } {
  const value = parseNumber(text);
  if (value === null) return { code: 'notNumber' };
  if (Math.abs(value) > MAX_GOALPOST) return { code: 'goalpostRange' };
  return { value };
}

/** The name of a goalpost field of a method: `unacceptable`, `best`, `zero`… */
export const goalpostKey = (method: Method, slot: Slot): string =>
  GOALPOST_FIELDS[method].find((field) => field.slot === slot)!.key;

/** The path of a goalpost field: `weights.normalisation.theft.satisfactory`. */
export const goalpostPath = (id: string, method: Method, slot: Slot): string =>
  `weights.normalisation.${id}.${goalpostKey(method, slot)}`;

export interface DraftResult {
  /** The weights to send; null while a field is wrong. */
  weights: Weights | null;
  problems: FieldProblem[];
}

/**
 * The weights a form says, or what is wrong with it. A goalpost override is stored only when it
 * differs from the indicator's own (so a later change of the default still reaches a set that never
 * meant to fix it). Checks what the server checks: weights 0–1000, block weights not all 0, no block
 * weighed whose indicators weigh nothing, goalposts numbers that differ.
 */
export function weightsFromForm(form: DraftForm, indicators: readonly IndicatorConfig[]): DraftResult {
  const problems: FieldProblem[] = [];
  const blocks = { positive: 0, negative: 0, public: 0 } as Record<Block, number>;
  for (const block of BLOCKS) {
    const parsed = parseWeight(form.blocks[block]);
    if ('code' in parsed) problems.push({ path: `weights.blocks.${block}`, code: parsed.code });
    else blocks[block] = parsed.value;
  }
  const weighed: Record<string, number> = {};
  const normalisation: Record<string, Normalisation> = {};
  const blockTotals = { positive: 0, negative: 0, public: 0 } as Record<Block, number>;
  const blockBroken = new Set<Block>();
  for (const indicator of indicators) {
    const parsed = parseWeight(form.indicators[indicator.id] ?? '');
    if ('code' in parsed) {
      problems.push({ path: `weights.indicators.${indicator.id}`, code: parsed.code });
      blockBroken.add(indicator.block);
    } else {
      weighed[indicator.id] = parsed.value;
      blockTotals[indicator.block] += parsed.value;
    }
    const goalposts = form.goalposts[indicator.id];
    if (!goalposts) continue;
    const override = goalpostsOf(indicator.id, goalposts, problems);
    if (override && !sameNormalisation(override, indicator.normalisation))
      normalisation[indicator.id] = override;
  }
  const blockProblems = problems.filter((p) => p.path.startsWith('weights.blocks.'));
  if (blockProblems.length === 0 && BLOCKS.every((block) => blocks[block] === 0))
    problems.push({ path: 'weights.blocks', code: 'blocksZero' });
  for (const block of BLOCKS) {
    if (blocks[block] > 0 && !blockBroken.has(block) && blockTotals[block] === 0)
      problems.push({ path: `weights.blocks.${block}`, code: 'blockEmpty' });
  }
  if (problems.length > 0) return { weights: null, problems };
  const weights: Weights = { blocks, indicators: weighed, aggregation: form.aggregation };
  if (Object.keys(normalisation).length > 0) weights.normalisation = normalisation;
  if (form.availabilityThreshold !== undefined) weights.availabilityThreshold = form.availabilityThreshold;
  return { weights, problems };
}

/** An indicator's normalisation from the form, or null with its problems added. */
function goalpostsOf(id: string, form: GoalpostForm, problems: FieldProblem[]): Normalisation | null {
  const good = parseGoalpost(form.good);
  // A target's zero may be left out: it is 0.
  const bad =
    form.method === 'target' && form.bad.trim() === '' ? { value: undefined } : parseGoalpost(form.bad);
  let broken = false;
  for (const [slot, parsed] of [
    ['bad', bad],
    ['good', good],
  ] as const) {
    if ('code' in parsed) {
      problems.push({ path: goalpostPath(id, form.method, slot), code: parsed.code });
      broken = true;
    }
  }
  if (broken || 'code' in bad || 'code' in good) return null;
  if ((bad.value ?? 0) === good.value) {
    problems.push({ path: `weights.normalisation.${id}`, code: 'equalGoalposts' });
    return null;
  }
  return normalisationOf(form.method, bad.value, good.value);
}

/** The goalposts of a method switched to, in the same slots (efficacy's satisfactory becomes the best). */
export const switchMethod = (form: GoalpostForm, method: Method): GoalpostForm => ({ ...form, method });

/** Whether an indicator's goalposts in the form differ from its own (an override the set will store). */
export function isOverride(form: GoalpostForm, indicator: IndicatorConfig): boolean {
  const problems: FieldProblem[] = [];
  const normalisation = goalpostsOf(indicator.id, form, problems);
  return normalisation !== null && !sameNormalisation(normalisation, indicator.normalisation);
}

// ── Shares ─────────────────────────────────────────────────────────────────────────────────────

export interface Shares {
  /** Sum of the weights that parse; the ones that do not count as nothing. */
  total: number;
  /** Each weight over the total, 0–1; null when it does not parse or the total is 0. */
  share: Record<string, number | null>;
}

/**
 * Each weight's share of its group (share = w / Σ w), as the engine normalises them: the blocks'
 * among the blocks, an indicator's within its block.
 */
export function shares(weights: Readonly<Record<string, string>>, keys: readonly string[]): Shares {
  const values = keys.map((key) => {
    const parsed = parseWeight(weights[key] ?? '');
    return 'value' in parsed ? parsed.value : null;
  });
  const total = values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
  const share: Record<string, number | null> = {};
  keys.forEach((key, i) => {
    const value = values[i] ?? null;
    share[key] = value === null || total === 0 ? null : value / total;
  });
  return { total, share };
}

/** A share in percent to one decimal: "35.0%"; "—" without one. */
export const formatShare = (share: number | null | undefined): string =>
  typeof share === 'number' && Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : MISSING;

/** A weight as a sum shows it: whole when whole, else to two decimals at most. */
export const formatWeight = (value: number): string =>
  Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);

/** The configured indicators of a block, in their configured order. */
export const indicatorsOf = (indicators: readonly IndicatorConfig[], block: Block): IndicatorConfig[] =>
  indicators.filter((indicator) => indicator.block === block);

// ── The server's 400 ───────────────────────────────────────────────────────────────────────────

/** One issue of a 400: the path it names (null when it names none) and what it says. */
export interface ServerIssue {
  path: string | null;
  message: string;
}

const isIssue = (value: unknown): value is { path: unknown; message: string } =>
  typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string';

/**
 * The issues of a 400: `details.issues` when the server gave them (path as text, or zod's list of
 * keys), else the message split where it joins several (`a.b: …; c: …`).
 */
export function serverIssues(message: string, details?: unknown): ServerIssue[] {
  const listed =
    typeof details === 'object' && details !== null && 'issues' in details && Array.isArray(details.issues)
      ? (details.issues as unknown[]).filter(isIssue)
      : [];
  if (listed.length > 0) {
    return listed.map((issue) => ({
      path: Array.isArray(issue.path)
        ? issue.path.map(String).join('.') || null
        : typeof issue.path === 'string' && issue.path !== ''
          ? issue.path
          : null,
      message: issue.message,
    }));
  }
  return message
    .split('; ')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const named = /^([A-Za-z_][\w]*(?:\.[\w-]+)*): (.+)$/s.exec(part);
      return named ? { path: named[1]!, message: named[2]! } : { path: null, message: part };
    });
}

export interface PlacedIssues {
  /** Field path → what the server said of it. */
  fields: Record<string, string[]>;
  /** What names no field shown (or no path at all): shown at the top. */
  top: string[];
}

/**
 * Each issue beside the field it names: the longest of `fields` that is its path or a parent of it
 * (`weights.normalisation.theft` holds what is said of `…theft.unacceptable` when only the row is
 * shown); the rest at the top, with its path so that it still says where.
 */
export function placeIssues(issues: readonly ServerIssue[], fields: readonly string[]): PlacedIssues {
  const placed: PlacedIssues = { fields: {}, top: [] };
  for (const issue of issues) {
    const path = issue.path;
    const field =
      path === null
        ? undefined
        : fields.filter((f) => path === f || path.startsWith(`${f}.`)).sort((a, b) => b.length - a.length)[0];
    if (field === undefined) placed.top.push(path ? `${path}: ${issue.message}` : issue.message);
    else (placed.fields[field] ??= []).push(issue.message);
  }
  return placed;
}

/** Every path the editor shows a message beside. */
export function fieldPaths(indicators: readonly IndicatorConfig[]): string[] {
  return [
    'name',
    'note',
    'weights.blocks',
    ...BLOCKS.map((block) => `weights.blocks.${block}`),
    'weights.aggregation',
    ...indicators.flatMap((indicator) => [
      `weights.indicators.${indicator.id}`,
      `weights.normalisation.${indicator.id}`,
    ]),
  ];
}

// ── Ranks and dates ────────────────────────────────────────────────────────────────────────────

/** A rank shift as an arrow: ▲2 up, ▼1 down, – the same place, — without a rank. */
export function rankArrow(shift: number | null | undefined): {
  direction: 'up' | 'down' | 'flat' | 'none';
  text: string;
} {
  if (typeof shift !== 'number' || !Number.isFinite(shift)) return { direction: 'none', text: MISSING };
  const places = Math.round(shift);
  if (places === 0) return { direction: 'flat', text: '–' };
  return places > 0 ? { direction: 'up', text: `▲${places}` } : { direction: 'down', text: `▼${-places}` };
}

/** A signed contribution change in points: "+1.24", "−0.38". */
export function signedPoints(delta: number | null | undefined): string {
  if (typeof delta !== 'number' || !Number.isFinite(delta)) return MISSING;
  const text = Math.abs(delta).toFixed(2);
  if (text === '0.00') return '0.00';
  return `${delta > 0 ? '+' : '−'}${text}`;
}

/** Whether a text is a calendar date YYYY-MM-DD that exists. */
export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** What is wrong with a date to publish from: not a date, or before the city's today. */
export function publishDateProblem(date: string, today: string): 'dateInvalid' | 'datePast' | null {
  if (!isDate(date)) return 'dateInvalid';
  return date < today ? 'datePast' : null;
}

/** The set in force, then scheduled ones (soonest first), drafts (newest first), superseded (newest first). */
export function orderedSets(sets: readonly WeightSetRow[]): WeightSetRow[] {
  const order: Record<WeightSetStatus, number> = { in_force: 0, scheduled: 1, draft: 2, superseded: 3 };
  return [...sets].sort((a, b) => {
    if (a.status !== b.status) return order[a.status] - order[b.status];
    if (a.status === 'scheduled') return (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? '');
    return b.id - a.id;
  });
}

/** The same set of weights, compared as the server would store them (key order aside). */
export function sameWeights(a: Weights | null, b: Weights | null): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}
