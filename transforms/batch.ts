import { Transform, type TransformCallback } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';
import type { Row, RowChunk } from '../src/model/row.js';

export interface BatchOptions {
  /** Rows per batch; the last batch may be smaller. */
  size: number;
}

/** Stage: rows (one or arrays of any size) → arrays of exactly `size` rows, the last one shorter. */
export function batch(options: BatchOptions): Transform {
  const size = options.size;
  if (!Number.isInteger(size) || size < 1) throw new AudienceEtlError('BAD_OPTION', `batch size must be a positive integer, got ${size}`);
  let current: Row[] = [];
  return new Transform({
    objectMode: true,
    // A batch can be 10,000 rows of hashes (tens of MB): hold at most one beyond the sink's.
    writableHighWaterMark: 2,
    readableHighWaterMark: 1,
    transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback) {
      const rows = Array.isArray(chunk) ? chunk : [chunk];
      let from = 0;
      while (from < rows.length) {
        const take = Math.min(size - current.length, rows.length - from);
        if (take === rows.length && current.length === 0 && take === size) {
          this.push(rows);
          from = rows.length;
          break;
        }
        for (let i = 0; i < take; i++) current.push(rows[from + i]!);
        from += take;
        if (current.length === size) {
          this.push(current);
          current = [];
        }
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (current.length) this.push(current);
      current = [];
      callback();
    },
  });
}
