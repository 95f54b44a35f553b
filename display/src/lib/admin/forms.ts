/**
 * The admin forms and the configuration they edit, both ways: a section of the running
 * configuration as a form (numbers as the text typed, so that "−5" or "abc" reach the server and are
 * refused there by its schema, naming the field), and the form back as the section to PUT — the
 * rest of each item (a street's aliases, a feed's headers with their masked secrets) sent back as it
 * came. The key path of every field, for placing the server's problems beside it.
 */
import type { CityConfig, FeedConfig, IndicatorConfig, StreetConfig } from '$shared/city.js';
import type { Block } from '$shared/index/types.js';
import type { Issue } from './issues.js';

/** What the helpers say themselves (the words table gives them in the page's language). */
export interface LocalWords {
  notJson: (detail: string) => string;
  masked: string;
}

export type Built<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

/**
 * A number as typed: the number when the text is one ("−" typed as the minus sign counts), else the
 * text itself, sent as it is so that the server's schema refuses it naming the field.
 */
export function numberOrText(text: string): number | string {
  const trimmed = text.trim().replace(/^\u2212/, '-');
  return NUMBER.test(trimmed) ? Number(trimmed) : text;
}

/** A number shown in a text field. */
const shown = (value: number | undefined): string => (value === undefined ? '' : String(value));

function parseJson(text: string, path: string, words: LocalWords): Built<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      issues: [{ path, message: words.notJson(error instanceof Error ? error.message : String(error)) }],
    };
  }
}

// ── Streets ──────────────────────────────────────────────────────────────────────────────────────

export interface StreetForm {
  code: string;
  nameZh: string;
  nameEn: string;
  population: string;
  communities: string[];
  /** Each community's English name (`communityNames`), at the same index; blank for none. */
  communitiesEn: string[];
  geometry: StreetConfig['geometry'];
  /** The street as configured: what the form does not edit goes back unchanged. */
  base: StreetConfig;
}

export const streetsForm = (streets: readonly StreetConfig[]): StreetForm[] =>
  streets.map((street) => ({
    code: street.code,
    nameZh: street.name.zh,
    nameEn: street.name.en,
    population: shown(street.population),
    communities: [...street.communities],
    communitiesEn: street.communities.map((community) => street.communityNames?.[community]?.en ?? ''),
    geometry: street.geometry,
    base: street,
  }));

/**
 * The `streets` section: blank community rows (added and left empty) are dropped, and with them
 * their names; each community's English name goes in `communityNames` under the community's name
 * as typed, beside any other name the configuration gave it.
 */
export const streetsValue = (form: readonly StreetForm[]): unknown[] =>
  form.map((street) => {
    const { geometry: _dropped, ...rest } = street.base;
    const communityNames: Record<string, { zh?: string; en?: string }> = {};
    street.communities.forEach((community, j) => {
      if (community.trim() === '') return;
      const { en: _en, ...others } = street.base.communityNames?.[community] ?? {};
      const en = street.communitiesEn[j]?.trim() ?? '';
      const names = en ? { ...others, en } : others;
      if (Object.keys(names).length > 0) communityNames[community] = names;
    });
    return {
      ...rest,
      name: { zh: street.nameZh, en: street.nameEn },
      population: numberOrText(street.population),
      communities: street.communities.filter((c) => c.trim() !== ''),
      communityNames,
      ...(street.geometry ? { geometry: street.geometry } : {}),
    };
  });

export const streetFieldPaths = (form: readonly StreetForm[]): string[] =>
  form.flatMap((_, i) => [
    `streets.${i}.name.zh`,
    `streets.${i}.name.en`,
    `streets.${i}.population`,
    `streets.${i}.communities`,
    `streets.${i}.communityNames`,
    `streets.${i}.geometry`,
  ]);

// ── Indicators ───────────────────────────────────────────────────────────────────────────────────

