import { describe, expect, it } from 'vitest';
import { newtail } from '../../src/destinations/newtail.js';
import {
  deriveNewtailAge,
  normalizeNewtailCategories,
  normalizeNewtailList,
  normalizeNewtailText,
} from '../../src/destinations/newtail-fields.js';
import { hashValue } from '../../src/hash.js';
import type { CanonicalField } from '../../src/model/fields.js';
import type { Row } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { makeContext } from '../../src/normalize/types.js';
import { newtailSink } from '../../sinks/newtail.js';
import { RowHasher } from '../../transforms/hash.js';
import { RowNormalizer } from '../../transforms/normalize.js';
import { RowValidator } from '../../transforms/validate.js';
import { vectors } from '../vectors.js';

const RUN_DATE = new Date('2024-05-06T12:00:00Z');
const sha = (s: string) => hashValue(s, 'sha256', 'hex');

/** One row through normalize → hash → validate with the preset, as a run does it. */
function runRow(fields: Record<string, string>, defaultCountry = 'BR') {
  const stats = new RunStats();
  const row: Row = { line: 2, fields };
  new RowNormalizer({ preset: newtail, defaultCountry, now: () => RUN_DATE }).normalize(row);
  new RowHasher({ keys: newtail }).hash(row);
  const kept = new RowValidator({ preset: newtail, stats }).validate(row);
  return { kept, values: row.values!, stats };
}

