/**
 * The page's language and its words, given to every component through Svelte context rather than
 * handed down as props through each level. The root layout sets it from `?lang`; a component reads
 * `getI18n()` while it initialises and takes what it shows in `$derived`, so that a change of
 * language re-renders it.
 */
import { createContext } from 'svelte';
import { ackMessages, type AckMessages } from './ack-i18n.js';
import { briefingWords, type BriefingWords } from './briefing/i18n.js';
import { messages, type Lang, type Messages } from './i18n.js';

export interface I18n {
  readonly lang: Lang;
  /** The wall's words (the street page's too). */
  readonly t: Messages;
  /** The words of an alert and its acknowledgement: the street page, the acknowledgement page. */
  readonly ack: AckMessages;
  /** The briefing's and the monthly report's words. */
  readonly w: BriefingWords;
}

/** The words of the language `lang()` says, read through getters: they follow it when it changes. */
export function i18nOf(lang: () => Lang): I18n {
  return {
    get lang() {
      return lang();
    },
    get t() {
      return messages(lang());
    },
    get ack() {
      return ackMessages(lang());
    },
    get w() {
      return briefingWords(lang());
    },
  };
}

const [getI18n, setI18nContext] = createContext<I18n>();

/** The language and words the root layout set; it throws outside the layout (a component test must set them). */
export { getI18n };

/** Gives the components below the language `lang()` says, and its words. */
export function setI18n(lang: () => Lang): I18n {
  return setI18nContext(i18nOf(lang));
}
