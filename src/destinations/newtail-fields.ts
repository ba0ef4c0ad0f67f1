import { clean, isPlaceholder } from '../normalize/text.js';
import type { NormalizeContext } from '../normalize/types.js';

/**
 * Newtail-only field rules (seed 000), as pure functions with the Normalizer contract: a string is
 * the value to write, `''` is empty, `null` is present but invalid.
 */

const WHITESPACE_RUN = /\s+/g;
const ITEM_SEPARATOR = ';';
const TREE_SEPARATOR = '>';

function listItems(value: string): string[] | undefined {
  const s = clean(value);
  if (isPlaceholder(s)) return undefined;
  const items: string[] = [];
  for (const raw of s.split(ITEM_SEPARATOR)) {
    const item = raw.trim().replace(WHITESPACE_RUN, ' ');
    if (item !== '') items.push(item);
  }
  return items;
}

/**
 * AUDIENCES and NBO_PRODUCTS: a `;`-separated list passed through with each item trimmed and
 * empty items dropped (` a ; b ;; ` → `a;b`). Case is kept: SKUs and audience names are the
 * advertiser's own identifiers.
 */
export function normalizeNewtailList(value: string, _ctx?: NormalizeContext): string {
  const items = listItems(value);
  return items === undefined ? '' : items.join(ITEM_SEPARATOR);
}

/**
 * NBO_CATEGORIES: a `;`-separated list whose items may be trees joined by ` > `; each level is
 * trimmed and the separator written as the document shows it (`Books>Gastronomy` →
 * `Books > Gastronomy`). Empty items and empty levels are dropped.
 */
export function normalizeNewtailCategories(value: string, _ctx?: NormalizeContext): string {
  const items = listItems(value);
  if (items === undefined) return '';
  const out: string[] = [];
  for (const item of items) {
    const levels = item.includes(TREE_SEPARATOR)
      ? item
          .split(TREE_SEPARATOR)
          .map((level) => level.trim())
          .filter((level) => level !== '')
      : [item];
    if (levels.length) out.push(levels.join(' > '));
  }
  return out.join(ITEM_SEPARATOR);
}

/**
 * STATE, CITY, NEIGHBORHOOD: sent unhashed as the customer's own words, so only tidied: NFC,
 * trimmed, inner runs of whitespace made one space. Placeholders (`n/a`, `-`…) are empty.
 */
export function normalizeNewtailText(value: string, _ctx?: NormalizeContext): string {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  return s.replace(WHITESPACE_RUN, ' ');
}

/**
 * AGE from the row's fields: its `age` when valid, else its age at the run's date from
 * `birth_date`. Invalid (null) only when something was given and nothing valid came of it.
 */
export function deriveNewtailAge(
  fields: Readonly<Record<string, string>>,
  ctx: NormalizeContext,
  fromAge: (value: string, ctx: NormalizeContext) => string | null,
  fromBirthDate: (value: string, ctx: NormalizeContext) => string | null,
): string | null {
  let invalid = false;
  const age = fields.age;
  if (age !== undefined && age !== '') {
    const value = fromAge(age, ctx);
    if (value) return value;
    if (value === null) invalid = true;
  }
  const birthDate = fields.birth_date;
  if (birthDate !== undefined && birthDate !== '') {
    const value = fromBirthDate(birthDate, ctx);
    if (value) return value;
    if (value === null) invalid = true;
  }
  return invalid ? null : '';
}
