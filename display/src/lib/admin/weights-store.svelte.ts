/**
 * The weights workbench's state: the sets, the catalogue, the published months and the audit
 * trail; the set shown or the draft being edited; the what-if and the sensitivity runs, debounced
 * after edits with stale answers dropped; saving and publishing. The components only render it.
 */
import type { Weights } from '$shared/index/types.js';
import { ApiFailure, getJson, type IndicatorCatalogue, type Regions } from '../api.js';
import { isAborted, sendJson, ApiRefusal } from './weights-api.js';
import {
  fieldPaths,
  formFromWeights,
  placeIssues,
  sameWeights,
  serverIssues,
  type AuditEvent,
  type DraftForm,
  type Period,
  type PlacedIssues,
  type PublishedMonth,
  type SensitivityAnswer,
  type WeightSetList,
  type WeightSetRow,
  type WhatIfAnswer,
} from './weights.js';

export type WorkbenchStatus = 'loading' | 'ready' | 'no-token' | 'token-refused' | 'forbidden' | 'failed';

/** How long after the last edit the what-if and the sensitivity run. */
export const DEBOUNCE_MS = 300;

const NO_ISSUES: PlacedIssues = { fields: {}, top: [] };

/** One kind of run (what-if, sensitivity): its answer, whether one is under way, why it failed. */
class Run<T> {
  answer = $state.raw<T | null>(null);
  running = $state(false);
  problem = $state<string | null>(null);
  /** What the server said of the weights or the period (400), placed by field. */
  issues = $state.raw<PlacedIssues>(NO_ISSUES);
  private serial = 0;
  private controller: AbortController | null = null;

  /** Runs `call`; an answer to anything but the latest call is dropped. */
  async start(call: (signal: AbortSignal) => Promise<T>, paths: readonly string[]): Promise<void> {
    const serial = ++this.serial;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.running = true;
    try {
      const answer = await call(controller.signal);
      if (serial !== this.serial) return;
      this.answer = answer;
      this.problem = null;
      this.issues = NO_ISSUES;
    } catch (error) {
      if (serial !== this.serial || isAborted(error)) return;
      this.problem = error instanceof Error ? error.message : String(error);
      this.issues =
        error instanceof ApiRefusal && error.status === 400
          ? placeIssues(serverIssues(error.message, error.details), paths)
          : NO_ISSUES;
    } finally {
      if (serial === this.serial) this.running = false;
    }
  }

  /** Forgets the runs under way (their answers will be dropped). */
  cancel() {
    this.serial++;
    this.controller?.abort();
    this.running = false;
  }
}

export type SaveState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; problem: string };

export type PublishState =
  | { kind: 'idle' }
  | { kind: 'publishing' }
  | { kind: 'published'; effectiveFrom: string }
  | { kind: 'failed'; problem: string };

export class WeightsWorkbench {
  status = $state<WorkbenchStatus>('loading');
  problem = $state<string | null>(null);
  /** The administrator edits; a leader views. */
  canEdit = $state(false);
  list = $state.raw<WeightSetList | null>(null);
  catalogue = $state.raw<IndicatorCatalogue | null>(null);
  months = $state.raw<PublishedMonth[]>([]);
  audit = $state.raw<AuditEvent[]>([]);
  auditProblem = $state<string | null>(null);
  timeZone = $state<string | undefined>(undefined);

  /** The set shown (a draft being edited, or any set viewed); null for a new draft not saved yet. */
  openId = $state<number | null>(null);
  /** Whether the form may be edited: a draft, opened by the administrator. */
  editing = $state(false);
  form = $state<DraftForm | null>(null);
  note = $state('');
  /** The weights and name as last saved (or opened), to tell unsaved changes. */
  saved = $state.raw<{ name: string; weights: Weights | null }>({ name: '', weights: null });

  period = $state<Period>('live');
  noise = $state(0.25);
  draws = $state(1000);
  /** Kept from the first answer, so that runs after edits compare like with like. */
  seed = $state<number | null>(null);
  /** An edit waits out the debounce: its runs are due, what is shown is the draft before it. */
  pending = $state(false);
  readonly whatIf = new Run<WhatIfAnswer>();
  readonly sensitivity = new Run<SensitivityAnswer>();

