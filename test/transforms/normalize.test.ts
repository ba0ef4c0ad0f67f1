import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRow, HEADER, seeded } from '../../benchmarks/generate.js';
import { DESTINATIONS } from '../../src/destinations/index.js';
import { detectHashed } from '../../src/hash.js';
import type { Row } from '../../src/model/row.js';
import { countryAlpha2 } from '../../src/normalize/country.js';
import { makeContext } from '../../src/normalize/types.js';
import { ColumnMapper } from '../../transforms/map.js';
import { RowNormalizer } from '../../transforms/normalize.js';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('RowNormalizer', () => {
  // The memo per key and country must be invisible: each value as its normalizer gives it alone.
  it.each(Object.keys(DESTINATIONS))('%s: memoized values equal each key normalizer called on its own', (name) => {
    const preset = DESTINATIONS[name as keyof typeof DESTINATIONS];
    const normalizer = new RowNormalizer({ preset, defaultCountry: 'US', now: () => NOW });
    const mapper = new ColumnMapper({});
    const columns = HEADER.split(',');
    const random = seeded(5);
    for (let i = 0; i < 8_000; i++) {
      const cells = generateRow(random, i).match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
      const fields = mapper.apply(Object.fromEntries(columns.map((c, k) => [c, cells[k] ?? ''])));
      const row: Row = { line: i + 2, fields };
      normalizer.normalize(row);
      const ctx = makeContext({ now: NOW, country: (fields.country ? countryAlpha2(fields.country) : undefined) ?? 'US' });
      for (const spec of preset.keys) {
        const raw = fields[spec.field];
        let expected: string | null | undefined;
        if (spec.derive) expected = spec.derive(fields, ctx);
        else if (raw === undefined || raw === '') expected = undefined;
        else expected = (spec.hashed ? detectHashed(raw.trim(), preset.hashAlgorithms[0]!) : undefined) ?? spec.normalize(raw, ctx);
        if (row.values![spec.key] !== (expected === '' ? undefined : expected)) {
          expect(row.values![spec.key], `${spec.key} of row ${i}`).toBe(expected === '' ? undefined : expected);
        }
      }
    }
  }, 60_000);

  // Key by key over a chunk must give what row by row gives: the same values, prehashed and skips.
  it.each(Object.keys(DESTINATIONS))('%s: normalizeChunk, told the input fields, equals normalize row by row', (name) => {
    const preset = DESTINATIONS[name as keyof typeof DESTINATIONS];
    const byRow = new RowNormalizer({ preset, defaultCountry: 'BR', now: () => NOW });
    const mapper = new ColumnMapper({});
    const columns = HEADER.split(',');
    // Told the input's fields, it skips the keys of other fields for the run.
    const fields = mapper.planColumns(columns).map(([field]) => field);
    const byChunk = new RowNormalizer({ preset, defaultCountry: 'BR', now: () => NOW, fields });
    const random = seeded(11);
    const make = (i: number): Row => {
      if (i % 97 === 0) return { line: i + 2, fields: {}, rejected: 'field_count_mismatch' };
      const cells = generateRow(random, i).match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
      // Digests that arrived in base64 (the generator writes hex ones), bare or padded: the shortest
      // form a digest is written in must still be found.
      if (i % 53 === 0) cells[1] = createHash('sha256').update(`b64-${i}`).digest('base64');
      if (i % 59 === 0) cells[1] = ` ${createHash('sha256').update(`b64-${i}`).digest('base64')} `;
      return { line: i + 2, fields: mapper.apply(Object.fromEntries(columns.map((c, k) => [c, cells[k] ?? '']))) };
    };
    let line = 0;
    for (const size of [1, 700, 3, 2_500, 64, 1_200, 0, 900]) {
      const rows = Array.from({ length: size }, () => make(line++));
      const copies = rows.map((row) => ({ ...row, fields: { ...row.fields } }));
      for (const row of rows) byRow.normalize(row);
      byChunk.normalizeChunk(copies);
      for (let r = 0; r < rows.length; r++) {
        const [a, b] = [rows[r]!, copies[r]!];
        if (JSON.stringify([a.values, a.prehashed]) !== JSON.stringify([b.values, b.prehashed])) {
          expect([b.values, b.prehashed], `row ${a.line}`).toEqual([a.values, a.prehashed]);
        }
        expect(Object.keys(b.values ?? {})).toEqual(Object.keys(a.values ?? {}));
      }
    }
  }, 60_000);

  it('keeps derived keys when told the input lacks their fields (Google regionCode from --default-country)', () => {
    const normalizer = new RowNormalizer({ preset: DESTINATIONS.google, defaultCountry: 'BR', now: () => NOW, fields: ['email'] });
    const rows: Row[] = [{ line: 2, fields: { email: 'A@B.co' } }];
    normalizer.normalizeChunk(rows);
    expect(rows[0]!.values).toMatchObject({ emailAddress: 'a@b.co', regionCode: 'BR' });
  });
});
