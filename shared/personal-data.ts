/**
 * Personal data in free text: mainland mobile numbers, landlines, ID numbers (身份证) and e-mail
 * addresses. Feeds are not supposed to send any, but free-text fields and ids of foreign systems
 * sometimes carry them ("张三 13812345678"); what is found here is never stored or shown.
 *
 * Numbers count only when bounded by non-digits (a decimal point followed or preceded by a digit
 * counts as a digit), so a longer run — a case number, a timestamp, an amount — is not taken for
 * one. Full-width digits (１３８…) are read as digits. Names cannot be told from other words by their
 * shape: free-text fields are checked against the configured vocabularies instead (vocabulary.ts).
 */

export type PersonalDataKind = 'mobile' | 'landline' | 'id' | 'email';

export interface PersonalDataMatch {
  kind: PersonalDataKind;
  /** Offsets in the NFKC form of the text (the same as the text's own unless it had full-width characters). */
  start: number;
  end: number;
}

const DATE = String.raw`(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])`;
const NUMBERS = {
  // 18 digits: area (6), birth date YYYYMMDD, sequence (3), check digit (0–9 or X).
  id: String.raw`[1-9]\d{5}(?:18|19|20)\d{2}${DATE}\d{3}[\dXx]|[1-9]\d{7}${DATE}\d{3}`,
  // 1[3-9]x xxxx xxxx, optionally after +86, 0086 or 86, with spaces or dashes between the groups.
  mobile: String.raw`(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}`,
  // An area code 0xx or 0xxx (in brackets or not), then a local number of 7–8 digits.
  landline: String.raw`\(?0\d{2,3}\)?[\s-]?[2-9]\d{6,7}`,
};
type NumberKind = keyof typeof NUMBERS;
const NUMBER_KINDS = Object.keys(NUMBERS) as NumberKind[];
/** Each kind of number, not after a digit (or a digit and a decimal point) and not before one. */
const NUMBER = new RegExp(
  String.raw`(?<!\d[.,]?)(?:${NUMBER_KINDS.map((kind) => `(?<${kind}>${NUMBERS[kind]})`).join('|')})(?![.,]?\d)`,
  'g',
);
/** Only from the start of its local part, so that a long text is not tried from every letter. */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** What each kind is replaced by when masked. */
const MASK: Record<PersonalDataKind, string> = {
  mobile: '[phone number]',
  landline: '[phone number]',
  id: '[ID number]',
  email: '[e-mail address]',
};

/** Every piece of personal data in a text, in order. */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const normal = text.normalize('NFKC');
  const found: PersonalDataMatch[] = [];
  for (const match of normal.matchAll(NUMBER)) {
    const kind = NUMBER_KINDS.find((k) => match.groups?.[k] !== undefined)!;
    found.push({ kind, start: match.index, end: match.index + match[0].length });
  }
  // Most texts have no @: the address pattern is the costly one, so it is not tried on them.
  if (normal.includes('@')) {
    const emails = [...normal.matchAll(EMAIL)].map((match): PersonalDataMatch => ({
      kind: 'email',
      start: match.index,
      end: match.index + match[0].length,
    }));
    // A number inside an address is part of the address.
    const outside = found.filter((n) => !emails.some((e) => n.start < e.end && e.start < n.end));
    return [...outside, ...emails].sort((a, b) => a.start - b.start);
  }
  return found;
}

const HAS_NUMBER = new RegExp(NUMBER.source);
const HAS_EMAIL = new RegExp(EMAIL.source);

/** Whether a text holds a phone number, an ID number or an e-mail address. */
export function containsPersonalData(text: string): boolean {
  const normal = text.normalize('NFKC');
  return HAS_NUMBER.test(normal) || (normal.includes('@') && HAS_EMAIL.test(normal));
}

/**
 * The text with each piece of personal data replaced by what it was (`[phone number]`); a text
 * without any is returned as it is.
 */
export function maskPersonalData(text: string): string {
  const found = findPersonalData(text);
  if (found.length === 0) return text;
  const normal = text.normalize('NFKC');
  let masked = '';
  let from = 0;
  for (const { kind, start, end } of found) {
    masked += normal.slice(from, start) + MASK[kind];
    from = end;
  }
  return masked + normal.slice(from);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * A JSON-like value with personal data masked in every string, and every whole number that reads
 * as a phone or ID number replaced by its mask: for records kept so that a person can see them.
 */
export function scrubPersonalData<T>(value: T): T {
  if (typeof value === 'string') return maskPersonalData(value) as T;
  if (typeof value === 'number' && Number.isInteger(value)) {
    const text = String(value);
    return (containsPersonalData(text) ? maskPersonalData(text) : value) as T;
  }
  if (Array.isArray(value)) return value.map(scrubPersonalData) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubPersonalData(item)])) as T;
}
