import fc from 'fast-check';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { seeded } from '../../benchmarks/generate.js';
import { usePlanShortcuts } from '../../src/normalize/phone-plan.js';
import { isE164, normalizePhoneE164, normalizePhoneMeta, toE164, toE164Reference } from '../../src/normalize/phone.js';
import { makeContext } from '../../src/normalize/types.js';
import type { NormalizeContext } from '../../src/normalize/types.js';

/*
 * phone.ts answers most numbers through a fast path, and phone-plan.ts through memos and joined
 * patterns. Both must give exactly what the full reading gives: these tests compare them with
 * toE164Reference run on phone-plan without its shortcuts, the code as it was before either.
 */

const TODAY = { year: 2025, month: 6, day: 15 };
const NAMED = ['US', 'CA', 'BR', 'GB', 'DE', 'AU', 'SG', 'IN', 'FR', 'MX'];
const COUNTRIES = getCountries();

/** The full reading, with phone-plan asking every question the long way. */
function reference(value: string, country: string | undefined, strict: boolean): string | null {
  usePlanShortcuts(false);
  try {
    return toE164Reference(value, country, strict);
  } finally {
    usePlanShortcuts(true);
  }
}

function context(country: string | undefined, strict: boolean): NormalizeContext {
  return makeContext({ country, today: TODAY, phoneMode: strict ? 'strict' : 'lenient' });
}

/** The three public readings of `value` agree with the reference. */
function expectSame(value: string, country: string | undefined, strict: boolean): void {
  const expected = reference(value, country, strict);
  const ctx = context(country, strict);
  const where = `${JSON.stringify(value)} in ${country} (${ctx.phoneMode})`;
  expect(toE164(value, country, strict), where).toBe(expected);
  expect(normalizePhoneE164(value, ctx), where).toBe(expected);
  expect(normalizePhoneMeta(value, ctx), where).toBe(expected ? expected.slice(1) : expected);
}

/** A mobile example of the country: its calling code and national number. */
function example(country: string): { cc: string; nsn: string } {
  const number = getExampleNumber(country as CountryCode, examples)!;
  return { cc: number.countryCallingCode, nsn: number.nationalNumber };
}

/** A national number written one of the usual ways: with or without trunk prefix, calling code, `+`, `00`, spaces. */
function written(cc: string, nsn: string, form: number): string {
  const half = nsn.length >> 1;
  const spaced = `${nsn.slice(0, half)} ${nsn.slice(half)}`;
  const forms = [
    nsn, `0${nsn}`, `1${nsn}`, `8${nsn}`, `${cc}${nsn}`, `${cc}0${nsn}`, `+${cc}${nsn}`, `+${cc} ${spaced}`,
    `+${cc} (0)${spaced}`, `00${cc} ${spaced}`, `011${cc}${nsn}`, `(0${nsn.slice(0, 2)}) ${nsn.slice(2)}`, `0${spaced}`, `${cc} ${spaced}`,
  ];
  return forms[form % forms.length]!;
}

// Generators of written phone numbers.
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
const areaCode = fc.oneof(digits(3, 3), fc.constantFrom('201', '212', '416', '506', '787', '876', '268', '441', '800', '900', '555'));
const nanp = fc.tuple(areaCode, digits(3, 3), digits(4, 4), fc.nat(11)).map(([a, e, l, form]) =>
  [`(${a}) ${e}-${l}`, `${a}-${e}-${l}`, `${a}.${e}.${l}`, `+1 ${a} ${e} ${l}`, `1${a}${e}${l}`, `+1${a}${e}${l}`,
    `1-${a}-${e}-${l}`, `${a}${e}${l}`, `1 (${a}) ${e}-${l}`, `001${a}${e}${l}`, `${e}-${l}`, `+1 (${a}) ${e}-${l}`][form]!,
);
const fromExamples = fc
  .tuple(fc.constantFrom(...COUNTRIES), fc.nat(6), digits(0, 6), fc.nat(13), fc.constantFrom(-1, 0, 0, 0, 1))
  .map(([country, keep, tail, form, lengthChange]) => {
    const { cc, nsn } = example(country);
    // Keep the example's leading digits (its valid ranges), vary the rest, its length now and then.
    const varied = (nsn.slice(0, keep) + tail + nsn.slice(keep + tail.length)).slice(0, nsn.length + lengthChange);
    return written(cc, lengthChange > 0 ? `${varied}7` : varied, form);
  });
