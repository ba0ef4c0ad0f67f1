import { describe, expect, it } from 'vitest';
import { meta } from '../../src/destinations/meta.js';
import { hashValue } from '../../src/hash.js';
import type { Row } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { RowHasher } from '../../transforms/hash.js';
import { RowValidator } from '../../transforms/validate.js';
import { generateRow, HEADER, seeded } from '../../benchmarks/generate.js';
import { DESTINATIONS } from '../../src/destinations/index.js';
import { ColumnMapper } from '../../transforms/map.js';
import { RowNormalizer } from '../../transforms/normalize.js';

const row = (values: Record<string, string | null>): Row => ({ line: 2, fields: {}, values: { ...values } });

describe('RowValidator and the hash stage', () => {
  it('checks hashed keys against the digest pattern when no hash stage ran', () => {
    const stats = new RunStats();
    const validator = new RowValidator({ preset: meta, stats });
    const r = row({ EMAIL: 'mary@example.com', EXTERN_ID: 'C1' });
    expect(validator.validate(r)).toBe(true); // kept by EXTERN_ID
    expect(r.values!.EMAIL).toBeUndefined();
    expect(stats.field('EMAIL').invalid).toBe(1);
  });

  it('trusts the digests of a hash stage that covered every hashed key with the same algorithm', () => {
    const stats = new RunStats();
    const validator = new RowValidator({ preset: meta, stats });
    const r = row({ EMAIL: 'mary@example.com' });
    new RowHasher({ keys: meta }).hashChunk([r]);
    expect(r.values!.EMAIL).toBe(hashValue('mary@example.com'));
    expect(validator.validate(r)).toBe(true);
    expect(stats.field('EMAIL').valid).toBe(1);
  });

  it('re-checks when the hash stage used another encoding or left hashed keys out', () => {
    for (const hasher of [new RowHasher({ keys: meta, encoding: 'base64' }), new RowHasher({ keys: ['PHONE'] })]) {
      const stats = new RunStats();
      const validator = new RowValidator({ preset: meta, stats });
      const r = row({ EMAIL: hasher.signature.encoding === 'base64' ? 'mary@example.com' : 'not hashed', EXTERN_ID: 'C1' });
      hasher.hashChunk([r]);
      expect(validator.validate(r)).toBe(true);
      expect(r.values!.EMAIL).toBeUndefined();
      expect(stats.field('EMAIL').invalid).toBe(1);
    }
  });
});

describe('RowValidator.validateChunk', () => {
  // Rows of every destination from the bench generator, some of them rejected before validation.
  it.each(Object.keys(DESTINATIONS))('%s: told the input fields, keeps, rejects and counts as validate() row by row', (name) => {
    const preset = DESTINATIONS[name as keyof typeof DESTINATIONS];
    const mapper = new ColumnMapper({});
    const columns = HEADER.split(',');
    const fields = mapper.planColumns(columns).map(([field]) => field);
    const normalizer = new RowNormalizer({ preset, defaultCountry: 'US', now: () => new Date('2026-11-25T12:00:00Z'), fields });
    const hasher = new RowHasher({ keys: preset, algorithm: preset.hashAlgorithms[0] });
    const random = seeded(3);
    const make = (i: number): Row => {
      if (i % 53 === 0) return { line: i + 2, fields: {}, rejected: 'field_count_mismatch' };
      const cells = generateRow(random, i).match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
      return { line: i + 2, fields: mapper.apply(Object.fromEntries(columns.map((c, k) => [c, cells[k] ?? '']))) };
    };
    const rows = Array.from({ length: 3000 }, (_, i) => make(i));
    normalizer.normalizeChunk(rows);
    hasher.hashChunk(rows);
    const copy = (r: Row): Row => ({ ...r, values: r.values && { ...r.values } });
    const [oneStats, chunkStats] = [new RunStats(), new RunStats()];
    const oneRejects: unknown[] = [];
    const chunkRejects: unknown[] = [];
    oneStats.onReject((e) => oneRejects.push(e));
    chunkStats.onReject((e) => chunkRejects.push(e));
    const one = new RowValidator({ preset, algorithm: preset.hashAlgorithms[0], stats: oneStats });
    const chunked = new RowValidator({ preset, algorithm: preset.hashAlgorithms[0], stats: chunkStats, fields });
    const keptOne = rows.map(copy).filter((r) => one.validate(r));
    const keptChunk = [0, 1, 700, 1300, 3000].flatMap((at, i, cuts) => chunked.validateChunk(rows.slice(at, cuts[i + 1] ?? at).map(copy)));
    expect(keptChunk.map((r) => [r.line, r.values])).toEqual(keptOne.map((r) => [r.line, r.values]));
    expect(chunkStats.fields).toEqual(oneStats.fields);
    expect(chunkRejects).toEqual(oneRejects);
    expect(chunkRejects.length).toBeGreaterThan(3000 / 53);
  });

  it('reports a required key from a field the input lacks in every row', () => {
    const stats = new RunStats();
    const rejects: { reason: string }[] = [];
    stats.onReject((e) => rejects.push(e));
    expect(DESTINATIONS.newtail.keys.find((k) => k.required)?.field).toBe('customer_id');
    const validator = new RowValidator({ preset: DESTINATIONS.newtail, stats, fields: ['email'] });
    expect(validator.validateChunk([{ line: 2, fields: {}, values: {} }])).toEqual([]);
    expect(rejects.map((r) => r.reason)).toEqual(['missing_required_key']);
  });
});