export type NormalisationMethod = IndicatorConfig['normalisation']['method'];
export const METHODS = ['efficacy', 'minmax', 'target'] as const satisfies readonly NormalisationMethod[];

/** Each method's two goalposts, the one that scores 0 first (target's `zero` may be left out). */
export const GOALPOSTS = {
  efficacy: ['unacceptable', 'satisfactory'],
  minmax: ['worst', 'best'],
  target: ['zero', 'target'],
} as const satisfies Record<NormalisationMethod, readonly [string, string]>;

export type Goalpost = (typeof GOALPOSTS)[NormalisationMethod][number];

export interface IndicatorForm {
  id: string;
  block: Block;
  method: NormalisationMethod;
  /** Goalposts as typed, by name; those of other methods are kept while the method is switched. */
  values: Partial<Record<Goalpost, string>>;
  base: IndicatorConfig;
}

export function indicatorsForm(indicators: readonly IndicatorConfig[]): IndicatorForm[] {
  return indicators.map((indicator) => {
    const n = indicator.normalisation as Record<string, unknown>;
    const values: Partial<Record<Goalpost, string>> = {};
    for (const name of GOALPOSTS[indicator.normalisation.method])
      values[name] = typeof n[name] === 'number' ? String(n[name]) : '';
    return {
      id: indicator.id,
      block: indicator.block,
      method: indicator.normalisation.method,
      values,
      base: indicator,
    };
  });
}

/**
 * Switches an indicator's method, carrying its goalposts across: the value that scored 0 stays the
 * one that scores 0, the one that scored 100 the one that scores 100 (a goalpost already typed for
 * the new method is kept).
 */
export function switchMethod(form: IndicatorForm, method: NormalisationMethod): IndicatorForm {
  const [fromLow, fromHigh] = GOALPOSTS[form.method];
  const [toLow, toHigh] = GOALPOSTS[method];
  const values = { ...form.values };
  if (!values[toLow]?.trim()) values[toLow] = form.values[fromLow] ?? '';
  if (!values[toHigh]?.trim()) values[toHigh] = form.values[fromHigh] ?? '';
  return { ...form, method, values };
}

export const indicatorsValue = (form: readonly IndicatorForm[]): unknown[] =>
  form.map((indicator) => {
    const normalisation: Record<string, unknown> = { method: indicator.method };
    for (const name of GOALPOSTS[indicator.method]) {
      const text = indicator.values[name] ?? '';
      // Target's zero is optional (0 when absent): an empty field leaves it out.
      if (indicator.method === 'target' && name === 'zero' && text.trim() === '') continue;
      normalisation[name] = numberOrText(text);
    }
    return { ...indicator.base, normalisation };
  });

export const indicatorFieldPaths = (form: readonly IndicatorForm[]): string[] =>
  form.flatMap((indicator, i) => [
    `indicators.${i}.normalisation.method`,
    ...GOALPOSTS[indicator.method].map((name) => `indicators.${i}.normalisation.${name}`),
    // A refinement across both goalposts ("must differ") is reported at the normalisation itself.
    `indicators.${i}.normalisation`,
  ]);

/** The indicators by block, in the configured order, each with its index in the section. */
export function byBlock(
  form: readonly IndicatorForm[],
): { block: Block; items: { index: number; form: IndicatorForm }[] }[] {
  const blocks: Block[] = [];
  for (const indicator of form) if (!blocks.includes(indicator.block)) blocks.push(indicator.block);
  return blocks.map((block) => ({
    block,
    items: form.flatMap((f, index) => (f.block === block ? [{ index, form: f }] : [])),
  }));
}

// ── Alert rules ──────────────────────────────────────────────────────────────────────────────────

export type FieldKind = 'boolean' | 'number' | 'list' | 'json';

/** One setting of the alert rules: a rule's field, or a timing shared by every rule (rule null). */
export interface FieldDraft {
  rule: string | null;
  field: string;
  kind: FieldKind;
  /** boolean: the switch; number and json: the text typed; list: the items chosen. */
  value: boolean | string | string[];
}

