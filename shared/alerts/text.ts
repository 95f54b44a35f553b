/**
 * The text of an alert: a title and body lines, in each of the wall's two languages. A leaf that
 * imports nothing of the alerting code, so the API payloads and the live protocol can name it
 * without importing the rules.
 */

export type Lang = 'zh' | 'en';

export interface Message {
  title: string;
  /** Lines separated by "\n". */
  body: string;
}

export type AlertText = Record<Lang, Message>;