describe('newtail preset', () => {
  it('has the document\'s columns, case-sensitive, in its order, and only SHA-256 hex', () => {
    expect(newtail.keys.map((k) => k.key)).toEqual([
      'CUSTOMER_ID', 'EMAIL_HASHED', 'PHONE_HASHED', 'SOCIAL_ID_HASHED', 'FIRST_NAME_HASHED', 'LAST_NAME_HASHED', 'GENDER', 'AGE',
      'CEP', 'COUNTRY', 'STATE', 'CITY', 'NEIGHBORHOOD', 'AUDIENCES', 'NBO_PRODUCTS', 'NBO_CATEGORIES',
    ]);
    expect(newtail.keys.filter((k) => k.hashed).map((k) => k.key)).toEqual([
      'EMAIL_HASHED', 'PHONE_HASHED', 'SOCIAL_ID_HASHED', 'FIRST_NAME_HASHED', 'LAST_NAME_HASHED',
    ]);
    expect(newtail.keys.filter((k) => k.required).map((k) => k.key)).toEqual(['CUSTOMER_ID']);
    expect(newtail.hashAlgorithms).toEqual(['sha256']);
    expect(newtail.encodings).toEqual(['hex']);
    expect(newtail.rowsPerFile).toEqual({ default: 1_000_000 });
    expect(newtail.sink).toBe(newtailSink);
  });

  it.each(vectors.normalize.filter((v) => v.destination === 'newtail'))('vector $field $input', (v) => {
    const key = { email: 'EMAIL_HASHED', phone: 'PHONE_HASHED', first_name: 'FIRST_NAME_HASHED', last_name: 'LAST_NAME_HASHED', social_id: 'SOCIAL_ID_HASHED' }[v.field]!;
    const spec = newtail.keys.find((k) => k.key === key)!;
    expect(spec.normalize(v.input, makeContext({ country: v.country ?? undefined, now: RUN_DATE }))).toBe(v.normalized);
    expect(runRow({ customer_id: 'c', [v.field]: v.input }, v.country ?? 'BR').values[key]).toBe(v.sha256);
  });

  it('hashes " Allan " as sha256("allan") = 5fd726bc…e09e630 (the errata), not the document\'s printed value', () => {
    const { values } = runRow({ customer_id: 'c', first_name: ' Allan ' });
    expect(values.FIRST_NAME_HASHED).toBe('5fd726bc56c3e86906cba8814a9b97d97f2ab209c48d2441ca5ac9e52b09e630');
    expect(values.FIRST_NAME_HASHED).not.toBe('8c01ade3cb71d3ac7c718ed5a0c565155a4c05a216d9e59013c5d7b49e916914');
  });

  it.each([
    // [field, input, key, value before hashing (null: invalid, undefined: empty)]
    ['email', ' Allan@Example.COM ', 'EMAIL_HASHED', 'allan@example.com'],
    ['email', 'al lan@example.com', 'EMAIL_HASHED', 'allan@example.com'],
    ['email', 'not-an-email', 'EMAIL_HASHED', null],
    ['phone', '(11) 98765-4321', 'PHONE_HASHED', '+5511987654321'],
    ['phone', '+1 212 555 1234', 'PHONE_HASHED', '+12125551234'],
    ['phone', '0000000000', 'PHONE_HASHED', undefined],
    ['first_name', ' Mary  Ann ', 'FIRST_NAME_HASHED', 'maryann'],
    ['last_name', 'DA SILVA', 'LAST_NAME_HASHED', 'dasilva'],
    ['last_name', 'n/a', 'LAST_NAME_HASHED', undefined],
    ['social_id', '529.982.247-25', 'SOCIAL_ID_HASHED', '52998224725'],
    ['social_id', '52998224725', 'SOCIAL_ID_HASHED', '52998224725'],
    ['social_id', '111.444.777-35', 'SOCIAL_ID_HASHED', '11144477735'],
    ['social_id', '529.982.247-26', 'SOCIAL_ID_HASHED', null],
    ['social_id', '529.982.247-15', 'SOCIAL_ID_HASHED', null],
    ['social_id', '111.111.111-11', 'SOCIAL_ID_HASHED', null],
    ['social_id', '5299822472', 'SOCIAL_ID_HASHED', null],
  ] as const)('%s %j → %s %j', (field, input, key, expected) => {
    const { values, stats } = runRow({ customer_id: 'c', [field]: input, gender: 'F' });
    if (expected === null) {
      expect(values[key]).toBeUndefined();
      expect(stats.fields[key]!.invalid).toBe(1);
    } else if (expected === undefined) {
      expect(values[key]).toBeUndefined();
      expect(stats.fields[key]!.empty).toBe(1);
    } else {
      expect(values[key]).toBe(sha(expected));
      expect(stats.fields[key]!.valid).toBe(1);
    }
  });

  it.each([
    ['gender', 'Feminino', 'GENDER', 'F'],
    ['gender', 'female', 'GENDER', 'F'],
    ['gender', 'M', 'GENDER', 'M'],
    ['gender', 'Masculino', 'GENDER', 'M'],
    ['gender', 'Não-binário', 'GENDER', 'O'],
    ['gender', 'other', 'GENDER', 'O'],
    ['gender', 'prefer not to say', 'GENDER', undefined],
    ['age', '35', 'AGE', '35'],
    ['age', '035', 'AGE', '35'],
    ['age', '200', 'AGE', null],
    ['zip', '01310-100', 'CEP', '01310100'],
    ['zip', '1310100', 'CEP', '01310100'],
    ['country', 'Brasil', 'COUNTRY', 'BR'],
    ['country', 'bra', 'COUNTRY', 'BR'],
    ['state', '  SP ', 'STATE', 'SP'],
    ['city', ' São   Paulo ', 'CITY', 'São Paulo'],
    ['neighborhood', 'Bela Vista', 'NEIGHBORHOOD', 'Bela Vista'],
    ['audiences', ' vip ; churn-risk ;; ', 'AUDIENCES', 'vip;churn-risk'],
    ['nbo_products', 'SKU-1;SKU-2', 'NBO_PRODUCTS', 'SKU-1;SKU-2'],
    ['nbo_categories', 'Tablets;Beverages > Non-Alcoholic Beverages;Books > Gastronomy > Bar and Restaurant Guides', 'NBO_CATEGORIES',
      'Tablets;Beverages > Non-Alcoholic Beverages;Books > Gastronomy > Bar and Restaurant Guides'],
    ['nbo_categories', ' Books>Gastronomy ;Tablets ', 'NBO_CATEGORIES', 'Books > Gastronomy;Tablets'],
    ['customer_id', 'Cust 01', 'CUSTOMER_ID', 'Cust 01'],
  ] as const)('%s %j → %s %j (not hashed)', (field, input, key, expected) => {
    const { values, stats } = runRow({ customer_id: 'c', email: 'a@b.co', [field]: input });
    if (expected === null) {
      expect(values[key]).toBeUndefined();
      expect(stats.fields[key]!.invalid).toBe(1);
    } else {
      expect(values[key]).toBe(expected);
    }
  });

  it.each([
    [{ age: '40' }, '40'],
    [{ birth_date: '1990-05-06' }, '34'],
    [{ birth_date: '1990-05-07' }, '33'],
    [{ birth_date: '2000-02-29' }, '24'],
    [{ age: '40', birth_date: '1990-05-06' }, '40'],
    [{ age: 'abc', birth_date: '1990-05-06' }, '34'],
    [{ age: 'n/a', birth_date: '1990-05-06' }, '34'],
  ])('AGE from %j at the run date 2024-05-06 is %s', (fields, age) => {
    expect(runRow({ customer_id: 'c', gender: 'M', ...fields }).values.AGE).toBe(age);
  });

  it('AGE is invalid (counted) when age and birth_date are given and both are wrong, and empty when neither is', () => {
    expect(runRow({ customer_id: 'c', gender: 'M', age: 'old', birth_date: '1990-13-45' }).stats.fields.AGE).toMatchObject({ invalid: 1 });
    expect(runRow({ customer_id: 'c', gender: 'M' }).stats.fields.AGE).toMatchObject({ empty: 1, invalid: 0 });
    const ctx = makeContext({ now: RUN_DATE });
    expect(deriveNewtailAge({ birth_date: '2030-01-01' }, ctx, () => '', () => null)).toBeNull();
  });

  it('passes an already-hashed value through lower-cased, never hashed twice', () => {
    const hashed = sha('allan@example.com');
    const { values, stats } = runRow({ customer_id: 'c', email: hashed.toUpperCase() });
    expect(values.EMAIL_HASHED).toBe(hashed);
    expect(stats.fields.EMAIL_HASHED!.arrived_hashed).toBe(1);
  });

  it('keeps a row with CUSTOMER_ID and at least one other valid column', () => {
    expect(runRow({ customer_id: 'c', gender: 'F' }).kept).toBe(true);
    expect(runRow({ customer_id: 'c', nbo_products: 'SKU1' }).kept).toBe(true);
    const idOnly = runRow({ customer_id: 'c', email: 'broken', social_id: '529.982.247-26' });
    expect(idOnly.kept).toBe(false);
    expect(idOnly.stats.rejectReasons).toEqual({ no_match_key: 1 });
    const noId = runRow({ customer_id: ' ', email: 'a@b.co' });
    expect(noId.kept).toBe(false);
    expect(noId.stats.rejectReasons).toEqual({ missing_required_key: 1 });
    expect(newtail.keep({ CUSTOMER_ID: 'c', EMAIL_HASHED: null })).toBe('no_match_key');
  });

  it('needs a customer_id column and one more it uses', () => {
    const check = (...fields: CanonicalField[]) => newtail.missingColumns(new Set(fields));
    expect(check('customer_id', 'email')).toBeNull();
    expect(check('customer_id', 'birth_date')).toBeNull();
    expect(check('email', 'phone')).toMatch(/customer_id/);
    expect(check('customer_id')).toMatch(/besides/);
    expect(check('customer_id', 'madid')).toMatch(/besides/);
  });
});

describe('newtail field rules', () => {
  it.each([
    ['a;b', 'a;b'],
    ['  a  ;  b  ', 'a;b'],
    ['a;;b;', 'a;b'],
    ['gold  tier;x', 'gold tier;x'],
    [';', ''],
    ['n/a', ''],
    ['Case;KEPT', 'Case;KEPT'],
  ])('list %j → %j', (input, expected) => {
    expect(normalizeNewtailList(input)).toBe(expected);
    expect(normalizeNewtailList(expected)).toBe(expected);
  });

  it.each([
    ['A>B', 'A > B'],
    ['A > B > C;D', 'A > B > C;D'],
    ['A >> B', 'A > B'],
    [' > A', 'A'],
    ['>', ''],
  ])('categories %j → %j', (input, expected) => {
    expect(normalizeNewtailCategories(input)).toBe(expected);
    expect(normalizeNewtailCategories(expected)).toBe(expected);
  });

  it.each([
    ['  Rio de  Janeiro ', 'Rio de Janeiro'],
    ['-', ''],
    ['Sa\u0303o Paulo', 'São Paulo'],
  ])('text %j → %j', (input, expected) => {
    expect(normalizeNewtailText(input)).toBe(expected);
  });
});
