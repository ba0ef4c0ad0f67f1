import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodedRange, packEncoded } from '../../src/destinations/encoded.js';
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
    expect(transfer).toHaveLength(5);
    // The message really moves them: a transferred buffer is detached on this side.
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(encoded, transfer);
    port1.close();
    port2.close();
    expect(encoded.bytes!.byteLength).toBe(0);
  });
});
