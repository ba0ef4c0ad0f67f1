import { CA_PROVINCES, US_STATES } from './state-data.js';
import { clean, foldDiacritics, isPlaceholder, unlessPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

const NOT_ALPHANUMERIC = /[^a-z0-9]+/g;

/** Lowercase, diacritics folded, letters and digits only: `Québec`, `QUEBEC` and `que-bec` meet. */
function stateKey(s: string): string {
  return foldDiacritics(s).toLowerCase().replace(NOT_ALPHANUMERIC, '');
}

/** Key → lowercase code, from the code itself, its ISO 3166-2 form (`US-NY`) and each name. */
function codeTable(country: 'us' | 'ca', rows: readonly (readonly [string, ...string[]])[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const [code, ...names] of rows) {
    const lower = code.toLowerCase();
    for (const key of [lower, `${country}${lower}`, ...names.map(stateKey)]) table.set(key, lower);
  }
  return table;
}

const US_TABLE = codeTable('us', US_STATES);
const CA_TABLE = codeTable('ca', CA_PROVINCES);
const NORTH_AMERICA_TABLE = new Map([...US_TABLE, ...CA_TABLE]);
/** Rows of these countries name a US state or territory; a territory's own rows may give itself as state. */
const US_STATE_COUNTRIES: ReadonlySet<string> = new Set(['US', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM']);

function tableFor(country: string | undefined): ReadonlyMap<string, string> | undefined {
  if (country === undefined) return NORTH_AMERICA_TABLE;
  if (US_STATE_COUNTRIES.has(country)) return US_TABLE;
  return country === 'CA' ? CA_TABLE : undefined;
}

/**
 * Meta ST. A US state or territory, or a Canadian province, by name or code → its 2-letter code in
 * lower case (`New York` → `ny`, `Québec` → `qc`); `null` for a US or Canadian row whose state is
 * neither. Elsewhere lowercase without punctuation, spaces or accents (`Bavaria` → `bavaria`). With
 * no country, US and Canadian names are recognised and anything else is kept that way.
 */
export function stateMeta(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const key = stateKey(s);
  if (key.length === 0) return null;
  const table = tableFor(ctx.country);
  const code = table?.get(key);
  if (code !== undefined) return code;
  return ctx.country === undefined || table === undefined ? unlessPlaceholder(key) : null;
}
