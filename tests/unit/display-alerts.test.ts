import { describe, expect, it } from 'vitest';
import {
  addNotification,
  ALERTS_PANEL,
  alertAgeSeconds,
  alertLines,
  alertPlace,
  alertRowLines,
  alertsOfStreet,
  alertTitle,
  arrivals,
  currentToasts,
  feedRowsBesides,
  fitAlerts,
  isFlashing,
  isMuted,
  muteAlerts,
  muteMinutesLeft,
  parseMute,
  placeFits,
  wallOrder,
  whyLine,
  withoutPlace,
  type ReceivedNotification,
} from '../../display/src/lib/alerts.js';
import type { OperatorAlert } from '../../display/src/lib/feed-health.js';
import { messages } from '../../display/src/lib/i18n.js';
import { FEEDS } from '../../shared/feeds/index.js';
import { ago, alert, NOW } from '../support/live-alerts.js';

const feedRow = (feed: OperatorAlert['feed']): OperatorAlert => ({
  key: `feed:${feed}`,
  feed,
  level: 'stale',
  sinceSuccessSeconds: 600,
});

const streetNames = new Map([['jinfang', { zh: '金方', en: 'Jinfang' }]]);
const feedNames = messages('zh').feedNames;

describe('what an alert row says', () => {
  it('names the street, and the feed for an operators’ alert, in the wall’s language', () => {
    expect(alertPlace(alert('a'), streetNames, feedNames, 'zh')).toBe('金方');
    expect(alertPlace(alert('a'), streetNames, feedNames, 'en')).toBe('Jinfang');
    expect(alertPlace(alert('b', { street: null, feed: 'fraud' }), streetNames, feedNames, 'zh')).toBe(
      '反诈',
    );
    // A street the page has no name for shows its code, never a blank.
    expect(alertPlace(alert('c', { street: 'xinqu' }), streetNames, feedNames, 'zh')).toBe('xinqu');
  });

  it('drops the place from the title when the row already names it, at either end', () => {
    expect(withoutPlace('金方街道发生抢劫警情', '金方')).toBe('发生抢劫警情');
    expect(withoutPlace('金方街道平安指数下降 3.5 分', '金方街道')).toBe('平安指数下降 3.5 分');
    expect(withoutPlace('Jinfang: 3 months in a row graded Poor', 'Jinfang')).toBe(
      '3 months in a row graded Poor',
    );
    expect(withoutPlace('Robbery reported in Jinfang', 'Jinfang')).toBe('Robbery reported');
    expect(withoutPlace('Robbery reported in Jinfangxi', 'Jinfang')).toBe('Robbery reported in Jinfangxi');
    // Nothing would be left: the title stays whole.
    expect(withoutPlace('金方', '金方')).toBe('金方');
    expect(withoutPlace(' in Jinfang', 'Jinfang')).toBe(' in Jinfang');
  });

  it('takes the title and the why from the body, falling back to the other language, never blank', () => {
    expect(alertTitle(alert('a'), 'en')).toBe('Robbery reported in Jinfang');
    expect(whyLine(alert('a'), 'zh')).toBe('类别: 抢劫 · 社区: 金方社区 · 时间: 11月25日 14:00');
    const onlyChinese = alert('b', {
      text: { zh: { title: '金方街道排名末位', body: '排名第 9/9\n\n' }, en: { title: ' ', body: '' } },
    });
    expect(alertTitle(onlyChinese, 'en')).toBe('金方街道排名末位');
    expect(alertLines(onlyChinese, 'en')).toEqual(['排名第 9/9']);
    const empty = alert('c', { text: { zh: { title: '', body: '' }, en: { title: '', body: '' } } });
    expect(alertTitle(empty, 'zh')).toBe('—');
    expect(whyLine(empty, 'zh')).toBeNull();
  });

  it('counts the age from when the alert fired, or opened when it has not fired', () => {
    expect(alertAgeSeconds(alert('a'), NOW)).toBe(300);
    expect(alertAgeSeconds(alert('b', { firedAt: null, openedAt: ago(2) }), NOW)).toBe(120);
    // A clock a little behind the server reads 0, not a negative age; a broken time reads unknown.
    expect(alertAgeSeconds(alert('c', { firedAt: new Date(NOW + 2000).toISOString() }), NOW)).toBe(0);
    expect(alertAgeSeconds(alert('d', { firedAt: 'not a time' }), NOW)).toBeNull();
  });

  it('lists firing before acknowledged, critical before warning, newest first; a street its own only', () => {
    const alerts = [
      alert('acked', { status: 'acknowledged', firedAt: ago(1) }),
      alert('old-warning', { severity: 'warning', firedAt: ago(30) }),
      alert('old-critical', { firedAt: ago(20) }),
      alert('new-critical', { firedAt: ago(2) }),
      alert('other', { street: 'lianran', firedAt: ago(1) }),
    ];
    expect(wallOrder(alerts).map((a) => a.id)).toEqual([
      'other',
      'new-critical',
      'old-critical',
      'old-warning',
      'acked',
    ]);
    expect(alertsOfStreet(alerts, 'jinfang').map((a) => a.id)).toEqual([
      'new-critical',
      'old-critical',
      'old-warning',
      'acked',
    ]);
  });

  it('lists a stale feed once: its rule alert replaces the wall’s own stale-feed row', () => {
    const rows = [feedRow('fraud'), feedRow('incident')];
    const staleFraud = alert('f', { rule: 'feedStale', street: null, feed: 'fraud' });
    expect(feedRowsBesides(rows, [staleFraud]).map((row) => row.feed)).toEqual(['incident']);
    expect(feedRowsBesides(rows, [alert('a')]).map((row) => row.feed)).toEqual(['fraud', 'incident']);
  });
});