export interface OverrideDraft {
  street: string;
  fields: FieldDraft[];
}

export interface AlertsForm {
  rules: { id: string; fields: FieldDraft[] }[];
  timing: FieldDraft[];
  overrides: OverrideDraft[];
  /** Standing silences, edited as JSON (a list of objects with dates): labelled as such. */
  silences: string;
}

type AlertsSection = CityConfig['alerts'];

const NOT_RULES = new Set(['silences', 'overrides']);

function kindOf(value: unknown): FieldKind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return 'list';
  return 'json';
}

function draftOf(rule: string | null, field: string, value: unknown): FieldDraft {
  const kind = kindOf(value);
  return {
    rule,
    field,
    kind,
    value:
      kind === 'boolean'
        ? (value as boolean)
        : kind === 'number'
          ? String(value)
          : kind === 'list'
            ? [...(value as string[])]
            : JSON.stringify(value, null, 2),
  };
}

/** A field's key within the rules: `indexDrop.points`, or `repeatMinutes`. */
export const fieldKey = (draft: Pick<FieldDraft, 'rule' | 'field'>): string =>
  draft.rule === null ? draft.field : `${draft.rule}.${draft.field}`;

export function alertsForm(alerts: AlertsSection): AlertsForm {
  const entries = Object.entries(alerts as unknown as Record<string, unknown>).filter(
    ([key]) => !NOT_RULES.has(key),
  );
  const rules = entries
    .filter(([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value))
    .map(([id, value]) => ({
      id,
      fields: Object.entries(value as Record<string, unknown>).map(([field, v]) => draftOf(id, field, v)),
    }));
  const timing = entries
    .filter(([, value]) => typeof value === 'number')
    .map(([field, v]) => draftOf(null, field, v));
  const overrides = Object.entries(alerts.overrides).map(([street, override]) => ({
    street,
    fields: Object.entries(override as Record<string, unknown>).flatMap(([key, value]) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>).map(([field, v]) => draftOf(key, field, v))
        : [draftOf(null, key, value)],
    ),
  }));
  return { rules, timing, overrides, silences: JSON.stringify(alerts.silences, null, 2) };
}

/** Every setting a street may override, with the city's value as the form has it now. */
export const overridable = (form: AlertsForm): FieldDraft[] => [
  ...form.rules.flatMap((rule) => rule.fields),
  ...form.timing,
];

/** Adds (or replaces) a street's override of one setting, starting from the city's value. */
export function addOverride(form: AlertsForm, street: string, key: string): AlertsForm {
  const city = overridable(form).find((draft) => fieldKey(draft) === key);
  if (!city) return form;
  const copy: FieldDraft = { ...city, value: Array.isArray(city.value) ? [...city.value] : city.value };
  const existing = form.overrides.find((o) => o.street === street);
  const overrides = existing
    ? form.overrides.map((o) =>
        o.street === street ? { street, fields: [...o.fields.filter((f) => fieldKey(f) !== key), copy] } : o,
      )
    : [...form.overrides, { street, fields: [copy] }];
  return { ...form, overrides };
}

/** Removes a street's override of one setting (and the street's entry when nothing is left). */
export function removeOverride(form: AlertsForm, street: string, key: string): AlertsForm {
  return {
    ...form,
    overrides: form.overrides
      .map((o) => (o.street === street ? { street, fields: o.fields.filter((f) => fieldKey(f) !== key) } : o))
      .filter((o) => o.fields.length > 0),
  };
}

function valueOf(draft: FieldDraft, path: string, words: LocalWords): Built<unknown> {
  switch (draft.kind) {
    case 'boolean':
      return { ok: true, value: draft.value === true };
    case 'number':
      return { ok: true, value: numberOrText(String(draft.value)) };
    case 'list':
      return { ok: true, value: Array.isArray(draft.value) ? [...draft.value] : [] };
    case 'json':
      return parseJson(String(draft.value), path, words);
  }
}

