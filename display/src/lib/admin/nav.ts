/**
 * The admin pages' links: every one keeps the page's `?token` and `?lang` (and nothing else), so
 * that a section, the weights workbench or the other language opens with the same token.
 */
import type { Lang } from '../i18n.js';
import type { Section } from './i18n.js';

/** `?token=…&lang=en&section=…`: the query of a link from `search`, with what is changed. */
export function adminQuery(
  search: string | URLSearchParams,
  change: { section?: Section | null; lang?: Lang } = {},
): string {
  const from = new URLSearchParams(search);
  const query = new URLSearchParams();
  const token = from.get('token');
  if (token !== null) query.set('token', token);
  const lang = change.lang ?? (from.get('lang') === 'en' ? 'en' : 'zh');
  if (lang === 'en') query.set('lang', 'en');
  const section = change.section === undefined ? from.get('section') : change.section;
  if (section) query.set('section', section);
  const text = query.toString();
  return text ? `?${text}` : '';
}
