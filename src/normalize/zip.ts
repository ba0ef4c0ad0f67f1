import { clean, isPlaceholder, unlessPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

/** Countries that use US ZIP codes: the US, its territories and the freely associated states. */
const US_ZIP_COUNTRIES: ReadonlySet<string> = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP', 'UM', 'FM', 'MH', 'PW']);
/** UK-format postcodes: the UK and the Crown Dependencies. */
const UK_POSTCODE_COUNTRIES: ReadonlySet<string> = new Set(['GB', 'GG', 'JE', 'IM']);

/** 3–5 digits, then an optional +4, separated or not (`123456789` reads as `12345`+`6789`). */
const US_ZIP = /^(\d{3,5})(?:[\s-]*(\d{4}))?$/;
const US_SHORT_ZIP = /^\d{3,4}(?=$|[\s-])/;
/** Outward code, sector digit, unit letters; the unit may be missing (a value already cut to the sector). */
const UK_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?|GIR)\s*(\d)([A-Z]{2})?$/;
const WHITESPACE = /\s+/g;
const WHITESPACE_RUN = /\s+/g;
const META_ZIP = /^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/;
const POSTAL_CODE = /^[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?$/;

function isUsZipCountry(country: string | undefined): boolean {
  return country !== undefined && US_ZIP_COUNTRIES.has(country);
}

/**
 * `[zip5, plus4]` of a US ZIP, with the leading zeros a spreadsheet dropped put back (`2134` →
 * `02134`, `21341234` → `02134`+`1234`), or `null`.
 */
function usZip(s: string): [string, string | undefined] | null {
  const m = US_ZIP.exec(s);
  return m === null ? null : [m[1]!.padStart(5, '0'), m[2]];
}

/** SPEC section 3: a US row's ZIP that lost its leading zeros in a spreadsheet (`2134`) gets them back (`02134`); anything else is only trimmed. */
export function padUsZip(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  if (!isUsZipCountry(ctx.country)) return s;
  const short = US_SHORT_ZIP.exec(s);
  return short === null ? s : `${short[0].padStart(5, '0')}${s.slice(short[0].length)}`;
}

/**
 * Meta ZIP: lowercase, no spaces. US: the first 5 digits (`94035-1234` → `94035`, `2134` → `02134`);
 * UK: area, district and sector (`SW1A 1AA` → `sw1a1`); elsewhere the code as written.
 */
export function zipMeta(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  if (isUsZipCountry(ctx.country)) return usZip(s)?.[0] ?? null;
  if (ctx.country !== undefined && UK_POSTCODE_COUNTRIES.has(ctx.country)) {
    const m = UK_POSTCODE.exec(s.toUpperCase());
    return m === null ? null : `${m[1]}${m[2]}`.toLowerCase();
  }
  const compact = s.replace(WHITESPACE, '').toLowerCase();
  return META_ZIP.test(compact) ? unlessPlaceholder(compact) : null;
}

/** Layouts the national postal services write, for codes often stored without their separator. */
const WRITTEN_LAYOUTS: Readonly<Record<string, { pattern: RegExp; write: (m: RegExpExecArray) => string }>> = {
  CA: { pattern: /^([A-Z]\d[A-Z])\s*-?\s*(\d[A-Z]\d)$/, write: (m) => `${m[1]} ${m[2]}` },
  NL: { pattern: /^(\d{4})\s*([A-Z]{2})$/, write: (m) => `${m[1]} ${m[2]}` },
  BR: { pattern: /^(\d{1,2})\.?(\d{3})[\s-]*(\d{3})$/, write: (m) => `${m[1]!.padStart(2, '0')}${m[2]}-${m[3]}` },
  JP: { pattern: /^(\d{3})[\s-]*(\d{4})$/, write: (m) => `${m[1]}-${m[2]}` },
  PL: { pattern: /^(\d{2})[\s-]*(\d{3})$/, write: (m) => `${m[1]}-${m[2]}` },
  PT: { pattern: /^(\d{4})[\s-]*(\d{3})$/, write: (m) => `${m[1]}-${m[2]}` },
};

/**
 * Google postal_code, not hashed. US: 5 digits or ZIP+4 `12345-6789` (`123456789` → `12345-6789`,
 * lost zeros put back). Elsewhere Google wants no extension, and outside the US no code has one:
 * a suffix such as BR's `-100` in `01310-100` is part of the code, so it stays. The code is written
 * as its postal service writes it: upper case, and the usual separator (`SW1A 1AA`, `K1A 0B1`).
 */
export function postalCodeGoogle(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const country = ctx.country;
  if (isUsZipCountry(country)) {
    const zip = usZip(s);
    return zip === null ? null : zip[1] === undefined ? zip[0] : `${zip[0]}-${zip[1]}`;
  }
  const upper = s.toUpperCase().replace(WHITESPACE_RUN, ' ');
  if (country !== undefined && UK_POSTCODE_COUNTRIES.has(country)) {
    const m = UK_POSTCODE.exec(upper);
    if (m === null) return null;
    return m[3] === undefined ? `${m[1]} ${m[2]}` : `${m[1]} ${m[2]}${m[3]}`;
  }
  const layout = country === undefined ? undefined : WRITTEN_LAYOUTS[country];
  if (layout !== undefined) {
    const m = layout.pattern.exec(upper);
    return m === null ? null : layout.write(m);
  }
  return POSTAL_CODE.test(upper) ? unlessPlaceholder(upper) : null;
}

const CEP = /^(\d{1,2})\.?(\d{3})[\s-]*(\d{3})$/;

/**
 * Newtail CEP. The Newtail document shows no CEP layout, so this writes the 8 digits alone
 * (`01310-100` → `01310100`): the form Correios and Brazilian CEP services use as a key, which joins
 * without ambiguity. Accepts `01310-100`, `01.310-100`, `01310100`, and `1310100` (a spreadsheet
 * dropped the leading zero). A non-Brazilian row's code is kept, upper case without spaces.
 */
export function normalizeCep(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  if (ctx.country !== undefined && ctx.country !== 'BR') {
    const compact = s.replace(WHITESPACE, '').toUpperCase();
    return POSTAL_CODE.test(compact) ? unlessPlaceholder(compact) : null;
  }
  const m = CEP.exec(s);
  return m === null ? null : `${m[1]!.padStart(2, '0')}${m[2]}${m[3]}`;
}
