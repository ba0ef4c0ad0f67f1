import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { snappyUncompress } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { encodeColumns, ParquetFileWriter, snappyAdaptive, snappyLiterals, useNativeSnappy, type ParquetColumn } from '../../sinks/parquet.js';
import { AudienceEtlError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { readParquet } from './parquet-reader.js';

const COLUMNS: ParquetColumn[] = [
  { name: 'ID', type: 'UTF8', required: true },
  { name: 'Name_Mixed_Case', type: 'UTF8' },
  { name: 'AGE', type: 'INT32' },
];

async function writeAll(path: string, rows: Record<string, string | number | null>[], rowGroupSize?: number): Promise<void> {
  const writer = await ParquetFileWriter.open(path, COLUMNS, rowGroupSize ? { rowGroupSize } : {});
  for (const row of rows) await writer.append(row);
  await writer.close();
}

describe('ParquetFileWriter', () => {
  it('writes the schema, Snappy codec and values a separate reader reads back', async () => {
    const path = join(tempDir(), 'a.parquet');
    await writeAll(path, [
      { ID: 'c1', Name_Mixed_Case: 'São Paulo', AGE: 42 },
      { ID: 'c2', Name_Mixed_Case: null, AGE: '7' },
      { ID: 'c3', AGE: null },
      { ID: 'c4', Name_Mixed_Case: '', AGE: -2147483648 },
    ]);
    const back = await readParquet(path);
    expect(back.schema).toEqual([
      { name: 'ID', type: 'BYTE_ARRAY', convertedType: 'UTF8', repetition: 'REQUIRED' },
      { name: 'Name_Mixed_Case', type: 'BYTE_ARRAY', convertedType: 'UTF8', repetition: 'OPTIONAL' },
      { name: 'AGE', type: 'INT32', convertedType: undefined, repetition: 'OPTIONAL' },
    ]);
    expect(new Set(back.codecs)).toEqual(new Set(['SNAPPY']));
    expect(back.numRows).toBe(4);
    expect(back.rows).toEqual([
      { ID: 'c1', Name_Mixed_Case: 'São Paulo', AGE: 42 },
      { ID: 'c2', Name_Mixed_Case: null, AGE: 7 },
      { ID: 'c3', Name_Mixed_Case: null, AGE: null },
      { ID: 'c4', Name_Mixed_Case: '', AGE: -2147483648 },
    ]);
  });

  it('splits rows into row groups of the given size, in order', async () => {
    const path = join(tempDir(), 'groups.parquet');
    const rows = Array.from({ length: 25 }, (_, i) => ({ ID: `id-${i}`, Name_Mixed_Case: i % 3 ? `n${i}` : null, AGE: i % 4 ? i : null }));
    await writeAll(path, rows, 10);
    const back = await readParquet(path);
    expect(back.rowGroups).toBe(3);
    expect(back.numRows).toBe(25);
    expect(back.rows).toEqual(rows);
  });

  it('signals backpressure exactly when a row group is complete', async () => {
    const path = join(tempDir(), 'bp.parquet');
    const writer = await ParquetFileWriter.open(path, COLUMNS, { rowGroupSize: 3 });
    const pending = [1, 2, 3, 4, 5, 6].map((i) => writer.append({ ID: String(i) }));
    expect(pending.map((p) => p !== undefined)).toEqual([false, false, true, false, false, true]);
    await Promise.all(pending);
    await writer.close();
    expect(writer.rows).toBe(6);
    expect((await readParquet(path)).rows.map((r) => r.ID)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('writes a valid file with no rows', async () => {
    const path = join(tempDir(), 'empty.parquet');
    await writeAll(path, []);
    const back = await readParquet(path);
    expect(back.numRows).toBe(0);
    expect(back.schema.map((c) => c.name)).toEqual(['ID', 'Name_Mixed_Case', 'AGE']);
  });

  it('refuses a null in a required column and a non-integer in an INT32 column, without the value in the message', async () => {
    const path = join(tempDir(), 'bad.parquet');
    const writer = await ParquetFileWriter.open(path, COLUMNS);
    expect(() => writer.append({ ID: null })).toThrow(AudienceEtlError);
    for (const age of ['12.5', 'abc', 2 ** 31, 1.5]) {
      let message = '';
      try {
        writer.append({ ID: 'x', AGE: age });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/AGE/);
      expect(message).not.toContain(String(age));
    }
    await writer.abort();
  });

  it('never overwrites: opening an existing path fails with IO', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.parquet');
    await writeAll(path, [{ ID: 'a' }]);
    await expect(ParquetFileWriter.open(path, COLUMNS)).rejects.toMatchObject({ code: 'IO' });
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  it('abort removes the file, also after rows were flushed', async () => {
    const dir = tempDir();
    const path = join(dir, 'gone.parquet');
    const writer = await ParquetFileWriter.open(path, COLUMNS, { rowGroupSize: 2 });
    for (let i = 0; i < 5; i++) await writer.append({ ID: `r${i}` });
    expect(existsSync(path)).toBe(true);
    await writer.abort();
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => writer.append({ ID: 'late' })).toThrow(AudienceEtlError);
  });

  it('rejects an empty schema and a bad row group size', async () => {
    const dir = tempDir();
    await expect(ParquetFileWriter.open(join(dir, 'a'), [])).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(ParquetFileWriter.open(join(dir, 'b'), COLUMNS, { rowGroupSize: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('splits big columns into pages, stores hashes as literals and still compresses repetitive columns', async () => {
    const path = join(tempDir(), 'big.parquet');
    const columns: ParquetColumn[] = [
      { name: 'HASH', type: 'UTF8', required: true },
      { name: 'COUNTRY', type: 'UTF8' },
      { name: 'AGE', type: 'INT32' },
    ];
    const writer = await ParquetFileWriter.open(path, columns, { rowGroupSize: 30_000 });
    const rows = Array.from({ length: 40_000 }, (_, i) => ({
      HASH: randomBytes(32).toString('hex'),
      COUNTRY: i % 7 === 0 ? null : 'BR',
      AGE: i % 5 === 0 ? null : i % 100,
    }));
    for (const row of rows) await writer.append(row);
    await writer.close();
    const back = await readParquet(path);
    expect(back.rowGroups).toBe(2);
    expect(back.rows).toEqual(rows);
    // 30,000 × 68 bytes of hex: two pages of about 1 MB, close to their raw size.
    expect(back.sizes.HASH!.uncompressed).toBeGreaterThan(2_000_000);
    expect(back.sizes.HASH!.compressed).toBeGreaterThan(back.sizes.HASH!.uncompressed * 0.95);
    expect(back.sizes.COUNTRY!.compressed).toBeLessThan(back.sizes.COUNTRY!.uncompressed / 5);
  });

  it('reads back whatever rows, nulls and row group size it is given', async () => {
    const dir = tempDir();
    let n = 0;
    const cell = fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ID: fc.string({ minLength: 1, maxLength: 8 }), Name_Mixed_Case: cell, AGE: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        async (rows, rowGroupSize) => {
          const path = join(dir, `p${n++}.parquet`);
          await writeAll(path, rows, rowGroupSize);
          const back = await readParquet(path);
          expect(back.rows).toEqual(rows);
          expect(back.rowGroups).toBe(Math.ceil(rows.length / rowGroupSize));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Snappy', () => {
  const decoders = [
    ['hyparquet', (data: Uint8Array, size: number) => {
      const out = new Uint8Array(size);
      snappyUncompress(data, out);
      return out;
    }],
    ['hysnappy', (data: Uint8Array, size: number) => compressors.SNAPPY!(data, size)],
  ] as const;

  it.each(decoders)('literal-only streams decode with %s, over any split of the input into parts', (_name, decode) => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70_000 }), { maxLength: 4 }), (parts) => {
        const whole = Buffer.concat(parts);
        expect(Buffer.from(decode(snappyLiterals(...parts), whole.length)).equals(whole)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it.each(decoders)('adaptive output decodes with %s, compressible or not', (_name, decode) => {
    const random = randomBytes(200_000);
    const repetitive = Buffer.from('BR\u0002\u0000\u0000\u0000'.repeat(40_000));
    for (const data of [random, repetitive, Buffer.alloc(0), Buffer.from('x')]) {
      const packed = snappyAdaptive(data);
      expect(Buffer.from(decode(packed, data.length)).equals(data)).toBe(true);
    }
    expect(snappyAdaptive(repetitive).length).toBeLessThan(repetitive.length / 10);
    expect(snappyAdaptive(random).length).toBeLessThan(random.length + 20);
  });

  it.each(decoders)('the native compressor (the snappy package) and the JavaScript one both decode with %s', (_name, decode) => {
    const text = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `C${String(i).padStart(8, '0')},Ana,Souza,BR`).join('\n'));
    const mixed = Buffer.concat([randomBytes(70_000), Buffer.from('ab'.repeat(50_000))]);
    try {
      // npm install puts the optional dependency here: a build or bundle that cannot load it fails.
      expect(useNativeSnappy(true)).toBe(true);
      const native = [text, mixed].map((data) => snappyAdaptive(data));
      expect(useNativeSnappy(false)).toBe(false);
      const js = [text, mixed].map((data) => snappyAdaptive(data));
      for (const [i, data] of [text, mixed].entries()) {
        expect(Buffer.from(decode(native[i]!, data.length)).equals(data)).toBe(true);
        expect(Buffer.from(decode(js[i]!, data.length)).equals(data)).toBe(true);
      }
      expect(native[0]!.length).toBeLessThan(text.length / 3);
    } finally {
      useNativeSnappy(true);
    }
  });
});

describe('ParquetFileWriter.appendEncoded (rows encoded on worker threads)', () => {
  it('writes the same bytes as append(), pages over 1 MB and row groups ending inside blocks', async () => {
    const rows: Record<string, string | number | null>[] = [];
    // 17,000-row groups of ~68-byte values: ~1.15 MB a group, so pages close inside groups too.
    for (let i = 0; i < 40_000; i++) {
      const hash = randomBytes(32).toString('hex');
      rows.push({ ID: `c${i}`, Name_Mixed_Case: i % 7 === 0 ? null : i % 5 === 0 ? `Zoë ${hash}` : hash, AGE: i % 3 === 0 ? null : i % 100 });
    }
    const dir = tempDir();
    await writeAll(join(dir, 'rows.parquet'), rows, 20_000);
    const writer = await ParquetFileWriter.open(join(dir, 'encoded.parquet'), COLUMNS, { rowGroupSize: 20_000 });
    const sizes = [1, 2399, 4096, 1, 1000, 8000, 333];
    for (let at = 0, b = 0; at < rows.length; b++) {
      const block = rows.slice(at, at + sizes[b % sizes.length]!);
      const columns = encodeColumns(COLUMNS, block);
      for (let r = 0; r < block.length; ) {
        const n = Math.min(block.length - r, writer.groupRoom);
        await writer.appendEncoded(columns, r, r + n);
        r += n;
      }
      at += block.length;
    }
    await writer.close();
    const a = readFileSync(join(dir, 'rows.parquet'));
    const b = readFileSync(join(dir, 'encoded.parquet'));
    expect(b.equals(a)).toBe(true);
    const read = await readParquet(join(dir, 'encoded.parquet'));
    expect(read.numRows).toBe(rows.length);
    expect(read.rowGroups).toBe(2);
    // Over 1 MB of values in the first group's column: a page closed inside it, where append() closes it.
    expect(read.sizes.Name_Mixed_Case!.uncompressed).toBeGreaterThan(1 << 20);
    expect(read.rows[39_999]).toEqual({ ...rows[39_999], AGE: rows[39_999]!.AGE });
  });

  it('checks every cell as append() does', () => {
    expect(() => encodeColumns(COLUMNS, [{ ID: null }])).toThrow(/ID is required/);
    expect(() => encodeColumns(COLUMNS, [{ ID: 'x', AGE: '1.5' }])).toThrow(/not a 32-bit integer/);
  });
});