describe('the alerts panel on the 1920×1080 canvas', () => {
  it("fits a street's name in the place box at 16 px or says it does not, for its short name to stand in", () => {
    expect(placeFits('金方')).toBe(true);
    expect(placeFits('太平新城')).toBe(true);
    expect(placeFits('Jinfang')).toBe(true);
    expect(placeFits('Taiping New Town')).toBe(false);
    expect(placeFits('Taiping')).toBe(true);
  });
  const alerts = (n: number) => Array.from({ length: n }, (_, i) => alert(`a${i}`));
  /** A stand-in for the canvas: 10 px a character at 20 px, in proportion at other sizes. */
  const measure = (text: string, font: string) => [...text].length * (Number(/(\d+)px/.exec(font)![1]) / 2);
  const row = (change: Partial<Parameters<typeof alertRowLines>[0]> = {}) => ({
    tag: '严重',
    place: '金方',
    title: '发生抢劫警情',
    age: '5 分钟前',
    sub: '类别: 抢劫 · 社区: 金方社区',
    acknowledged: false,
    ...change,
  });
  const { titleLine, subLine, rowPadding, alertRow } = ALERTS_PANEL;

  it('shows everything that fits, and says how many more there are when not', () => {
    expect(fitAlerts([], alerts(3))).toMatchObject({ hidden: 0 });
    expect(fitAlerts([], alerts(3)).alerts).toHaveLength(3);
    const crowded = fitAlerts([feedRow('fraud')], alerts(61));
    expect(crowded.feeds).toHaveLength(1);
    expect(crowded.alerts.map((a) => a.id)).toEqual(['a0', 'a1']);
    expect(crowded.hidden).toBe(59);
  });

  it('keeps a short title and a why on one line each', () => {
    expect(alertRowLines(row(), measure)).toEqual([{ title: 1, sub: 1, height: alertRow }]);
  });

  it('wraps a title that does not fit beside the severity, place and age onto two lines, not cut', () => {
    const title = 'Safety Index down 5.5 points';
    const [lines] = alertRowLines(
      row({ tag: 'Critical', place: 'Jinfang', title, age: '12 min ago' }),
      measure,
    );
    expect(lines).toEqual({ title: 2, sub: 1, height: rowPadding + 2 * titleLine + subLine });
    // The why stays one line, however long.
    expect(alertRowLines(row({ sub: '因'.repeat(200) }), measure)).toHaveLength(1);
  });

  it('wraps who acknowledged and their comment onto two lines, or one when that is all there is room for', () => {
    const sub = `✓ 金方街道负责人 19:19 ${'已派民警到场处置，嫌疑人已被控制，'.repeat(3)}`;
    const choices = alertRowLines(row({ sub, acknowledged: true }), measure);
    expect(choices).toEqual([
      { title: 1, sub: 2, height: rowPadding + titleLine + 2 * subLine },
      { title: 1, sub: 1, height: alertRow },
    ]);
  });

  it('lists rows at their full height, one that would not fit at its smaller height, then “+N more”', () => {
    const full = { title: 1, sub: 2, height: rowPadding + titleLine + 2 * subLine };
    const compact = { title: 1, sub: 1, height: alertRow };
    const both = () => [full, compact];
    // A feed row (28) and a full row (66) leave 66 px: not enough for another full row, enough for a compact one.
    const two = fitAlerts([feedRow('fraud')], alerts(2), ALERTS_PANEL.body, both);
    expect(two).toMatchObject({ lines: [full, compact], hidden: 0 });
    // With one more alert, “+N more” takes the room of the compact row.
    const three = fitAlerts([feedRow('fraud')], alerts(3), ALERTS_PANEL.body, both);
    expect(three).toMatchObject({ lines: [full], hidden: 2 });
    const asked: number[] = [];
    fitAlerts([], alerts(10), ALERTS_PANEL.body, (_, i) => (asked.push(i), [full]));
    // In order, and not past the first that does not fit (the panel works each row out lazily).
    expect(Math.max(...asked)).toBe(2);
  });

  it('never lists more rows than the panel’s body holds, whatever the mix of heights', () => {
    const { feedRow: feedHeight, moreRow, gap, body } = ALERTS_PANEL;
    const heights = [
      [{ title: 1, sub: 1, height: alertRow }],
      [
        { title: 2, sub: 2, height: rowPadding + 2 * titleLine + 2 * subLine },
        { title: 2, sub: 1, height: rowPadding + 2 * titleLine + subLine },
      ],
      [
        { title: 1, sub: 2, height: rowPadding + titleLine + 2 * subLine },
        { title: 1, sub: 1, height: alertRow },
      ],
    ];
    for (let feeds = 0; feeds <= FEEDS.length; feeds++)
      for (let rules = 0; rules <= 8; rules++)
        for (let mix = 0; mix < 3; mix++) {
          const layout = fitAlerts(
            FEEDS.slice(0, feeds).map(feedRow),
            alerts(rules),
            body,
            (_, i) => heights[(i + mix) % heights.length]!,
          );
          const rows = [
            ...layout.feeds.map(() => feedHeight),
            ...layout.lines.map((lines) => lines.height),
            ...(layout.hidden > 0 ? [moreRow] : []),
          ];
          expect(layout.lines).toHaveLength(layout.alerts.length);
          const used = rows.reduce((sum, h) => sum + h, 0) + gap * Math.max(0, rows.length - 1);
          expect(used).toBeLessThanOrEqual(body);
          expect(layout.feeds.length + layout.alerts.length + layout.hidden).toBe(feeds + rules);
        }
  });
});

