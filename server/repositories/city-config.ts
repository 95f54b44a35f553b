/** The stored versions of the city configuration (config_versions): the newest is in force. */
import { desc, eq, sql } from 'drizzle-orm';
import type { CityConfig } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { cityConfigVersions } from '../db/schema/index.js';

export type ConfigSource = 'file' | 'reload' | 'admin';

export type ConfigVersionRow = typeof cityConfigVersions.$inferSelect;

/** A version as the API lists it: everything but the configuration itself. */
export type ConfigVersionSummary = Omit<ConfigVersionRow, 'config' | 'fileHash'>;

export interface NewConfigVersion {
  source: ConfigSource;
  actor: string;
  reason: string;
  fileHash: string | null;
}

const summary = {
  id: cityConfigVersions.id,
  source: cityConfigVersions.source,
  sections: cityConfigVersions.sections,
  actor: cityConfigVersions.actor,
  reason: cityConfigVersions.reason,
  at: cityConfigVersions.at,
};

export class CityConfigRepository {
  constructor(private readonly db: Db) {}

  async latest(): Promise<ConfigVersionRow | null> {
    const [row] = await this.db
      .select()
      .from(cityConfigVersions)
      .orderBy(desc(cityConfigVersions.id))
      .limit(1);
    return row ?? null;
  }

  async get(id: number): Promise<ConfigVersionRow | null> {
    const [row] = await this.db.select().from(cityConfigVersions).where(eq(cityConfigVersions.id, id));
    return row ?? null;
  }

  /** The newest version read from a file, whose hash says whether the file has changed since. */
  async latestFromFile(): Promise<Pick<ConfigVersionRow, 'id' | 'fileHash'> | null> {
    const [row] = await this.db
      .select({ id: cityConfigVersions.id, fileHash: cityConfigVersions.fileHash })
      .from(cityConfigVersions)
      .where(sql`${cityConfigVersions.fileHash} is not null`)
      .orderBy(desc(cityConfigVersions.id))
      .limit(1);
    return row ?? null;
  }

  async list(limit: number): Promise<ConfigVersionSummary[]> {
    return this.db.select(summary).from(cityConfigVersions).orderBy(desc(cityConfigVersions.id)).limit(limit);
  }

  /**
   * Stores the configuration `change` makes of the newest stored one, writers one at a time (the
   * table is locked for the transaction), so that two administrators, on one node or two, never
   * store a version made from a stale one. `change` returns null when there is nothing to store.
   */
  async append(
    change: (latest: ConfigVersionRow | null) => { config: CityConfig; sections: string[] } | null,
    version: NewConfigVersion,
  ): Promise<ConfigVersionRow | null> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`lock table ${cityConfigVersions} in share row exclusive mode`);
      const [latest] = await tx
        .select()
        .from(cityConfigVersions)
        .orderBy(desc(cityConfigVersions.id))
        .limit(1);
      const next = change(latest ?? null);
      if (!next) return null;
      const [row] = await tx
        .insert(cityConfigVersions)
        .values({ ...version, config: next.config, sections: next.sections })
        .returning();
      return row!;
    });
  }
}
