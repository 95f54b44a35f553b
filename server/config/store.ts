/**
 * The city configuration the server runs with, kept in the database and changed without a restart.
 *
 * The file provisions it (as Grafana's and Prometheus's files do): at start, a file whose text has
 * changed since it last seeded the store becomes the newest version; an unchanged file leaves the
 * stored configuration — with the administrators' changes — in force. A changed file is read again
 * on SIGHUP or `POST /api/admin/reload`; an administrator changes one section at a time
 * (`PUT /api/admin/config/:section`). Every version is validated by the file's own schema and
 * stored with who made it and why.
 *
 * Every part of the server holds the one `CityConfig` object this store owns; a new version replaces
 * its sections in place, all at once (no await between), then `config.changed` tells the parts that
 * derive something from it (the live index, the pollers) to derive it again. Other nodes hear the
 * event through the adapter and read the version from the database.
 *
 * What the running parts cannot take up live — the city itself (code, time zone), the set of street
 * codes, each indicator's id, block, source and measure — is refused until a restart, which then
 * takes the file as it is.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { CityConfig } from '../../shared/city.js';
import { FEEDS } from '../../shared/feeds/index.js';
import type { EventSink } from '../events.js';
import { feedRequestSetup } from '../feeds/request-setup.js';
import type {
  CityConfigRepository,
  ConfigSource,
  ConfigVersionSummary,
} from '../repositories/city-config.js';
import { parseCityConfig } from './city.js';
import { ConfigError } from './env.js';
import { readJsonFile } from './json-file.js';
import { restoreFeedSecrets } from './redact.js';

/** The sections an administrator edits one at a time; the rest come from the file only. */
export const EDITABLE_SECTIONS = [
  'streets',
  'indicators',
  'alerts',
  'feeds',
  'surveys',
  'vocabulary',
  'screens',
] as const;
export type EditableSection = (typeof EDITABLE_SECTIONS)[number];

type Section = keyof CityConfig;
const SECTIONS = [
  'city',
  'streets',
  'vocabulary',
  'indicators',
  'grades',
  'weights',
  'alerts',
  'surveys',
  'screens',
  'feeds',
] as const satisfies readonly Section[];

/** A configuration refused: each problem a key path and its reason (`streets.2.population: …`). */
export class ConfigRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** How the file last read stands: in force, or refused with its problems (the running one kept). */
export interface FileStatus {
  path: string | null;
  status: 'ok' | 'refused';
  problems: string[];
  checkedAt: Date | null;
}

export interface CityConfigStoreDeps {
  repository: CityConfigRepository;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  events: EventSink;
  /** The configuration file; null when the server was given its configuration directly (tests). */
  file: string | null;
  /** Reads `env:NAME` references of the feeds, to refuse a change whose secret is not there. */
  env?: Record<string, string | undefined>;
  secretPrefix?: string;
}

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The sections whose content differs between two configurations. */
export function changedSections(before: CityConfig, after: CityConfig): Section[] {
  return SECTIONS.filter((section) => !isDeepStrictEqual(before[section], after[section]));
}

/**
 * What a new configuration changes that the running server cannot take up without a restart, each
 * said with its key path; [] when all of it applies live.
 */
export function needsRestart(running: CityConfig, next: CityConfig): string[] {
  const problems: string[] = [];
  if (!isDeepStrictEqual(running.city, next.city))
    problems.push('city: the city itself (code, names, time zone) changes only with a restart');
  const before = running.streets.map((street) => street.code);
  const after = next.streets.map((street) => street.code);
  const added = after.filter((code) => !before.includes(code));
  const removed = before.filter((code) => !after.includes(code));
  if (added.length > 0 || removed.length > 0)
    problems.push(
      `streets: adding or removing a street (${[...added.map((c) => `+${c}`), ...removed.map((c) => `−${c}`)].join(', ')}) takes a restart, with the file saying so`,
    );
  const shape = (config: CityConfig) =>
    new Map(config.indicators.map((i) => [i.id, `${i.block}/${i.source}/${i.measure}`]));
  const was = shape(running);
  const is = shape(next);
  for (const [id, kind] of is)
    if (was.get(id) !== kind)
      problems.push(
        `indicators.${next.indicators.findIndex((i) => i.id === id)}: ${was.has(id) ? `indicator ${id} changes its block, source or measure` : `indicator ${id} is new`}; that takes a restart`,
      );
  for (const id of was.keys())
    if (!is.has(id)) problems.push(`indicators: indicator ${id} is removed; that takes a restart`);
  return problems;
}