/** Sets the drafts' values into `target` (by rule, then field), collecting the problems of JSON fields. */
function fill(
  target: Record<string, unknown>,
  drafts: readonly FieldDraft[],
  prefix: string,
  words: LocalWords,
): Issue[] {
  const issues: Issue[] = [];
  for (const draft of drafts) {
    const built = valueOf(draft, `${prefix}${fieldKey(draft)}`, words);
    if (!built.ok) {
      issues.push(...built.issues);
      continue;
    }
    if (draft.rule === null) target[draft.field] = built.value;
    else {
      const rule = (target[draft.rule] ??= {}) as Record<string, unknown>;
      rule[draft.field] = built.value;
    }
  }
  return issues;
}

/** The `alerts` section from its form; JSON that does not parse is refused here, at its field. */
export function alertsValue(form: AlertsForm, words: LocalWords): Built<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  const issues = fill(value, [...form.rules.flatMap((r) => r.fields), ...form.timing], 'alerts.', words);
  const overrides: Record<string, unknown> = {};
  for (const override of form.overrides) {
    const target: Record<string, unknown> = {};
    issues.push(...fill(target, override.fields, `alerts.overrides.${override.street}.`, words));
    overrides[override.street] = target;
  }
  value.overrides = overrides;
  const silences = parseJson(form.silences, 'alerts.silences', words);
  if (silences.ok) value.silences = silences.value;
  else issues.push(...silences.issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

export const alertFieldPaths = (form: AlertsForm): string[] => [
  ...form.rules.flatMap((rule) => rule.fields.map((f) => `alerts.${fieldKey(f)}`)),
  ...form.timing.map((f) => `alerts.${fieldKey(f)}`),
  ...form.overrides.flatMap((o) => o.fields.map((f) => `alerts.overrides.${o.street}.${fieldKey(f)}`)),
  'alerts.silences',
];

// ── Feeds ────────────────────────────────────────────────────────────────────────────────────────

export interface FeedForm {
  name: string;
  intervalSeconds: string;
  url: string;
  mapping: string;
  base: FeedConfig;
}

export const feedsForm = (feeds: CityConfig['feeds']): FeedForm[] =>
  Object.entries(feeds).map(([name, feed]) => ({
    name,
    intervalSeconds: shown(feed.intervalSeconds),
    url: feed.url ?? '',
    mapping: JSON.stringify(feed.mapping, null, 2),
    base: feed,
  }));

/**
 * The `feeds` section. Everything else of a feed goes back as the server showed it: a secret shown
 * as "••••••" sent back unchanged keeps the stored one. An empty URL leaves the URL out (the built-in
 * simulator's, when it runs).
 */
export function feedsValue(form: readonly FeedForm[], words: LocalWords): Built<Record<string, unknown>> {
  const value: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const feed of form) {
    const mapping = parseJson(feed.mapping, `feeds.${feed.name}.mapping`, words);
    if (!mapping.ok) issues.push(...mapping.issues);
    const { url: _url, ...rest } = feed.base;
    value[feed.name] = {
      ...rest,
      intervalSeconds: numberOrText(feed.intervalSeconds),
      ...(feed.url.trim() ? { url: feed.url.trim() } : {}),
      mapping: mapping.ok ? mapping.value : feed.base.mapping,
    };
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

export const feedFieldPaths = (form: readonly FeedForm[]): string[] =>
  form.flatMap((feed) => [
    `feeds.${feed.name}.intervalSeconds`,
    `feeds.${feed.name}.url`,
    `feeds.${feed.name}.mapping`,
  ]);

// ── Subscriptions ────────────────────────────────────────────────────────────────────────────────

export interface ChannelForm {
  kind: string;
  /** Its configuration as JSON text. */
  config: string;
}

export interface SubscriptionForm {
  name: string;
  kind: 'person' | 'group';
  audiences: string[];
  streets: string[];
  rules: string[];
  severities: string[];
  channels: ChannelForm[];
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  quietCritical: 'deliver' | 'defer';
  enabled: boolean;
}

/** What a listed subscription has that its form starts from. */
export interface SubscriptionLike {
  name: string;
  kind: 'person' | 'group';
  audiences?: readonly string[];
  streets?: readonly string[];
  rules?: readonly string[];
  severities?: readonly string[];
  channels: readonly { kind: string; config: Record<string, unknown> | null }[];
  quietHours?: { start: string; end: string; critical?: 'deliver' | 'defer' };
  enabled?: boolean;
}

/** A form for a new subscription (nothing given) or for editing one. */
export function subscriptionForm(subscription?: SubscriptionLike): SubscriptionForm {
  return {
    name: subscription?.name ?? '',
    kind: subscription?.kind ?? 'group',
    audiences: [...(subscription?.audiences ?? ['street'])],
    streets: [...(subscription?.streets ?? [])],
    rules: [...(subscription?.rules ?? [])],
    severities: [...(subscription?.severities ?? [])],
    channels: (subscription?.channels ?? [{ kind: 'socket', config: {} }]).map((channel) => ({
      kind: channel.kind,
      config: JSON.stringify(channel.config ?? {}, null, 2),
    })),
    quiet: subscription?.quietHours !== undefined,
    quietStart: subscription?.quietHours?.start ?? '22:00',
    quietEnd: subscription?.quietHours?.end ?? '07:00',
    quietCritical: subscription?.quietHours?.critical ?? 'deliver',
    enabled: subscription?.enabled ?? true,
  };
}

/** What a listed channel shows in place of a literal secret (server/alerts/channels/credentials.ts). */
const MASKS = ['***', '••••••'];

function holdsMask(value: unknown): boolean {
  if (typeof value === 'string') return MASKS.some((mask) => value.includes(mask));
  if (Array.isArray(value)) return value.some(holdsMask);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsMask);
  return false;
}

/**
 * The body of POST/PUT /api/subscriptions. A channel's configuration must be JSON. A new
 * subscription may not hold a masked secret (there is no stored one to keep); a replacement may:
 * the server keeps the stored secret where a mask is sent back as it was shown, and refuses a mask
 * anywhere else.
 */
export function subscriptionBody(
  form: SubscriptionForm,
  words: LocalWords,
  replacing = false,
): Built<Record<string, unknown>> {
  const issues: Issue[] = [];
  const channels = form.channels.map((channel, i) => {
    const path = `channels.${i}.config`;
    const config = parseJson(channel.config, path, words);
    if (!config.ok) {
      issues.push(...config.issues);
      return { kind: channel.kind, config: {} };
    }
    if (!replacing && holdsMask(config.value)) issues.push({ path, message: words.masked });
    return { kind: channel.kind, config: config.value };
  });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      name: form.name,
      kind: form.kind,
      audiences: form.audiences,
      streets: form.streets,
      rules: form.rules,
      severities: form.severities,
      channels,
      ...(form.quiet
        ? { quietHours: { start: form.quietStart, end: form.quietEnd, critical: form.quietCritical } }
        : {}),
      enabled: form.enabled,
    },
  };
}

export const subscriptionFieldPaths = (form: SubscriptionForm): string[] => [
  'name',
  'kind',
  'audiences',
  'streets',
  'rules',
  'severities',
  ...form.channels.flatMap((_, i) => [`channels.${i}.kind`, `channels.${i}.config`]),
  'channels',
  'quietHours',
  'enabled',
];

// ── Tokens ───────────────────────────────────────────────────────────────────────────────────────

export interface TokenForm {
  name: string;
  role: string;
  streets: string[];
}

/** The body of POST /api/tokens: streets only for a street token. */
export const tokenBody = (form: TokenForm) => ({
  name: form.name,
  role: form.role,
  streets: form.role === 'street' ? form.streets : [],
});
