/**
 * The words of a notification as each medium shows them: a headline with severity and kind, the
 * body lines, and the link to acknowledge. Channels choose the layout (markdown, plain, HTML, SMS);
 * the wording lives here once.
 */
import type { Lang, Notification } from './channel.js';

type Language = 'zh' | 'en';

const SEVERITY: Record<Notification['severity'], Record<Language, string>> = {
  info: { zh: '提示', en: 'Info' },
  warning: { zh: '预警', en: 'Warning' },
  critical: { zh: '严重', en: 'Critical' },
};

const KIND: Record<Notification['kind'], Record<Language, string | null>> = {
  fire: { zh: null, en: null },
  repeat: { zh: '再次提醒', en: 'Reminder' },
  // 升级: nobody acknowledged in time, so this copy goes to the leaders.
  escalate: { zh: '升级', en: 'Escalated' },
  resolve: { zh: '已恢复', en: 'Resolved' },
};

export const severityLabel = (n: Notification, lang: Language): string => SEVERITY[n.severity][lang];
export const kindLabel = (n: Notification, lang: Language): string => KIND[n.kind][lang] ?? '';

export const languages = (lang: Lang): Language[] => (lang === 'both' ? ['zh', 'en'] : [lang]);

/** "【严重·升级】金方街道平安指数下降 6.2 分" / "[Critical · Escalated] Jinfang Safety Index down 6.2 points". */
export function headline(notification: Notification, lang: Language): string {
  const kind = KIND[notification.kind][lang];
  const tags = notification.kind === 'resolve' ? [kind] : [SEVERITY[notification.severity][lang], kind];
  const tag = tags.filter((t): t is string => t !== null);
  const title = notification.title[lang];
  return lang === 'zh' ? `【${tag.join('·')}】${title}` : `[${tag.join(' · ')}] ${title}`;
}

/** What the link does: acknowledge a firing alert, look at a resolved one. */
export function ackLabel(notification: Notification, lang: Language): string {
  if (notification.kind === 'resolve') return lang === 'zh' ? '查看详情' : 'View details';
  return lang === 'zh' ? '确认处置' : 'Acknowledge';
}

export const bodyLines = (notification: Notification, lang: Language): string[] =>
  notification.body[lang].split('\n').filter((line) => line.trim() !== '');

/** Cuts at `max` characters (code points, so a Chinese character is never split), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Cuts to `maxBytes` of UTF-8 (WeCom counts bytes), on a character boundary. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = Buffer.byteLength('…');
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return `${out}…`;
}

/** A size limit of a medium: WeCom counts UTF-8 bytes, DingTalk and SMS count characters. */
export interface SizeLimit {
  max: number;
  unit: 'bytes' | 'chars';
}

const sizeOf = (text: string, unit: SizeLimit['unit']) =>
  unit === 'bytes' ? Buffer.byteLength(text) : [...text].length;

/** `text` then `tail`, cutting `text` so that the tail (the ack link) always survives the limit. */
export function fitBefore(text: string, tail: string, limit?: SizeLimit): string {
  if (!limit || sizeOf(text + tail, limit.unit) <= limit.max) return text + tail;
  const room = Math.max(0, limit.max - sizeOf(tail, limit.unit));
  return (limit.unit === 'bytes' ? truncateBytes(text, room) : truncate(text, room)) + tail;
}

/** Robot markdown: per language the headline as a heading and the body; the ack link last. */
export function markdown(notification: Notification, lang: Lang, limit?: SizeLimit): string {
  const sections = languages(lang).map((language) =>
    // Blank lines between lines: DingTalk's markdown drops single line breaks.
    [`### ${headline(notification, language)}`, ...bodyLines(notification, language)].join('\n\n'),
  );
  const labels = languages(lang).map((language) => ackLabel(notification, language));
  const link = notification.ackUrl ? `\n\n[${labels.join(' / ')}](${notification.ackUrl})` : '';
  return fitBefore(sections.join('\n\n---\n\n'), link, limit);
}

/** Plain text (email, logs): headline, body, link, per language. */
export function plainText(notification: Notification, lang: Lang): string {
  return languages(lang)
    .map((language) =>
      [
        headline(notification, language),
        '',
        ...bodyLines(notification, language),
        ...(notification.ackUrl ? ['', `${ackLabel(notification, language)}: ${notification.ackUrl}`] : []),
      ].join('\n'),
    )
    .join('\n\n——\n\n');
}
