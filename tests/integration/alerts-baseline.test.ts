/**
 * The baseline the index-drop rule measures a street against, read from recorded snapshots on PGlite
 * and PostgreSQL: the last day left out, each earlier day's mean counting once however densely the
 * day was recorded, provisional snapshots ignored, and nothing without three days of history.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBaselines } from '../../server/alerts/inputs.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import { SnapshotRepository } from '../../server/repositories/snapshots.js';
import { alertRulesSchema } from '../../shared/alerts/index.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

const NOW = new Date('2026-11-25T02:00:00Z');
const HOUR = 3_600_000;
const rules = alertRulesSchema.parse({});

describe.each(databaseTargets)('the index-drop baseline on $name', (target) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let snapshots: SnapshotRepository;

  beforeEach(async () => {
    testDatabase = await target.create();
    database = await openDatabase({ url: testDatabase.url, pgliteImage: testDatabase.pgliteImage });
    await database.migrate();
    snapshots = new SnapshotRepository(database.db);
  });
  afterEach(async () => {
    await database.close();
    await testDatabase.drop();
  });

  /** Records 金方's index at `hoursBack` hours before now, as the live index or a day's recording. */
  const record = (
    hoursBack: number,
    index: number,
    provisional = false,
    kind: 'live' | 'recorded' = 'live',
  ) =>
    snapshots[kind === 'live' ? 'record' : 'replaceRecorded'](
      new Date(NOW.getTime() - hoursBack * HOUR),
      {
        city: index,
        streets: [
          {
            code: 'jinfang',
            index,
            grade: null,
            rank: 1,
            provisional,
            blocks: { positive: index, negative: index, public: index },
            indicators: [],
          },
        ],
      },
      1,
    );
  /** The history a first start records: one snapshot a day, at the same hour. */
  const daily = async (index: number, days = 30) => {
    for (let day = 1; day <= days; day++) await record(day * 24 - 6, index);
  };
  /** A live server's recording: every 5 minutes from `fromHours` to `toHours` back. */
  const dense = async (fromHours: number, toHours: number, index: number) => {
    for (let minutes = fromHours * 60; minutes > toHours * 60; minutes -= 5)
      await record(minutes / 60, index);
  };
  const baseline = async () => (await readBaselines(database.db, NOW, ['jinfang'], rules)).jinfang;

  it('leaves out the last day, so a drop that stays down is still measured against the days before it', async () => {
    await daily(86);
    await dense(20, 0, 82);
    expect(await baseline()).toBeCloseTo(86, 9);
  });

  it('counts each earlier day once, however many snapshots a live server recorded on it', async () => {
    await daily(86, 8);
    // 36 to 30 hours back, every five minutes: 72 snapshots in one day against one a day elsewhere.
    await dense(36, 30, 80);
    // Seven days of 86, one of them averaged with 80s: that day's mean is 80·72/73 + 86/73.
    const mixedDay = (80 * 72 + 86) / 73;
    expect(await baseline()).toBeCloseTo((6 * 86 + mixedDay) / 7, 9);
  });

  it("takes a day's recording, where it has one, for that whole day", async () => {
    await daily(86, 8);
    // A live server showed 80 all of one day; that day recorded again later holds 88.
    await dense(36, 30, 80);
    await record(33, 88, false, 'recorded');
    expect(await baseline()).toBeCloseTo((6 * 86 + 88) / 7, 9);
  });

  it('looks back the configured number of days and no further', async () => {
    await daily(70, 30);
    await daily(86, 8);
    // Each of the 7 days before the last holds a 70 and an 86; the days before them are out of the window.
    expect(await baseline()).toBeCloseTo(78, 9);
  });

  it('ignores provisional snapshots, and has no baseline with fewer than three days of history', async () => {
    await record(30, 86);
    await record(54, 86);
    await record(78, 40, true);
    expect(await baseline()).toBeNull();
    await record(78, 86);
    expect(await baseline()).toBeCloseTo(86, 9);
  });
});