  saveState = $state.raw<SaveState>({ kind: 'idle' });
  publishState = $state.raw<PublishState>({ kind: 'idle' });
  /** What the server said of the last save or publication (400), placed by field. */
  issues = $state.raw<PlacedIssues>(NO_ISSUES);

  private readonly token: string | null;
  private serial = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(token: string | null) {
    this.token = token;
  }

  private get<T>(path: string): Promise<T> {
    return getJson<T>(path, this.token ?? '');
  }

  private send<T>(method: 'POST' | 'PUT', path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return sendJson<T>(method, path, this.token ?? '', body, signal);
  }

  get paths(): string[] {
    return fieldPaths(this.catalogue?.indicators ?? []);
  }

  get inForce(): WeightSetRow | null {
    return this.list?.weightSets.find((set) => set.status === 'in_force') ?? null;
  }

  get openRow(): WeightSetRow | null {
    return this.list?.weightSets.find((set) => set.id === this.openId) ?? null;
  }

  async load(): Promise<void> {
    const serial = ++this.serial;
    if (!this.token) {
      this.status = 'no-token';
      return;
    }
    this.status = 'loading';
    this.problem = null;
    try {
      // The audit trail needs the review permission: a token without it is refused here (403).
      const [list, catalogue, months, audit, regions, session] = await Promise.all([
        this.get<WeightSetList>('/api/weight-sets'),
        this.get<IndicatorCatalogue>('/api/indicators'),
        this.get<{ months: PublishedMonth[] }>('/api/reports/monthly'),
        this.get<{ events: AuditEvent[] }>('/api/weight-sets/audit'),
        this.get<Regions>('/api/streets'),
        this.get<{ permissions: string[] }>('/api/session'),
      ]);
      // Whether this token may edit, or only review (a leader's).
      const canEdit = session.permissions.includes('admin');
      if (serial !== this.serial) return;
      this.list = list;
      this.catalogue = catalogue;
      this.months = months.months;
      this.audit = audit.events;
      this.timeZone = regions.city.timezone;
      this.canEdit = canEdit;
      this.period = months.months[0]?.month ?? 'live';
      const first = this.inForce ?? list.weightSets[0] ?? null;
      if (first) this.open(first);
      this.status = 'ready';
    } catch (error) {
      if (serial !== this.serial) return;
      this.problem = error instanceof Error ? error.message : String(error);
      if (error instanceof ApiFailure && error.kind === 'token') this.status = 'token-refused';
      else if (error instanceof ApiFailure && error.kind === 'forbidden') this.status = 'forbidden';
      else this.status = 'failed';
    }
  }

  /** Shows a set: a draft opened by the administrator is edited, anything else viewed. */
  open(row: WeightSetRow) {
    const indicators = this.catalogue?.indicators ?? [];
    this.form = formFromWeights(row.name, row.weights, indicators);
    this.openId = row.id;
    this.editing = this.canEdit && row.status === 'draft';
    this.note = row.status === 'draft' ? (row.note ?? '') : '';
    this.saved = { name: row.name, weights: row.weights };
    this.saveState = { kind: 'idle' };
    this.publishState = { kind: 'idle' };
    this.issues = NO_ISSUES;
  }

  /** A new draft from the set in force, not saved until asked. */
  startDraft(name: string) {
    const base = this.inForce;
    if (!base || !this.canEdit) return;
    this.form = formFromWeights(name, base.weights, this.catalogue?.indicators ?? []);
    this.openId = null;
    this.editing = true;
    this.note = '';
    this.saved = { name: '', weights: null };
    this.saveState = { kind: 'idle' };
    this.publishState = { kind: 'idle' };
    this.issues = NO_ISSUES;
  }