export class CityConfigStore {
  /** The running configuration: every part holds this object, replaced section by section in place. */
  readonly city: CityConfig;
  private version!: ConfigVersionSummary;
  private file: FileStatus;
  /** One change at a time on this node (the table lock orders them between nodes). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly deps: CityConfigStoreDeps,
    city: CityConfig,
  ) {
    this.city = city;
    this.file = { path: deps.file, status: 'ok', problems: [], checkedAt: null };
  }

  /**
   * The store, seeded: the given configuration (read from the file, or a test's) becomes the newest
   * version unless the same text seeded it before, in which case the stored newest is in force.
   */
  static async open(
    deps: CityConfigStoreDeps,
    given: CityConfig,
    givenText?: string,
  ): Promise<CityConfigStore> {
    const hash = hashOf(givenText ?? JSON.stringify(given));
    const [latest, fromFile] = await Promise.all([
      deps.repository.latest(),
      deps.repository.latestFromFile(),
    ]);
    const store = new CityConfigStore(deps, structuredClone(given));
    store.file.checkedAt = new Date();
    if (latest && fromFile?.fileHash === hash) {
      const stored = store.parseStored(latest.config, latest.id);
      if (stored && needsRestart(given, stored).length === 0) {
        store.replace(stored);
        store.version = summaryOf(latest);
        return store;
      }
    }
    const row = await deps.repository.append(
      (before) => ({
        config: given,
        sections: before ? changedSections(before.config, given) : [...SECTIONS],
      }),
      {
        source: 'file',
        actor: 'configuration file',
        reason: latest ? 'the file changed since it was last read' : 'first start',
        fileHash: hash,
      },
    );
    store.version = summaryOf(row!);
    return store;
  }

  /** The version in force. */
  current(): ConfigVersionSummary {
    return this.version;
  }

  fileStatus(): FileStatus {
    return { ...this.file, problems: [...this.file.problems] };
  }

  versions(limit: number): Promise<ConfigVersionSummary[]> {
    return this.deps.repository.list(limit);
  }

  /**
   * An administrator's change of one section: validated as the file is (key paths from the root),
   * stored, applied here and said to the other nodes.
   *
   * @throws ConfigRefused naming each problem; nothing is stored or changed then
   */
  change(section: EditableSection, value: unknown, actor: string, reason: string) {
    return this.serially(async () => {
      const row = await this.deps.repository.append(
        (latest) => {
          const base = latest?.config ?? this.city;
          const sent = section === 'feeds' ? restoreFeedSecrets(value, base.feeds) : value;
          const next = this.validate({ ...base, [section]: sent });
          const sections = changedSections(base, next);
          return sections.length === 0 ? null : { config: next, sections };
        },
        { source: 'admin', actor, reason, fileHash: null },
      );
      if (!row) return { changed: false, version: this.version };
      await this.apply(row.config, summaryOf(row));
      this.deps.logger.info(
        { version: row.id, sections: row.sections, by: actor, reason },
        'configuration changed',
      );
      return { changed: true, version: this.version };
    });
  }

