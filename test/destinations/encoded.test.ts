import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodedRange, packedBuffer, packEncoded } from '../../src/destinations/encoded.js';
import type { EncodedRows } from '../../src/destinations/types.js';

const decoder = new TextDecoder();

/** Items as an encoder makes them: one string, and each item's end in characters. */
function encode(items: string[]): EncodedRows {
  const ends = new Uint32Array(items.length);
  let text = '';
  items.forEach((item, i) => {
    text += item;
    ends[i] = text.length;
  });
  return { encoded: 'meta', rows: items.length, text, ends, parts: new Uint8Array(items.length) };
}

/** Item i read back through encodedRange. */
function item(encoded: EncodedRows, i: number): string {
  const range = encodedRange(encoded, i === 0 ? 0 : encoded.ends[i - 1]!, encoded.ends[i]!);
  return typeof range === 'string' ? range : decoder.decode(range);
}

/** Columns of random lengths and contents, as encodeColumns makes them (values, ends, levels). */
const columnsArbitrary = fc.array(
  fc.tuple(fc.uint8Array({ maxLength: 37 }), fc.array(fc.nat(), { maxLength: 9 }), fc.uint8Array({ maxLength: 9 })),
  { minLength: 1, maxLength: 6 },
);

describe('packEncoded, columns', () => {
  it('copies a block’s columns into one buffer, as they were, in a spare when one is large enough', () => {
    fc.assert(
      fc.property(columnsArbitrary, fc.constantFrom(undefined, 0, 64, 1 << 20), (parts, spareSize) => {
        const columns = parts.map(([values, ends, levels]) => ({ values, ends: Uint32Array.from(ends), levels }));
        const expected = columns.map((c) => [[...c.values], [...c.ends], [...c.levels]]);
        const encoded: EncodedRows = { encoded: 'newtail', rows: 0, text: '', ends: new Uint32Array(0), columns };
        const spare = spareSize === undefined ? undefined : new ArrayBuffer(spareSize);
        const spares = spare === undefined ? undefined : [spare];
        const transfer = packEncoded(encoded, spares);
        const buffer = packedBuffer(encoded);
        expect(buffer).toBeDefined();
        expect(transfer).toContain(buffer);
        expect(encoded.columns!.map((c) => [[...c.values], [...c.ends], [...c.levels]])).toEqual(expected);
        const size = columns.reduce((n, c) => n + c.values.byteLength + c.ends.byteLength + c.levels.byteLength, 0);
        if (spare !== undefined && spare.byteLength >= size + 3 * 3 * columns.length) expect(buffer).toBe(spare);
        if (spares === undefined) expect(buffer!.byteLength).toBeLessThan(size + 4 * 3 * columns.length);
      }),
      { numRuns: 500 },
    );
  });

  it('packedBuffer: none for a chunk whose pieces live in buffers of their own', () => {
    const encoded: EncodedRows = {
      encoded: 'newtail', rows: 1, text: '', ends: new Uint32Array(0),
      columns: [{ values: new Uint8Array(4), ends: new Uint32Array([4]), levels: new Uint8Array([1]) }],
    };
    expect(packedBuffer(encoded)).toBeUndefined();
  });
});

describe('packEncoded', () => {
  it('turns the text into UTF-8 bytes with every item end in bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ',', 'é', 'Ω', '😀', '"'), minLength: 1 }), { minLength: 1, maxLength: 20 }), (items) => {
        const encoded = encode(items);
        expect(items.map((_, i) => item(encoded, i))).toEqual(items);
        const transfer = packEncoded(encoded);
        expect(encoded.text).toBe('');
        expect(decoder.decode(encoded.bytes)).toBe(items.join(''));
        expect(items.map((_, i) => item(encoded, i))).toEqual(items);
        expect(transfer).toContain(encoded.bytes!.buffer);
        expect(transfer).toContain(encoded.ends.buffer);
        expect(transfer).toContain(encoded.parts!.buffer);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps ASCII ends as they are and transfers only buffers a view owns whole', () => {
    const encoded = encode([',["a"]', ',["b"]']);
    const shared = new Uint8Array(16);
    encoded.columns = [{ values: shared.subarray(4, 8), ends: new Uint32Array([2, 4]), levels: new Uint8Array([1, 1]) }];
    const ends = encoded.ends;
    const transfer = packEncoded(encoded);
    expect(encoded.ends).toBe(ends);
    expect([...encoded.ends]).toEqual([6, 12]);
    expect(transfer).not.toContain(shared.buffer);
    // The bytes, the item ends, the parts, and the columns packed into one buffer.
    expect(transfer).toHaveLength(4);
    expect([...encoded.columns[0]!.values]).toEqual([0, 0, 0, 0]);
    // The message really moves them: a transferred buffer is detached on this side.
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(encoded, transfer);
    port1.close();
    port2.close();
    expect(encoded.bytes!.byteLength).toBe(0);
  });
});