  /** Whether the draft differs from what is stored (a new draft always does). */
  isDirty(weights: Weights | null): boolean {
    if (!this.editing || !this.form) return false;
    return (
      this.openId === null || this.form.name !== this.saved.name || !sameWeights(weights, this.saved.weights)
    );
  }

  /** Runs the what-if and the sensitivity DEBOUNCE_MS after the last call; nothing while the draft is wrong. */
  schedule(weights: Weights | null) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!weights) {
      this.pending = false;
      this.whatIf.cancel();
      this.sensitivity.cancel();
      return;
    }
    this.pending = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pending = false;
      this.runWhatIf(weights);
      this.runSensitivity(weights);
    }, DEBOUNCE_MS);
  }

  runWhatIf(weights: Weights) {
    const period = this.period;
    void this.whatIf.start(
      (signal) => this.send<WhatIfAnswer>('POST', '/api/weight-sets/what-if', { weights, period }, signal),
      this.paths,
    );
  }

  runSensitivity(weights: Weights) {
    const body = {
      weights,
      period: this.period,
      noise: this.noise,
      draws: this.draws,
      ...(this.seed === null ? {} : { seed: this.seed }),
    };
    void this.sensitivity.start(async (signal) => {
      const answer = await this.send<SensitivityAnswer>('POST', '/api/weight-sets/sensitivity', body, signal);
      this.seed = answer.seed;
      return answer;
    }, this.paths);
  }

  /** New draws: another seed (the server would take its default one again). */
  reseed(weights: Weights | null) {
    this.seed = Math.floor(Math.random() * 2 ** 31);
    if (weights) this.runSensitivity(weights);
  }

  /** Saves the draft: POST the first time (a draft, no date), PUT after. */
  async save(weights: Weights): Promise<void> {
    const form = this.form;
    if (!form || !this.editing) return;
    this.saveState = { kind: 'saving' };
    this.issues = NO_ISSUES;
    const body = { name: form.name.trim(), weights, note: this.note.trim() };
    try {
      const row =
        this.openId === null
          ? await this.send<WeightSetRow>('POST', '/api/weight-sets', { ...body, effectiveFrom: null })
          : await this.send<WeightSetRow>('PUT', `/api/weight-sets/${this.openId}`, body);
      this.openId = row.id;
      this.saved = { name: row.name, weights: row.weights };
      await this.refresh();
      this.saveState = { kind: 'saved' };
    } catch (error) {
      this.fail(error, (problem) => (this.saveState = { kind: 'failed', problem }));
    }
  }

  /** Publishes the saved draft from a date, with the reason. */
  async publish(effectiveFrom: string, reason: string): Promise<void> {
    const id = this.openId;
    if (id === null || !this.editing) return;
    this.publishState = { kind: 'publishing' };
    this.issues = NO_ISSUES;
    try {
      const row = await this.send<WeightSetRow>('POST', `/api/weight-sets/${id}/publish`, {
        effectiveFrom,
        reason: reason.trim(),
      });
      await this.refresh();
      const published = this.list?.weightSets.find((set) => set.id === row.id) ?? row;
      this.open(published);
      this.publishState = { kind: 'published', effectiveFrom: row.effectiveFrom ?? effectiveFrom };
    } catch (error) {
      this.fail(error, (problem) => (this.publishState = { kind: 'failed', problem }));
    }
  }

  /** The sets and the audit trail again, after a change. */
  private async refresh(): Promise<void> {
    const [list, audit] = await Promise.all([
      this.get<WeightSetList>('/api/weight-sets'),
      this.get<{ events: AuditEvent[] }>('/api/weight-sets/audit').then(
        (answer) => ({ events: answer.events, problem: null }),
        (error: unknown) => ({
          events: null,
          problem: error instanceof Error ? error.message : String(error),
        }),
      ),
    ]);
    this.list = list;
    if (audit.events) this.audit = audit.events;
    this.auditProblem = audit.problem;
  }

  private fail(error: unknown, set: (problem: string) => void) {
    const problem = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiRefusal && error.status === 400) {
      this.issues = placeIssues(serverIssues(error.message, error.details), this.paths);
    }
    set(problem);
  }
}
