/** Alerts as the live channel carries them, at a fixed time: what the display's unit tests are given. */
import type { LiveAlert } from '../../shared/live.js';

export const NOW = Date.parse('2026-11-25T06:00:00.000Z');
export const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** A robbery in 金方 that fired five minutes before NOW, with `change` applied. */
export const alert = (id: string, change: Partial<LiveAlert> = {}): LiveAlert => ({
  id,
  rule: 'zeroTolerance',
  street: 'jinfang',
  feed: null,
  screen: null,
  status: 'firing',
  severity: 'critical',
  text: {
    zh: { title: '金方街道发生抢劫警情', body: '类别: 抢劫\n社区: 金方社区\n时间: 11月25日 14:00' },
    en: {
      title: 'Robbery reported in Jinfang',
      body: 'Category: robbery\nCommunity: Jinfang\nTime: 25 Nov 14:00',
    },
  },
  openedAt: ago(5),
  firedAt: ago(5),
  acknowledgement: null,
  ...change,
});