/** Too long for E.164 once the calling code is on: read in their country, some still make a number. */
const long = fc.tuple(fc.constantFrom(...COUNTRIES), digits(11, 17), fc.nat(13)).map(([country, d, form]) => written(example(country).cc, d, form));
const e164Like = fc.tuple(fc.constantFrom('+', '+', '00', '011', ''), digits(1, 16)).map(([plus, d]) => `${plus}${d}`);
const token = fc.oneof(digits(1, 6), fc.constantFrom(' ', '-', '.', '(', ')', '/', '+', '00', '(0)', '  ', ',', '+1', '\t'));
const tokens = fc.array(token, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
const phone = fc.oneof(nanp, fromExamples, long, e164Like, tokens);
const extension = fc
  .tuple(phone, fc.constantFrom(' ext. 12', ' x123', '#5', ' ramal 12', ', ext 7', ';ext=3', ' extension 99', ' X 1', 'x'))
  .map(([p, ext]) => p + ext);
const placeholder = fc.constantFrom('', ' ', 'null', 'N/A', '-', '--', '0', '00', '000', '(blank)', 'unknown', '.', '?', '+', '+0', '()', ' - ', 'n/a');
const repeated = fc
  .tuple(fc.nat(9), fc.integer({ min: 1, max: 22 }), fc.constantFrom('', '+', '00', '(', '+1 ', '1', '0'))
  .map(([d, n, before]) => `${before}${String(d).repeat(n)}`);
const fullwidth = phone.map((p) => p.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace('+', '＋'));
const padded = fc.tuple(fc.constantFrom('', ' ', '  ', '\t', '\u00a0'), phone, fc.constantFrom('', ' ', '\n', '\u00a0')).map(([a, p, b]) => a + p + b);
const anyInput = fc.oneof(phone, phone, extension, placeholder, repeated, fullwidth, padded, fc.string(), fc.string({ unit: 'binary' }));

const country = fc.oneof(fc.constantFrom<string | undefined>(...NAMED, undefined, 'XX'), fc.constantFrom<string | undefined>(...COUNTRIES));
const mode = fc.boolean();

describe('the fast path gives the full reading of every input', () => {
  it.each([
    ['NANP written forms', nanp],
    ['example numbers of every country, written in the usual ways', fromExamples],
    ['long numbers of every country', long],
    ['E.164 and international digits', e164Like],
    ['random digits and punctuation', tokens],
    ['extensions', extension],
    ['placeholders', placeholder],
    ['one repeated digit', repeated],
    ['fullwidth digits', fullwidth],
    ['padding', padded],
    ['any string', fc.string()],
    ['any Unicode string', fc.string({ unit: 'binary' })],
  ] as const)('%s', (_name, input) => {
    fc.assert(
      fc.property(input as fc.Arbitrary<string>, country, mode, (value, c, strict) => expectSame(value, c, strict)),
      { numRuns: 3000 },
    );
  });

  it('the SPEC and test vectors, in every named country and mode', () => {
    const values = ['(800)555-0100', '1 (123) 456-7890', '(02) 1234 5678', '65 1243 5678', '+44 (0)20 7946 0958', '212 555-1234',
      '0044 20 7946 0958', '+1 (555) 987-6543', '15559876543', '12112341234', '+12112341234', '442079460958', '5511912345678',
      '911112341234', '+66 0 0900 1234', '00 1111111111', '+80012345678', '011 44 20 7946 0958', '1-800-FLOWERS'];
    for (const value of values) {
      for (const c of [...NAMED, undefined, 'XX']) {
        expectSame(value, c, false);
        expectSame(value, c, true);
      }
    }
  });
});

describe('isE164', () => {
  it('answers as /^\+[1-9]\d{1,14}$/ does', () => {
    const e164Like = fc.tuple(fc.constantFrom('+', '', '-', '++'), fc.stringMatching(/^[0-9]{0,17}[a-z ]?$/)).map(([a, b]) => a + b);
    fc.assert(
      fc.property(fc.oneof(e164Like, fc.string()), (s) => {
        expect(isE164(s), JSON.stringify(s)).toBe(/^\+[1-9]\d{1,14}$/.test(s));
      }),
      { numRuns: 5000 },
    );
    for (const s of ['+0123', '+12', '+1', '+123456789012345', '+1234567890123456', '+1a']) expect(isE164(s), s).toBe(/^\+[1-9]\d{1,14}$/.test(s));
  });
});

describe('the shortcuts, where they stop', () => {
  // Digits that start with the calling code, read in a country whose trunk prefix is another:
  // Åland's national reading (+358 35869312) is valid where the international one is not, so
  // lenient mode does not take `+digits` as the NANP's `1…` does.
  it.each([
    ['35869312', 'AX'],
    ['35841229', 'AX'],
    ['15559876543', 'US'],
    ['12015550123', 'CA'],
    ['18765550123', 'JM'],
  ])('%s in %s', (value, country) => {
    expectSame(value, country, false);
    expectSame(value, country, true);
  });
});

describe('idempotence, where phone.test.ts states it', () => {
  const contexts = [undefined, 'US', 'GB', 'BR', 'SG'].map((c) => context(c, false)).concat([undefined, 'US', 'DE'].map((c) => context(c, true)));

  it('normalizePhoneE164 of its own output is the same, in every context', () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...contexts), (value, ctx) => {
        const once = normalizePhoneE164(value, ctx);
        if (once) expect(normalizePhoneE164(once, ctx)).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });

  it('normalizePhoneMeta of its own output is the same, without a country', () => {
    fc.assert(
      fc.property(anyInput, mode, (value, strict) => {
        const ctx = context(undefined, strict);
        const once = normalizePhoneMeta(value, ctx);
        if (once) expect(normalizePhoneMeta(once, ctx)).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });
});

/*
 * A deterministic sweep: 200,000 numbers per family of countries, from a seeded generator, each in
 * the family's countries (now and then in none or in another), alternately lenient and strict.
 */
interface Family {
  name: string;
  countries: readonly string[];
  write: (random: () => number, country: string) => string;
}

function randomDigits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
  return s;
}

function writeNanp(random: () => number): string {
  const first = random() < 0.8 ? 2 + Math.floor(random() * 8) : Math.floor(random() * 10);
  const area = `${first}${randomDigits(random, 2)}`;
  const exchange = randomDigits(random, 3);
  const line = randomDigits(random, 4);
  const forms = [`(${area}) ${exchange}-${line}`, `${area}-${exchange}-${line}`, `${area}.${exchange}.${line}`, `+1 ${area} ${exchange} ${line}`,
    `1${area}${exchange}${line}`, `+1${area}${exchange}${line}`, `${area}${exchange}${line}`, `1 ${area} ${exchange} ${line}`, `${exchange}-${line}`];
  return forms[Math.floor(random() * forms.length)]!;
}

function writeFromExample(random: () => number, country: string): string {
  const { cc, nsn } = example(country);
  const keep = Math.floor(random() * 4);
  const length = nsn.length + (random() < 0.8 ? 0 : random() < 0.5 ? -1 : 1);
  return written(cc, (nsn.slice(0, keep) + randomDigits(random, length)).slice(0, length), Math.floor(random() * 14));
}

const FAMILIES: Family[] = [
  { name: 'NANP', countries: ['US', 'US', 'US', 'CA', 'PR', 'JM'], write: writeNanp },
  { name: 'Latin America', countries: ['BR', 'BR', 'MX', 'AR', 'CL', 'CO'], write: writeFromExample },
  { name: 'Europe', countries: ['GB', 'DE', 'FR', 'IT', 'ES', 'NL'], write: writeFromExample },
  { name: 'Asia-Pacific', countries: ['AU', 'SG', 'IN', 'JP', 'NZ', 'PH'], write: writeFromExample },
];
const SWEEP = 200_000;

describe('a deterministic sweep of 200,000 numbers per family', () => {
  it.each(FAMILIES)('$name', { timeout: 60_000 }, (family) => {
    const random = seeded(family.name.length * 7919);
    let differences = 0;
    const first: string[] = [];
    for (let i = 0; i < SWEEP; i++) {
      const home = family.countries[Math.floor(random() * family.countries.length)]!;
      const value = family.write(random, home);
      const r = random();
      const rowCountry = r < 0.8 ? home : r < 0.9 ? undefined : NAMED[Math.floor(random() * NAMED.length)];
      const strict = i % 2 === 1;
      const expected = reference(value, rowCountry, strict);
      const got = toE164(value, rowCountry, strict);
      if (got !== expected) {
        differences++;
        if (first.length < 5) first.push(`${JSON.stringify(value)} in ${rowCountry} (${strict ? 'strict' : 'lenient'}): ${got}, reference ${expected}`);
      }
    }
    expect(first).toEqual([]);
    expect(differences).toBe(0);
  });
});
