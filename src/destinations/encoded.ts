import type { EncodedRows } from './types.js';

/**
 * Encoded rows as they cross from a worker thread to the sink's: the items as UTF-8 bytes whose
 * buffer is transferred, not copied. A string crosses threads by being serialized and rebuilt, and
 * a string built by concatenation must first be flattened: for Meta that was ~0.6 µs a row of the
 * worker's time, and the sink's thread then encoded the text to UTF-8 again to write it.
 */

const utf8 = new TextEncoder();

/**
 * Turns `encoded.text` into `encoded.bytes` (its `ends` then count bytes) and returns the buffers
 * the message may transfer: those of the bytes and of every typed array that owns its buffer.
 */
export function packEncoded(encoded: EncodedRows): ArrayBuffer[] {
  const transfer = new Set<ArrayBuffer>();
  const own = (view: ArrayBufferView | undefined) => {
    if (view !== undefined && view.byteOffset === 0 && view.buffer instanceof ArrayBuffer && view.byteLength === view.buffer.byteLength) transfer.add(view.buffer);
  };
  if (encoded.text.length > 0) {
    const text = encoded.text;
    const bytes = utf8.encode(text);
    // UTF-8 is one byte a character only for ASCII text: otherwise count each item's bytes.
    if (bytes.length !== text.length) encoded.ends = byteEnds(text, encoded.ends);
    encoded.bytes = bytes;
    encoded.text = '';
  }
  own(encoded.bytes);
  own(encoded.ends);
  own(encoded.parts);
  for (const column of encoded.columns ?? []) {
    own(column.values);
    own(column.ends);
    own(column.levels);
  }
  return [...transfer];
}

/** Item ends in UTF-8 bytes, from their ends in characters. */
function byteEnds(text: string, ends: Uint32Array): Uint32Array {
  const out = new Uint32Array(ends.length);
  let bytes = 0;
  for (let i = 0, at = 0; i < ends.length; i++) {
    bytes += Buffer.byteLength(text.slice(at, ends[i]), 'utf8');
    out[i] = bytes;
    at = ends[i]!;
  }
  return out;
}

/** What `encoded` holds from offset `start` to `end` (characters of its text, or bytes once packed): a slice, or a view. */
export function encodedRange(encoded: EncodedRows, start: number, end: number): string | Uint8Array {
  return encoded.bytes !== undefined ? encoded.bytes.subarray(start, end) : encoded.text.slice(start, end);
}
