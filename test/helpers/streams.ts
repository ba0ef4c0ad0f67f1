import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Row, RowChunk } from '../../src/model/row.js';

/** Feeds `chunks` (strings or buffers) through a stage and collects the rows it emits. */
export async function runStage(stage: Transform, chunks: (string | Buffer | RowChunk)[], objectMode = false): Promise<Row[]> {
  const rows: Row[] = [];
  await pipeline(
    Readable.from(chunks.map((c) => (typeof c === 'string' && !objectMode ? Buffer.from(c) : c)), { objectMode: true }),
    stage,
    new Writable({
      objectMode: true,
      write(chunk: RowChunk, _e, cb) {
        if (Array.isArray(chunk)) rows.push(...chunk);
        else rows.push(chunk);
        cb();
      },
    }),
  );
  return rows;
}

/** Splits a string into pieces at the given cut points (for "any chunking" properties). */
export function cut(text: string, points: number[]): string[] {
  const sorted = [...new Set(points.map((p) => Math.max(0, Math.min(text.length, p))))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const p of sorted) {
    parts.push(text.slice(from, p));
    from = p;
  }
  parts.push(text.slice(from));
  return parts.filter((p) => p.length > 0);
}