  /**
   * Reads the file again; a changed, valid file becomes the newest version and applies live. An
   * invalid one is refused with its problems, kept in `fileStatus` (for /api/health) until a good
   * file is read; the running configuration stays.
   *
   * @throws ConfigRefused when the file cannot be read, is invalid or needs a restart
   */
  reload(actor: string) {
    return this.serially(async () => {
      const path = this.deps.file;
      if (path === null)
        throw new ConfigRefused([
          '(file): this server was given its configuration directly, not from a file; nothing to reload',
        ]);
      const checkedAt = new Date();
      try {
        const { json, text } = await readJsonFile(path).catch((error: unknown) => {
          throw error instanceof ConfigError
            ? new ConfigRefused(error.problems.map((p) => `(file): ${p}`))
            : error;
        });
        const next = this.validate(json);
        const hash = hashOf(text);
        const row = await this.deps.repository.append(
          (latest) => {
            const base = latest?.config ?? this.city;
            const sections = changedSections(base, next);
            return sections.length === 0 ? null : { config: next, sections };
          },
          { source: 'reload', actor, reason: `${path} read again`, fileHash: hash },
        );
        this.file = { path, status: 'ok', problems: [], checkedAt };
        if (!row) return { changed: false, version: this.version };
        await this.apply(row.config, summaryOf(row));
        this.deps.logger.info(
          { version: row.id, sections: row.sections, by: actor },
          'configuration file reloaded',
        );
        return { changed: true, version: this.version };
      } catch (error) {
        if (error instanceof ConfigRefused) {
          this.file = { path, status: 'refused', problems: error.problems, checkedAt };
          this.deps.logger.warn(
            { problems: error.problems, by: actor },
            'configuration file refused; the running one is kept',
          );
        }
        throw error;
      }
    });
  }

  /** Another node stored a version: read it and apply it here (nothing when this node has it). */
  follow(versionId: number): Promise<void> {
    // Checked first: on the node that stored it, this runs while `change` still awaits its event.
    if (versionId <= this.version.id) return Promise.resolve();
    return this.serially(async () => {
      if (versionId <= this.version.id) return;
      const row = await this.deps.repository.get(versionId);
      if (!row) return;
      const config = this.parseStored(row.config, row.id);
      if (!config) return;
      // Heard from another node: the event that said so reaches this node's parts after this.
      this.replace(config);
      this.version = summaryOf(row);
    });
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /** The file's schema, then what only a running server checks: live-applicable, feeds' secrets present. */
  private validate(json: unknown): CityConfig {
    let next: CityConfig;
    try {
      next = parseCityConfig(json);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigRefused(error.problems);
      throw error;
    }
    const problems = needsRestart(this.city, next);
    for (const feed of FEEDS) {
      if (isDeepStrictEqual(next.feeds[feed], this.city.feeds[feed])) continue;
      try {
        void feedRequestSetup(
          feed,
          next.feeds[feed],
          this.deps.env ?? process.env,
          this.deps.secretPrefix,
        ).close();
      } catch (error) {
        if (error instanceof ConfigError) problems.push(...error.problems);
        else throw error;
      }
    }
    if (problems.length > 0) throw new ConfigRefused(problems);
    return next;
  }

  /** A stored version as this code reads it; null (and a log line) when it no longer validates. */
  private parseStored(config: CityConfig, id: number): CityConfig | null {
    try {
      return parseCityConfig(config, `stored configuration version ${id}`);
    } catch (error) {
      this.deps.logger.error(
        { err: error, version: id },
        'a stored configuration no longer validates; it is not applied',
      );
      return null;
    }
  }

  /** Replaces the running sections at once, then tells whoever derives from them. */
  private async apply(next: CityConfig, version: ConfigVersionSummary): Promise<void> {
    this.replace(next);
    this.version = version;
    await this.deps.events.emit('config.changed', { version: version.id, sections: version.sections });
  }

  private replace(next: CityConfig): void {
    for (const section of SECTIONS) (this.city as Record<Section, unknown>)[section] = next[section];
  }
}

function summaryOf(row: ConfigVersionSummary & { source: string }): ConfigVersionSummary {
  return {
    id: row.id,
    source: row.source as ConfigSource,
    sections: row.sections,
    actor: row.actor,
    reason: row.reason,
    at: row.at,
  };
}
