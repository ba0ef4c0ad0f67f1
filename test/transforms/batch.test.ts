import fc from 'fast-check';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/model/row.js';
import { batch } from '../../transforms/batch.js';

async function batches(chunks: (Row | Row[])[], size: number): Promise<Row[][]> {
  const out: Row[][] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: true }),
    batch({ size }),
    new Writable({ objectMode: true, write: (b: Row[], _e, cb) => (out.push(b), cb()) }),
  );
  return out;
}

describe('batch', () => {
  it('cuts any chunking into batches of exactly size, the last one shorter, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(), { maxLength: 20 }), { maxLength: 20 }), fc.integer({ min: 1, max: 7 }), async (shape, size) => {
        let line = 0;
        const chunks = shape.map((c) => c.map(() => ({ line: ++line, fields: {} })));
        const out = await batches(chunks, size);
        const flat = out.flat().map((r) => r.line);
        expect(flat).toEqual(Array.from({ length: line }, (_, i) => i + 1));
        out.slice(0, -1).forEach((b) => expect(b).toHaveLength(size));
        if (out.length) expect(out.at(-1)!.length).toBeLessThanOrEqual(size);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts single rows', async () => {
    const out = await batches([{ line: 1, fields: {} }, { line: 2, fields: {} }, { line: 3, fields: {} }], 2);
    expect(out.map((b) => b.map((r) => r.line))).toEqual([[1, 2], [3]]);
  });

  it.each([0, -1, 1.5])('refuses size %s', (size) => expect(() => batch({ size })).toThrow(/positive integer/));
});
