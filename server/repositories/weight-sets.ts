/** Versioned weight sets and their audit trail. */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Weights } from '../../shared/index/types.js';
import type { Db } from '../db/client.js';
import { weightSetEvents, weightSets } from '../db/schema/index.js';

export interface NewWeightSet {
  name: string;
  effectiveFrom: string | null;
  weights: Weights;
  note?: string | null;
}

export type WeightSetRow = typeof weightSets.$inferSelect;

export class WeightSetRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<WeightSetRow[]> {
    return this.db
      .select()
      .from(weightSets)
      .orderBy(asc(isNull(weightSets.effectiveFrom)), desc(weightSets.effectiveFrom), desc(weightSets.id));
  }

  async get(id: number): Promise<WeightSetRow | null> {
    const [row] = await this.db.select().from(weightSets).where(eq(weightSets.id, id));
    return row ?? null;
  }

  /** Creates a version and records who did it, in one transaction. */
  async create(input: NewWeightSet, actor: string): Promise<WeightSetRow> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(weightSets)
        .values({ ...input, note: input.note ?? null, createdBy: actor })
        .returning();
      await tx.insert(weightSetEvents).values({
        weightSetId: row!.id,
        action: input.effectiveFrom ? 'created' : 'drafted',
        actor,
        detail: { effectiveFrom: input.effectiveFrom, note: input.note ?? null },
      });
      return row!;
    });
  }

  /** Changes a draft. Returns null when the set is missing or already published (never edited then). */
  async editDraft(
    id: number,
    input: Pick<NewWeightSet, 'name' | 'weights' | 'note'>,
    actor: string,
  ): Promise<WeightSetRow | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(weightSets)
        .set({ name: input.name, weights: input.weights, note: input.note ?? null })
        .where(and(eq(weightSets.id, id), isNull(weightSets.effectiveFrom)))
        .returning();
      if (!row) return null;
      await tx
        .insert(weightSetEvents)
        .values({ weightSetId: id, action: 'edited', actor, detail: { note: input.note ?? null } });
      return row;
    });
  }

  /** Gives a draft its effective date. Returns null when the set is missing or already published. */
  async publish(
    id: number,
    effectiveFrom: string,
    actor: string,
    reason: string | null = null,
  ): Promise<WeightSetRow | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(weightSets)
        .set({ effectiveFrom })
        .where(and(eq(weightSets.id, id), isNull(weightSets.effectiveFrom)))
        .returning();
      if (!row) return null;
      await tx
        .insert(weightSetEvents)
        .values({ weightSetId: id, action: 'published', actor, detail: { effectiveFrom, reason } });
      return row;
    });
  }

  /** Every set's trail, newest first: who drafted, changed or published which set, when and why. */
  async audit(limit = 200) {
    return this.db
      .select({
        weightSetId: weightSetEvents.weightSetId,
        name: weightSets.name,
        action: weightSetEvents.action,
        actor: weightSetEvents.actor,
        at: weightSetEvents.at,
        detail: weightSetEvents.detail,
      })
      .from(weightSetEvents)
      .innerJoin(weightSets, eq(weightSets.id, weightSetEvents.weightSetId))
      .orderBy(desc(weightSetEvents.id))
      .limit(limit);
  }

  async history(id: number) {
    return this.db
      .select({
        action: weightSetEvents.action,
        actor: weightSetEvents.actor,
        at: weightSetEvents.at,
        detail: weightSetEvents.detail,
      })
      .from(weightSetEvents)
      .where(eq(weightSetEvents.weightSetId, id))
      .orderBy(asc(weightSetEvents.id));
  }
}
