import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import { jsonElementToRow, parseJsonText } from './json-record.js';
import type { JsonParseOptions } from './parse-ndjson.js';

type Phase = 'start' | 'first' | 'value' | 'after' | 'done';

const STRUCTURE = /["{}[\]\n]/g;
const SCALAR_END = /[,\]\s]/g;

/** Index just past the closing quote of the string opening at `open`, or -1 when the text ends first. */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1) {
    let backslashes = 0;
    for (let k = at - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return at + 1;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}

function newlinesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * A top-level JSON array streamed element by element. Each element is cut out by a light scan
 * (strings and nesting only) and handed to the native JSON.parse, which is several times faster
 * than a token-by-token parser; the scan keeps the line and byte where each element starts so
 * rows and errors carry their position.
 */
export class JsonArrayEngine {
  private pending = '';
  private phase: Phase = 'start';
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
    this.pending = this.pending.length ? this.pending + text : text;
    this.parse(false, out);
  }

  end(out: Row[]): void {
    this.parse(true, out);
    if (this.phase === 'start') throw this.error('the input is empty: expected a JSON array', this.pending.length);
    if (this.phase !== 'done') throw this.error('the JSON array is never closed', this.pending.length);
  }

  private error(message: string, index: number, line = this.line + newlinesIn(this.pending, 0, index)): AudienceEtlError {
    const byte = this.byte + Buffer.byteLength(this.pending.slice(0, index));
    const lineStart = this.pending.lastIndexOf('\n', index - 1);
    return new AudienceEtlError('JSON_SYNTAX', message, { file: this.options.file, line, column: index - lineStart, byte, stage: 'parse' });
  }

  private parse(final: boolean, out: Row[]): void {
    const text = this.pending;
    const n = text.length;
    let i = 0;
    let line = this.line;
    let consumed = 0;
    let consumedLine = line;
    scan: while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 10) {
        i++;
        line++;
        continue;
      }
      switch (this.phase) {
        case 'start':
          if (c !== 91) throw this.error("expected '[' to open a JSON array (use --format ndjson for one object per line)", i);
          this.phase = 'first';
          i++;
          continue;
        case 'after':
          if (c === 44) this.phase = 'value';
          else if (c === 93) this.phase = 'done';
          else throw this.error("expected ',' or ']' after an array element", i);
          i++;
          continue;
        case 'done':
          throw this.error('unexpected content after the end of the JSON array', i);
        case 'first':
          if (c === 93) {
            this.phase = 'done';
            i++;
            continue;
          }
          break;
        case 'value':
          if (c === 93) throw this.error("unexpected ']' after ',' (trailing comma)", i);
          break;
      }
      // An element starts at i: commit what came before it, then find its end.
      consumed = i;
      consumedLine = line;
      const start = i;
      let end: number;
      let inner = 0;
      if (c === 123 || c === 91) {
        let depth = 0;
        STRUCTURE.lastIndex = i;
        end = -1;
        for (let m = STRUCTURE.exec(text); m !== null; m = STRUCTURE.exec(text)) {
          const ch = text.charCodeAt(m.index);
          if (ch === 34) {
            const close = stringEnd(text, m.index);
            if (close === -1) break;
            inner += newlinesIn(text, m.index, close);
            STRUCTURE.lastIndex = close;
          } else if (ch === 10) {
            inner++;
          } else if (ch === 123 || ch === 91) {
            depth++;
          } else if (--depth === 0) {
            end = m.index + 1;
            break;
          }
        }
      } else if (c === 34) {
        end = stringEnd(text, i);
      } else {
        SCALAR_END.lastIndex = i;
        const m = SCALAR_END.exec(text);
        end = m === null ? (final ? n : -1) : m.index;
      }
      if (end === -1) {
        if (!final) break scan;
        throw this.error('the input ends inside an array element', n, line);
      }
      const byte = this.byte + Buffer.byteLength(text.slice(0, start));
      const value = parseJsonText(text.slice(start, end), { file: this.options.file, line, byte });
      jsonElementToRow(value, line, out, this.options.stats);
      line += inner;
      i = end;
      this.phase = 'after';
      consumed = i;
      consumedLine = line;
    }
    if (i >= n) {
      consumed = n;
      consumedLine = line;
    }
    if (consumed > 0) {
      this.byte += Buffer.byteLength(consumed === n ? text : text.slice(0, consumed));
      this.pending = consumed === n ? '' : text.slice(consumed);
    }
    this.line = consumedLine;
  }
}

/** A JSON array of objects → arrays of Rows. */
export function parseJsonArray(options: JsonParseOptions = {}): Transform {
  const engine = new JsonArrayEngine(options);
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
