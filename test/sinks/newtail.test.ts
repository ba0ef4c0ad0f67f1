import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { TEMP_PREFIX } from '../../sinks/atomic-file.js';
import {
  checkNewtailPrefix,
  newtailColumns,
  newtailFileKey,
  newtailStatePath,
  NewtailSink,
  type NewtailSinkOptions,
} from '../../sinks/newtail.js';
import { RunStats } from '../../src/model/stats.js';
import { packedBuffer, packEncoded } from '../../src/destinations/encoded.js';
import type { EncodedRows } from '../../src/destinations/types.js';
import { encodeColumns } from '../../sinks/parquet.js';
import type { Row } from '../../src/model/row.js';
import { listFiles, tempDir } from '../helpers/tmp.js';
import { readParquet } from './parquet-reader.js';

const KEYS = [
  'CUSTOMER_ID', 'EMAIL_HASHED', 'PHONE_HASHED', 'SOCIAL_ID_HASHED', 'FIRST_NAME_HASHED', 'LAST_NAME_HASHED', 'GENDER', 'AGE',
  'CEP', 'COUNTRY', 'STATE', 'CITY', 'NEIGHBORHOOD', 'AUDIENCES', 'NBO_PRODUCTS', 'NBO_CATEGORIES',
].map((key) => ({ key, required: key === 'CUSTOMER_ID' }));
const COLUMNS = newtailColumns(KEYS);
const HASH = 'a'.repeat(64);

function rows(n: number, from = 0): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    line: from + i + 2,
    fields: {},
    values: { CUSTOMER_ID: `C${from + i}`, EMAIL_HASHED: HASH, AGE: String(20 + ((from + i) % 50)), ...(i % 2 ? { GENDER: 'F' } : {}) },
  }));
}

function sink(out: string, overrides: Partial<NewtailSinkOptions> = {}) {
  const stats = new RunStats();
  const s = new NewtailSink({
    outDir: out,
    prefix: 'acme',
    columns: COLUMNS,
    rowsPerFile: 1_000_000,
    now: () => new Date('2024-03-05T10:20:30Z'),
    stats,
    ...overrides,
  });
  return { s, stats };
}

async function write(s: NewtailSink, chunks: (Row | Row[])[]): Promise<void> {
  await pipeline(Readable.from(chunks, { objectMode: true }), s);
}

/** Rows encoded as a worker sends them: columns packed into one buffer, given back (detached here) on release. */
function packed(chunk: Row[], released: string[]): EncodedRows {
  const encoded: EncodedRows = { encoded: 'newtail', rows: chunk.length, text: '', ends: new Uint32Array(0), columns: encodeColumns(COLUMNS, chunk.map((r) => r.values!)) };
  packEncoded(encoded, []);
  const buffer = packedBuffer(encoded)!;
  encoded.release = () => {
    released.push(String(chunk[0]!.values!.CUSTOMER_ID));
    // As the pool does once a worker takes it: the buffer is gone from this thread.
    structuredClone(buffer, { transfer: [buffer] });
  };
  return encoded;
}

