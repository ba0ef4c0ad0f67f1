import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import type { Row } from '../src/model/row.js';
import type { RunStats } from '../src/model/stats.js';
import { jsonElementToRow, parseJsonText } from './json-record.js';

export interface JsonParseOptions {
  file?: string;
  stats?: RunStats;
}

/** Newline-delimited JSON: one object per line; blank lines skipped. Pure engine plus thin stream. */
export class NdjsonEngine {
  private pending = '';
  private line = 1;
  private byte = 0;
  private started = false;

  constructor(private readonly options: JsonParseOptions = {}) {}

  push(text: string, out: Row[]): void {
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.byte = 3;
      }
    }
    const data = this.pending + text;
    let start = 0;
    let eol = data.indexOf('\n');
    while (eol !== -1) {
      this.handle(data, start, eol, out);
      start = eol + 1;
      eol = data.indexOf('\n', start);
    }
    this.pending = data.slice(start);
  }

  end(out: Row[]): void {
    if (this.pending.length) this.handle(this.pending, 0, this.pending.length, out);
    this.pending = '';
  }

  private handle(data: string, start: number, end: number, out: Row[]): void {
    const text = data.slice(start, end);
    const line = this.line++;
    const byte = this.byte;
    this.byte += Buffer.byteLength(text) + (end < data.length ? 1 : 0);
    if (text.trim().length === 0) return;
    const value = parseJsonText(text, { file: this.options.file, line, byte });
    jsonElementToRow(value, line, out, this.options.stats);
  }
}

/** NDJSON bytes → arrays of Rows. */
export function parseNdjson(options: JsonParseOptions = {}): Transform {
  const engine = new NdjsonEngine(options);
  const decoder = new StringDecoder('utf8');
  return new Transform({
    readableObjectMode: true,
    writableHighWaterMark: 1 << 16,
    readableHighWaterMark: 2,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      const rows: Row[] = [];
      try {
        engine.push(decoder.write(chunk), rows);
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (rows.length) this.push(rows);
      callback();
    },
    flush(callback: TransformCallback) {
      const rows: Row[] = [];
      try {
        engine.push(decoder.end(), rows);
        engine.end(rows);
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (rows.length) this.push(rows);
      callback();
    },
  });
}
