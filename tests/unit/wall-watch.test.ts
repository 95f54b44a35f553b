/** The wall watch's pure parts: a screen's state, the heartbeat, the reload window, and how a wall heals. */
import { describe, expect, it } from 'vitest';
import { buildChanged, mayReload, RELOAD_QUIET_MS, StuckCheck } from '../../display/src/lib/self-heal.js';
import { heartbeatMs } from '../../server/live/hello.js';
import { PublishedSeqs } from '../../server/live/published-seqs.js';
import { alertRulesSchema } from '../../shared/alerts/index.js';
import { heartbeatSchema } from '../../shared/live.js';
import { intoWindow, scheduledReloadDue, screensSchema, screenState } from '../../shared/screens.js';

const T0 = Date.parse('2026-11-25T02:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);
const iso = (minute: number) => at(minute).toISOString();
const issues = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe("a screen's state", () => {
  const report = (seen: number, painted: number | null = seen, lag: number | null = null, beat = seen) => ({
    lastSeenAt: iso(seen),
    beatAt: iso(beat),
    paintedAt: painted === null ? null : iso(painted),
    lagSince: lag === null ? null : iso(lag),
  });

  it('is ok while it beats, paints and keeps up; dark once silent past the minutes', () => {
    expect(screenState(report(9), at(10), 5, at(0)).state).toBe('ok');
    expect(screenState(report(4), at(10), 5, at(0))).toEqual({ state: 'dark', reason: null, forMinutes: 6 });
  });

  it('is frozen when, at its last beat, it had not painted or had lagged past the minutes', () => {
    expect(screenState(report(10, 3), at(10), 5, at(0))).toEqual({
      state: 'frozen',
      reason: 'paint',
      forMinutes: 7,
    });
    expect(screenState(report(10, 10, 4), at(10), 5, at(0))).toEqual({
      state: 'frozen',
      reason: 'seq',
      forMinutes: 6,
    });
    // Painting and lag are counted to the last beat: a wall closed at minute 1 goes dark, not frozen.
    expect(screenState(report(1, 0, null, 0), at(7), 5, at(0)).state).toBe('dark');
  });

  it('is never seen without a report, counting its silence from the server start', () => {
    expect(screenState(null, at(3), 5, at(0))).toEqual({ state: 'never-seen', reason: null, forMinutes: 3 });
  });
});

describe('the heartbeat', () => {
  it('takes a screen, the seq applied and how long ago the page painted; older pages send the screen alone', () => {
    expect(heartbeatSchema.parse({ screen: '  command-main ', seq: 17, paintedMsAgo: 250.5 })).toEqual({
      screen: 'command-main',
      seq: 17,
      paintedMsAgo: 250.5,
    });
    expect(heartbeatSchema.parse({ screen: 'lobby' })).toEqual({ screen: 'lobby' });
  });

  it('refuses what is not one, naming the field', () => {
    expect(issues(heartbeatSchema.safeParse({ screen: '', seq: -1, paintedMsAgo: 'soon' }))).toEqual([
      'screen: is required',
      'seq: must be 0 or more',
      'paintedMsAgo: expected a number',
    ]);
    expect(issues(heartbeatSchema.safeParse({ screen: 'x'.repeat(101), seq: 1.5 }))).toEqual([
      'screen: must be at most 100 characters',
      'seq: must be a whole number',
    ]);
    expect(issues(heartbeatSchema.safeParse({ screen: 'a', extra: 1 }))[0]).toMatch(/extra/);
    expect(heartbeatSchema.safeParse(null).success).toBe(false);
  });

  it('comes five times within the rule’s minutes, every 30 s at most and every second at least', () => {
    const every = (minutes: number) =>
      heartbeatMs({ alerts: alertRulesSchema.parse({ wallDown: { minutes } }) });
    expect([every(5), every(2), every(0.25), every(0.01)]).toEqual([30_000, 24_000, 3_000, 1_000]);
  });
});

describe('the deltas a node sent', () => {
  it('say since when a wall that applied a seq has lagged, and that one at the newest is up to date', () => {
    const sent = new PublishedSeqs(4);
    for (const [seq, minute] of [
      [100, 0],
      [200, 1],
      [300, 2],
    ] as const)
      sent.add(seq, at(minute));
    expect(sent.current()).toBe(300);
    expect(sent.lagSince(100)).toEqual(at(1));
    expect(sent.lagSince(250)).toEqual(at(2));
    expect(sent.lagSince(300)).toBeNull();
    expect(sent.lagSince(999)).toBeNull();
    expect(sent.lagSince(1)).toEqual(at(0));
  });

  it('keep the newest when they are many, and a wall older than all of them lags since the oldest kept', () => {
    const sent = new PublishedSeqs(2);
    for (let i = 1; i <= 10; i++) sent.add(i, at(i));
    expect(sent.current()).toBe(10);
    expect(sent.lagSince(0)!.getTime()).toBeGreaterThanOrEqual(at(7).getTime());
    expect(sent.lagSince(9)).toEqual(at(10));
  });
});

describe('the screens section', () => {
  it('has defaults, and refuses a screen named twice and a reload window of no length', () => {
    expect(screensSchema.parse({})).toEqual({
      walls: [],
      reloadAfterHours: 24,
      reloadWindow: { start: '03:00', end: '05:00' },
    });
    const screen = { name: 'lobby', location: { zh: '大厅', en: 'Lobby' } };
    expect(
      issues(
        screensSchema.safeParse({ walls: [screen, screen], reloadWindow: { start: '04:00', end: '04:00' } }),
      ),
    ).toEqual([
      'reloadWindow.end: must differ from start: a window of no length (or of a whole day) is ambiguous',
      'walls.1.name: screen lobby appears twice',
    ]);
    expect(issues(screensSchema.safeParse({ reloadAfterHours: 0 }))).toEqual([
      'reloadAfterHours: must be more than 0 (or null: never)',
    ]);
  });
});

describe('the scheduled reload', () => {
  const zone = 'Asia/Shanghai';
  // 03:10 and 12:00 in Anning.
  const night = Date.parse('2026-11-24T19:10:00Z');
  const noon = Date.parse('2026-11-25T04:00:00Z');
  const settings = { reloadAfterHours: 24, reloadWindow: { start: '03:00', end: '05:00' } } as const;
  const day = 24 * 3_600_000;

  it('is due once the wall has been up its hours, inside the city’s window, past its own offset', () => {
    expect(scheduledReloadDue(day, night, zone, settings)).toBe(true);
    expect(scheduledReloadDue(day - 1, night, zone, settings)).toBe(false);
    expect(scheduledReloadDue(2 * day, noon, zone, settings)).toBe(false);
    expect(scheduledReloadDue(day, night, zone, settings, 30)).toBe(false);
    expect(scheduledReloadDue(day, night, zone, { ...settings, reloadAfterHours: null })).toBe(false);
  });

  it('reads windows over midnight', () => {
    const window = { start: '23:30', end: '00:30' };
    expect(intoWindow(Date.parse('2026-11-24T16:10:00Z'), zone, window)).toBe(40);
    expect(intoWindow(Date.parse('2026-11-24T16:40:00Z'), zone, window)).toBeNull();
  });
});

describe('a wall healing itself', () => {
  const build = (server: string, display: string | null) => ({ server, display });

  it('reloads for a display build not its own, or a server version not the one it first heard', () => {
    expect(buildChanged('b1', null, build('0.1.0', 'b1'))).toBe(false);
    expect(buildChanged('b1', null, build('0.1.0', 'b2'))).toBe(true);
    expect(buildChanged('b1', build('0.1.0', 'b1'), build('0.1.1', 'b1'))).toBe(true);
    // In development the page is no build: only the server's version counts.
    expect(buildChanged(null, build('0.1.0', 'b1'), build('0.1.0', 'b2'))).toBe(false);
  });

  it('does not reload twice for the same reason within a few minutes', () => {
    const now = 1_000_000_000;
    expect(mayReload('build', null, now)).toBe(true);
    expect(mayReload('build', { reason: 'build', at: now - 1000 }, now)).toBe(false);
    expect(mayReload('stuck', { reason: 'build', at: now - 1000 }, now)).toBe(true);
    expect(mayReload('build', { reason: 'build', at: now - RELOAD_QUIET_MS }, now)).toBe(true);
  });

  it('resyncs when behind at two answers with nothing applied between, then reloads if that did not help', () => {
    const check = new StuckCheck();
    expect(check.observe(10, 12)).toBe('ok'); // a delta in flight
    expect(check.observe(12, 14)).toBe('ok'); // it moved on
    expect(check.observe(12, 15)).toBe('resync');
    expect(check.observe(12, 16)).toBe('reload');
    expect(check.observe(16, 16)).toBe('ok');
    expect(check.observe(16, 17)).toBe('ok');
    expect(check.observe(null, 20)).toBe('ok');
  });
});