describe('newtail sink', () => {
  it('gives a packed chunk back only once every row of it is in the file writer', async () => {
    const out = tempDir();
    // Files of 3 rows: chunks cross file boundaries, and the sink waits on the file between appends.
    const { s, stats } = sink(out, { rowsPerFile: 3, now: () => new Date('2024-01-31T10:00:00Z') });
    const released: string[] = [];
    await write(s, [packed(rows(4), released), packed(rows(5, 4), released), packed(rows(2, 9), released)]);
    expect(released).toEqual(['C0', 'C4', 'C9']);
    const ids: unknown[] = [];
    const ages: unknown[] = [];
    for (const file of s.result().files) {
      const back = await readParquet(join(out, file));
      ids.push(...back.rows.map((r) => r.CUSTOMER_ID));
      ages.push(...back.rows.map((r) => r.AGE));
    }
    expect(ids).toEqual(rows(11).map((r) => r.values!.CUSTOMER_ID));
    expect(ages).toEqual(rows(11).map((r) => Number(r.values!.AGE)));
    expect(stats.rowsOut).toBe(11);
  });


  it('writes every column with its type, Snappy, at PREFIX/audiences/YYYY/mm/dd/TIMESTAMP.parquet.snappy', async () => {
    const out = tempDir();
    const { s, stats } = sink(out);
    const input: Row[] = [
      {
        line: 2,
        fields: {},
        values: {
          CUSTOMER_ID: 'Cust-1', EMAIL_HASHED: HASH, PHONE_HASHED: 'b'.repeat(64), SOCIAL_ID_HASHED: 'c'.repeat(64),
          FIRST_NAME_HASHED: 'd'.repeat(64), LAST_NAME_HASHED: 'e'.repeat(64), GENDER: 'M', AGE: '41', CEP: '01310100',
          COUNTRY: 'BR', STATE: 'SP', CITY: 'São Paulo', NEIGHBORHOOD: 'Bela Vista', AUDIENCES: 'a1;a2', NBO_PRODUCTS: 'SKU1;SKU2',
          NBO_CATEGORIES: 'Tablets;Books > Gastronomy',
        },
      },
      { line: 3, fields: {}, values: { CUSTOMER_ID: 'Cust-2', GENDER: 'O' } },
    ];
    await write(s, [input]);
    expect(s.result().files).toEqual(['newtail/acme/audiences/2024/03/05/1709634030.parquet.snappy']);
    expect(listFiles(out)).toEqual(['newtail/acme/audiences/2024/03/05/1709634030.parquet.snappy']);
    expect(stats.rowsOut).toBe(2);

    const back = await readParquet(join(out, s.result().files[0]!));
    expect(back.schema.map((c) => c.name)).toEqual(KEYS.map((k) => k.key));
    for (const column of back.schema) {
      if (column.name === 'AGE') expect([column.type, column.repetition]).toEqual(['INT32', 'OPTIONAL']);
      else expect([column.type, column.convertedType]).toEqual(['BYTE_ARRAY', 'UTF8']);
    }
    expect(back.schema[0]!.repetition).toBe('REQUIRED');
    expect(new Set(back.codecs)).toEqual(new Set(['SNAPPY']));
    expect(back.rows[0]).toEqual({ ...input[0]!.values, AGE: 41 });
    expect(back.rows[1]).toEqual({ ...Object.fromEntries(KEYS.map((k) => [k.key, null])), CUSTOMER_ID: 'Cust-2', GENDER: 'O' });
  });

  it('rolls to a new file at --rows-per-file, with timestamps that never repeat and dates in UTC', async () => {
    const out = tempDir();
    // Every file completes in the same second, one second before midnight UTC.
    const { s, stats } = sink(out, { rowsPerFile: 3, now: () => new Date('2024-01-31T23:59:59.900Z') });
    await write(s, [rows(2), rows(4, 2), rows(1, 6)]);
    expect(s.result().files).toEqual([
      'newtail/acme/audiences/2024/01/31/1706745599.parquet.snappy',
      'newtail/acme/audiences/2024/02/01/1706745600.parquet.snappy',
      'newtail/acme/audiences/2024/02/01/1706745601.parquet.snappy',
    ]);
    const counts = [];
    const ids: unknown[] = [];
    for (const file of s.result().files) {
      const back = await readParquet(join(out, file));
      counts.push(back.numRows);
      ids.push(...back.rows.map((r) => r.CUSTOMER_ID));
    }
    expect(counts).toEqual([3, 3, 1]);
    expect(ids).toEqual(rows(7).map((r) => r.values!.CUSTOMER_ID));
    expect(stats.rowsOut).toBe(7);
  });

  it('writes exactly full files when the row count is a multiple of the limit', async () => {
    const out = tempDir();
    const { s } = sink(out, { rowsPerFile: 2 });
    await write(s, [rows(4)]);
    expect(s.result().files).toHaveLength(2);
  });

  it('never overwrites a file of an earlier run in the same second', async () => {
    const out = tempDir();
    const first = sink(out);
    await write(first.s, [rows(1)]);
    const second = sink(out);
    await write(second.s, [rows(1, 1)]);
    expect(first.s.result().files).toEqual(['newtail/acme/audiences/2024/03/05/1709634030.parquet.snappy']);
    expect(second.s.result().files).toEqual(['newtail/acme/audiences/2024/03/05/1709634031.parquet.snappy']);
    expect((await readParquet(join(out, first.s.result().files[0]!))).rows[0]!.CUSTOMER_ID).toBe('C0');
  });

  it('writes no file for a run without rows', async () => {
    const out = tempDir();
    const { s } = sink(out);
    await write(s, []);
    expect(s.result().files).toEqual([]);
    expect(listFiles(out)).toEqual([]);
  });

  it('shows nothing finished until final(), and removes its temporary files when destroyed', async () => {
    const out = tempDir();
    const { s } = sink(out, { rowsPerFile: 2 });
    await new Promise<void>((done, fail) => s.write(rows(5), (err) => (err ? fail(err) : done())));
    const during = listFiles(out);
    expect(during.length).toBeGreaterThan(0);
    for (const file of during) {
      expect(file.split('/').pop()!.startsWith(TEMP_PREFIX)).toBe(true);
      expect(file.endsWith('.parquet.snappy')).toBe(false);
    }
    const failed = new Promise((done) => s.once('error', done));
    s.destroy(new Error('upstream failed'));
    expect(((await failed) as Error).message).toBe('upstream failed');
    if (!s.closed) await new Promise((done) => s.once('close', done));
    expect(listFiles(out)).toEqual([]);
  });

  it('counts a failed run as failed: a row with no CUSTOMER_ID errors the stream and leaves nothing', async () => {
    const out = tempDir();
    const { s } = sink(out, { rowsPerFile: 2 });
    await expect(write(s, [rows(3), [{ line: 9, fields: {}, values: { AGE: '3' } }]])).rejects.toMatchObject({ code: 'INVARIANT' });
    if (!s.closed) await new Promise((done) => s.once('close', done));
    expect(listFiles(out)).toEqual([]);
  });
});

describe('newtail prefix and paths', () => {
  it.each(['acme', 'Acme_01', 'x', 'a.b-c', '123'])('accepts %j', (prefix) => {
    expect(checkNewtailPrefix(prefix)).toBe(prefix);
  });

  it.each([undefined, '', 'a/b', '../x', 'a..b', '.hidden', 'a b', ' a', 'a\tb', 'a\\b', '-x', 'a/', 'ç'])('refuses %j with BAD_OPTION', (prefix) => {
    expect(() => checkNewtailPrefix(prefix)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });

  it('checks the prefix when the sink is built, before any file exists', () => {
    const out = tempDir();
    expect(() => sink(out, { prefix: undefined })).toThrow(/--prefix/);
    expect(existsSync(join(out, 'newtail'))).toBe(false);
  });

  it('names files by the UTC date of their timestamp', () => {
    expect(newtailFileKey(1694812122)).toBe('audiences/2023/09/15/1694812122.parquet.snappy');
    expect(newtailFileKey(0)).toBe('audiences/1970/01/01/0.parquet.snappy');
  });

  it('keeps the delta state beside the files, hidden and never a .parquet.snappy', () => {
    const path = newtailStatePath('/out', 'acme');
    expect(path).toBe(join('/out', 'newtail', 'acme', '.audience-etl-state.bin'));
    expect(() => newtailStatePath('/out', '../x')).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});