describe('muting the wall', () => {
  const firing = alert('fire-1');
  const acked = alert('acked', { status: 'acknowledged' });

  it('stops the flashing of the alerts present for ten minutes, then they flash again', () => {
    expect(isFlashing(firing, null, NOW)).toBe(true);
    expect(isFlashing(acked, null, NOW)).toBe(false);
    const mute = muteAlerts([firing, acked], NOW);
    expect(mute.alerts).toEqual(['fire-1|critical']);
    expect(isFlashing(firing, mute, NOW + 60_000)).toBe(false);
    expect(muteMinutesLeft(mute, NOW + 60_000)).toBe(9);
    expect(muteMinutesLeft(mute, NOW + 9 * 60_000 + 59_000)).toBe(1);
    expect(isFlashing(firing, mute, NOW + 10 * 60_000)).toBe(true);
    expect(muteMinutesLeft(mute, NOW + 10 * 60_000)).toBe(0);
  });

  it('lets a new alert flash, and one whose severity rose since', () => {
    const mute = muteAlerts([alert('warn', { severity: 'warning' })], NOW);
    expect(isFlashing(alert('new'), mute, NOW)).toBe(true);
    expect(isMuted(alert('warn', { severity: 'warning' }), mute, NOW)).toBe(true);
    expect(isFlashing(alert('warn', { severity: 'critical' }), mute, NOW)).toBe(true);
  });

  it('reads back a stored mute, and ignores anything else in storage', () => {
    const mute = muteAlerts([firing], NOW);
    expect(parseMute(JSON.stringify(mute))).toEqual(mute);
    for (const stored of [null, '', 'on', '{"until":"soon","alerts":[]}', '{"until":1,"alerts":[1]}', '[]'])
      expect(parseMute(stored)).toBeNull();
  });

  it('sounds for a firing alert not seen before and not muted, only once', () => {
    const seen = ['fire-1|critical'];
    const next = [firing, alert('fire-2'), alert('acked-2', { status: 'acknowledged' })];
    expect(arrivals(next, seen, null, NOW).map((a) => a.id)).toEqual(['fire-2']);
    expect(arrivals(next, [...seen, 'fire-2|critical'], null, NOW)).toEqual([]);
    expect(arrivals([alert('fire-3')], [], muteAlerts([alert('fire-3')], NOW), NOW)).toEqual([]);
  });
});

describe('notifications on the street page', () => {
  const notification = (key: string, receivedAt: number): ReceivedNotification => ({
    idempotencyKey: key,
    alertId: 'a',
    street: 'jinfang',
    severity: 'critical',
    kind: 'fire',
    title: { zh: '金方街道发生抢劫警情', en: 'Robbery reported in Jinfang' },
    body: { zh: '类别: 抢劫', en: 'Category: robbery' },
    at: new Date(receivedAt).toISOString(),
    receivedAt,
  });

  it('shows each one once, briefly, newest first, until dismissed', () => {
    let list: ReceivedNotification[] = [];
    list = addNotification(list, notification('k1', NOW - 20_000));
    list = addNotification(list, notification('k2', NOW - 2_000));
    list = addNotification(list, notification('k2', NOW - 1_000));
    expect(list.map((n) => n.idempotencyKey)).toEqual(['k2', 'k1']);
    expect(currentToasts(list, NOW).map((n) => n.idempotencyKey)).toEqual(['k2']);
    expect(currentToasts(list, NOW, new Set(['k2']))).toEqual([]);
    expect(currentToasts(list, NOW + 10_000)).toEqual([]);
  });
});
