import type { EncodedColumn, EncodedRows } from './types.js';

/**
 * Encoded rows as they cross from a worker thread to the sink's: the items as UTF-8 bytes whose
 * buffer is transferred, not copied. A string crosses threads by being serialized and rebuilt, and
 * a string built by concatenation must first be flattened: for Meta that was ~0.6 µs a row of the
 * worker's time, and the sink's thread then encoded the text to UTF-8 again to write it.
 */

const utf8 = new TextEncoder();

/**
 * The least a new buffer holds once its buffers come back (`spares`): a block's items (~260 KB for
 * Meta) fit with room to spare, so a buffer given back serves the next block whatever its size.
 */
const MIN_SPARE_BYTES = 512 * 1024;

/**
 * Turns `encoded.text` into `encoded.bytes` (its `ends` then count bytes) and returns the buffers
 * the message may transfer: those of the bytes and of every typed array that owns its buffer.
 *
 * With `spares` (buffers the receiving thread gave back once it wrote their bytes), the bytes go
 * into one of them when it is large enough, else into a new buffer with room to spare, to be given
 * back in turn: written memory is reused, where a fresh buffer per block cost page faults (~0.15
 * us a Meta row) and, on the receiving thread, collections forced by external memory. Without,
 * the buffer is the bytes' exact size.
 */
export function packEncoded(encoded: EncodedRows, spares?: ArrayBuffer[]): ArrayBuffer[] {
  const transfer = new Set<ArrayBuffer>();
  const own = (view: ArrayBufferView | undefined) => {
    if (view !== undefined && view.byteOffset === 0 && view.buffer instanceof ArrayBuffer && view.byteLength === view.buffer.byteLength) transfer.add(view.buffer);
  };
  if (encoded.text.length > 0) {
    const text = encoded.text;
    let bytes: Uint8Array | undefined;
    const spare = spares?.pop();
    // At least a byte a character; a spare too small is dropped (a larger one replaces it).
    if (spare !== undefined && spare.byteLength >= text.length) {
      const view = new Uint8Array(spare);
      const { read, written } = utf8.encodeInto(text, view);
      if (read === text.length) bytes = view.subarray(0, written);
    }
    if (bytes === undefined) {
      const size = Buffer.byteLength(text, 'utf8');
      const buffer = Buffer.allocUnsafeSlow(spares === undefined ? size : Math.max(MIN_SPARE_BYTES, Math.ceil(size * 1.5)));
      buffer.write(text, 0, size, 'utf8');
      bytes = new Uint8Array(buffer.buffer, 0, size);
    }
    // UTF-8 is one byte a character only for ASCII text: otherwise count each item's bytes.
    if (bytes.length !== text.length) encoded.ends = byteEnds(text, encoded.ends);
    encoded.bytes = bytes;
    encoded.text = '';
    // The bytes' buffer is theirs alone, though it may be longer than they are.
    transfer.add(bytes.buffer as ArrayBuffer);
  } else {
    own(encoded.bytes);
  }
  own(encoded.ends);
  own(encoded.parts);
  if (encoded.columns !== undefined && encoded.columns.length > 0) {
    transfer.add(packColumns(encoded.columns, spares));
  }
  return [...transfer];
}

/**
 * Copies a block's Parquet columns into one buffer (a spare when one is large enough, as for
 * text) and points them at it: one buffer to transfer and, once the sink has appended the rows,
 * to give back (see `packedBuffer`). Twenty-odd fresh typed arrays a block made the receiving
 * thread's collections run every ~50 ms, forced by external memory.
 */
function packColumns(columns: EncodedColumn[], spares: ArrayBuffer[] | undefined): ArrayBuffer {
  let size = 0;
  for (const column of columns) size += align4(column.ends.byteLength) + align4(column.values.byteLength) + align4(column.levels.byteLength);
  const spare = spares?.pop();
  const buffer = spare !== undefined && spare.byteLength >= size ? spare : new ArrayBuffer(spares === undefined ? size : Math.max(MIN_SPARE_BYTES, Math.ceil(size * 1.5)));
  let at = 0;
  const place = <T extends Uint8Array | Uint32Array>(view: T, make: (buffer: ArrayBuffer, at: number, length: number) => T): T => {
    const copy = make(buffer, at, view.length);
    copy.set(view);
    at += align4(view.byteLength);
    return copy;
  };
  for (const column of columns) {
    // Uint32Array views need offsets that are multiples of 4: every piece is padded to one.
    column.ends = place(column.ends, (b, o, n) => new Uint32Array(b, o, n));
    column.values = place(column.values, (b, o, n) => new Uint8Array(b, o, n));
    column.levels = place(column.levels, (b, o, n) => new Uint8Array(b, o, n));
  }
  return buffer;
}

function align4(bytes: number): number {
  return (bytes + 3) & ~3;
}

/** The one buffer a chunk's bytes or columns were packed into (see `packEncoded`), if they were. */
export function packedBuffer(encoded: EncodedRows): ArrayBuffer | undefined {
  const buffer = encoded.bytes?.buffer ?? encoded.columns?.[0]?.ends.buffer;
  if (!(buffer instanceof ArrayBuffer)) return undefined;
  const shared = (encoded.columns ?? []).every((c) => c.ends.buffer === buffer && c.values.buffer === buffer && c.levels.buffer === buffer);
  return shared && (encoded.bytes === undefined || encoded.bytes.buffer === buffer) ? buffer : undefined;
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
