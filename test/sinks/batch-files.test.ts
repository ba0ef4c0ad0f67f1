import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appendItems, BatchFileSet, type OpenBody } from '../../sinks/batch-files.js';
import type { EncodedRows } from '../../src/destinations/types.js';
import { tempDir } from '../helpers/tmp.js';

/** Temporary body files of a series, read as they are now. */
function bodies(files: BatchFileSet): string[] {
  return (files as unknown as { temps: string[] }).temps.map((t) => readFileSync(t, 'utf8'));
}

/** Items `,item-0,item-1,…` as a worker hands them over: UTF-8 bytes, ends in bytes. */
function encoded(count: number, width: number): EncodedRows {
  const items: string[] = [];
  const ends = new Uint32Array(count);
  for (let i = 0, bytes = 0; i < count; i++) {
    items.push(',' + `é${i}`.padEnd(width, 'x'));
    bytes += Buffer.byteLength(items[i]!);
    ends[i] = bytes;
  }
  return { encoded: 'meta', rows: count, text: '', bytes: new Uint8Array(Buffer.from(items.join(''))), ends };
}

describe('BodyWriter.afterWrite', () => {
  it('calls back only once what was written before has reached the file', async () => {
    const files = new BatchFileSet(tempDir(), 'b-');
    const { writer } = await files.begin();
    await writer.write(Buffer.from('first '));
    const seen: string[] = [];
    writer.afterWrite(() => seen.push(bodies(files)[0]!));
    expect(seen).toEqual([]); // still pending: below a write's size
    await writer.write('second');
    await writer.close();
    expect(seen).toEqual(['first second']);
    // Nothing pending: at once.
    writer.afterWrite(() => seen.push('now'));
    expect(seen).toEqual(['first second', 'now']);
  });
});

describe('appendItems', () => {
  it.each([
    ['within one body', 50, 1000],
    ['across bodies, the last one left open', 2500, 1000],
    ['ending a body exactly', 2000, 1000],
    ['in writes larger than one flush', 40_000, 100_000],
  ])('releases the bytes once, after every item in them was written (%s)', async (_name, count, perBody) => {
    const files = new BatchFileSet(tempDir(), 'b-');
    let current: OpenBody | undefined;
    const body = {
      current: () => current,
      open: async () => (current = { writer: (await files.begin()).writer, count: 0 }),
      close: async () => {
        await current!.writer.close();
        current = undefined;
      },
    };
    const chunk = encoded(count, 12);
    const expected = Buffer.from(chunk.bytes!).toString('utf8');
    const released: string[] = [];
    chunk.release = () => released.push(bodies(files).join(','));
    await appendItems(chunk, perBody, body);
    if (current !== undefined) await body.close();
    // Every item was on disk when the bytes were released (read in the callback); each body holds whole items.
    expect(released).toEqual([expected.slice(1)]);
    expect(bodies(files).map((b) => b.split(',').length)).toEqual(Array.from({ length: Math.ceil(count / perBody) }, (_, i) => Math.min(perBody, count - i * perBody)));
  });
});
