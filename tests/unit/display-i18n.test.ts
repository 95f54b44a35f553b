import { describe, expect, it } from 'vitest';
import { ackMessages } from '../../display/src/lib/ack-i18n.js';
import { briefingWords } from '../../display/src/lib/briefing/i18n.js';
import { messages, type Lang } from '../../display/src/lib/i18n.js';
import { i18nOf } from '../../display/src/lib/i18n-context.js';

describe('the language and words the components read from context', () => {
  it('follow the language when it changes, the wall, acknowledgement and briefing words alike', () => {
    let lang: Lang = 'zh';
    const i18n = i18nOf(() => lang);
    expect([i18n.lang, i18n.t.title, i18n.ack.pageTitle, i18n.w.title]).toEqual([
      'zh',
      messages('zh').title,
      ackMessages('zh').pageTitle,
      briefingWords('zh').title,
    ]);
    lang = 'en';
    expect([i18n.lang, i18n.t.title, i18n.ack.pageTitle, i18n.w.title]).toEqual([
      'en',
      messages('en').title,
      ackMessages('en').pageTitle,
      briefingWords('en').title,
    ]);
    expect(i18n.t.title).not.toBe(messages('zh').title);
  });
});
