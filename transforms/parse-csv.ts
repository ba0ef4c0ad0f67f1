import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import type { RunStats } from '../src/model/stats.js';

export type CsvDelimiter = ',' | '\t' | ';' | '|';
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', '\t', ';', '|'];

export interface CsvParseOptions {
  /** Field delimiter; detected from the header line when not given. */
  delimiter?: CsvDelimiter;
  /** Input name for error messages. */
  file?: string;
  /**
   * Run counters: each record counts as a row in. A record with the wrong field count is passed on
   * as a rejected row (`row.rejected`), which the validate stage reports.
   */
  stats?: RunStats;
  /** Called once with the header's column names. */
  onHeader?: (columns: readonly string[], delimiter: CsvDelimiter) => void;
  /** Longest record accepted, in characters (an unclosed quote otherwise reads the whole file). */
  maxRecordLength?: number;
  /**
   * For parsing a block cut from the middle of a file (worker threads): the header's columns, so
   * no header line is expected, and where the block starts.
   */
  columns?: readonly string[];
  startLine?: number;
  startByte?: number;
  /**
   * Builds a record's `fields` from its cells, in header order (default: keyed by the header's
   * column names). A worker passes `ColumnMapper.shaper()` to get canonical fields in one step.
   */
  shape?: (cells: readonly string[]) => Record<string, string>;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const DEFAULT_MAX_RECORD = 16 * 1024 * 1024;

/** Counts `\n` in text[from, to). */
function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf('\n', from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}

/** The delimiter that occurs most often outside quotes in the header line (`,` on a tie or none). */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === '\t' || c === ';' || c === '|')) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  let bestCount = 0;
  for (const d of CSV_DELIMITERS) {
    const count = counts.get(d) ?? 0;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * A streaming RFC 4180 parser that knows where it is: each record carries the physical line it
 * starts on, and each error names line, column and byte offset. Pure engine: feed text with
 * `push()`, finish with `end()`; records come out through `emit`.
 */
export class CsvEngine {
  private readonly file: string | undefined;
  private readonly stats: RunStats | undefined;
  private readonly onHeader: CsvParseOptions['onHeader'];
  private readonly maxRecord: number;
  private readonly shape: CsvParseOptions['shape'];
  private delimiter: number | undefined;
  private header: string[] | undefined;
  private pending = '';
  /** Physical line of `pending[0]`. */
  private line = 1;
  /** Byte offset of `pending[0]` in the decoded input. */
  private byte = 0;
  private started = false;

  constructor(options: CsvParseOptions = {}) {
    this.file = options.file;
    this.stats = options.stats;
    this.onHeader = options.onHeader;
    this.maxRecord = options.maxRecordLength ?? DEFAULT_MAX_RECORD;
    this.shape = options.shape;
    if (options.columns !== undefined) {
      this.header = [...options.columns];
      this.started = true; // a block has no byte order mark
    }
    this.line = options.startLine ?? 1;
    this.byte = options.startByte ?? 0;
    if (options.delimiter !== undefined) {
      if (!CSV_DELIMITERS.includes(options.delimiter)) {
        throw new AudienceEtlError('BAD_OPTION', `unsupported CSV delimiter ${JSON.stringify(options.delimiter)}`);
      }
      this.delimiter = options.delimiter.charCodeAt(0);
    }
  }

  get columns(): readonly string[] | undefined {
    return this.header;
  }

  push(text: string, out: Row[]): void {
    if (!this.started) {
      if (text.length === 0) return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.byte = 3; // a UTF-8 byte order mark
      }
    }
    this.pending = this.pending.length ? this.pending + text : text;
    this.parse(false, out);
    if (this.pending.length > this.maxRecord) {
      throw this.error(`a record longer than ${this.maxRecord} characters (an unclosed quote?)`, this.line, 1, 0);
    }
  }

  end(out: Row[]): void {
    this.parse(true, out);
  }

  private error(message: string, line: number, column: number, index: number): AudienceEtlError {
    const byte = this.byte + Buffer.byteLength(this.pending.slice(0, index));
    return new AudienceEtlError('CSV_SYNTAX', message, { file: this.file, line, column, byte, stage: 'parse' });
  }

  private parse(final: boolean, out: Row[]): void {
    const text = this.pending;
    const n = text.length;
    if (this.delimiter === undefined) {
      let eol = text.indexOf('\n');
      if (eol === -1 && !final) return;
      if (eol === -1) eol = n;
      this.delimiter = detectDelimiter(text.slice(0, eol)).charCodeAt(0);
    }
    const delim = this.delimiter;
    let i = 0;
    let line = this.line;
    let consumed = 0; // index just past the last complete record
    let consumedLine = line;
    const fields: string[] = [];
    const delimChar = String.fromCharCode(delim);
    // Where the next quote, carriage return and delimiter are (2^32 - 1 when none; kept across
    // records, so a scan past a line's end is not repeated): a record without a quote or a carriage
    // return, ended by `\n` or `\r\n`, is split with indexOf, which beats a loop over characters.
    let nextQuote = -1;
    let nextDelim = -1;
    let nextCr = -1;

    records: while (i < n) {
      const recordStart = i;
      const recordLine = line;
      fields.length = 0;
      const eol = text.indexOf('\n', i);
      if (eol > i) {
        if (nextQuote < i) nextQuote = text.indexOf('"', i) >>> 0; // -1 (none) becomes 2^32 - 1
        if (nextCr < i) nextCr = text.indexOf('\r', i) >>> 0;
        const end = nextCr === eol - 1 ? eol - 1 : eol; // a CRLF line end
        if (nextQuote > eol && (nextCr > eol || nextCr === end) && end > i) {
          let start = i;
          for (;;) {
            if (nextDelim < start) nextDelim = text.indexOf(delimChar, start) >>> 0;
            if (nextDelim >= end) break;
            fields.push(text.slice(start, nextDelim));
            start = nextDelim + 1;
          }
          fields.push(text.slice(start, end));
          i = eol + 1;
          line++;
          this.record(fields, recordLine, out);
          consumed = i;
          consumedLine = line;
          continue;
        }
      }
      // A blank line is not a record.
      const first = text.charCodeAt(i);
      if (first === LF || first === CR) {
        if (first === CR && i + 1 >= n && !final) break;
        i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        consumed = i;
        consumedLine = line;
        continue;
      }
      for (;;) {
        // One field starts at i.
        if (i < n && text.charCodeAt(i) === QUOTE) {
          const fieldStart = i;
          let value = '';
          let segment = i + 1;
          for (;;) {
            const close = text.indexOf('"', segment);
            if (close === -1) {
              if (!final) break records;
              throw this.error('quoted field is never closed', recordLine, fields.length + 1, fieldStart);
            }
            if (close + 1 >= n && !final) break records;
            if (text.charCodeAt(close + 1) === QUOTE) {
              value += text.slice(segment, close + 1);
              segment = close + 2;
              continue;
            }
            value += text.slice(segment, close);
            line += countNewlines(text, fieldStart + 1, close);
            i = close + 1;
            break;
          }
          // Spaces may follow a closing quote; anything else but a delimiter or line end is malformed.
          while (i < n && (text.charCodeAt(i) === SPACE || (text.charCodeAt(i) === TAB && delim !== TAB))) i++;
          if (i >= n && !final) break records;
          const after = i < n ? text.charCodeAt(i) : LF;
          if (after !== delim && after !== LF && after !== CR) {
            throw this.error('unexpected character after a closing quote (a quote inside a quoted field must be doubled)', line, fields.length + 1, i);
          }
          fields.push(value);
        } else {
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          if (j >= n && !final) break records;
          fields.push(text.slice(i, j));
          i = j;
        }
        // After a field: a delimiter, a line end, or the end of input.
        if (i >= n) break;
        const c = text.charCodeAt(i);
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) break records;
          i += text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i++;
        }
        line++;
        break;
      }
      this.record(fields, recordLine, out);
      consumed = i;
      consumedLine = line;
      if (i === recordStart) break; // nothing consumed: cannot happen, guards an endless loop
    }

    if (consumed > 0) {
      this.byte += Buffer.byteLength(consumed === n ? text : text.slice(0, consumed));
      this.pending = consumed === n ? '' : text.slice(consumed);
    }
    this.line = consumedLine;
  }

  private record(fields: string[], line: number, out: Row[]): void {
    if (this.header === undefined) {
      const seen = new Map<string, number>();
      this.header = fields.map((name) => {
        const trimmed = name.trim();
        const count = (seen.get(trimmed) ?? 0) + 1;
        seen.set(trimmed, count);
        return count === 1 ? trimmed : `${trimmed}_${count}`;
      });
      this.onHeader?.(this.header, String.fromCharCode(this.delimiter!) as CsvDelimiter);
      return;
    }
    const header = this.header;
    if (this.stats) this.stats.rowsIn++;
    if (fields.length !== header.length) {
      out.push({ line, fields: {}, rejected: 'field_count_mismatch' });
      return;
    }
    if (this.shape !== undefined) {
      out.push({ line, fields: this.shape(fields) });
      return;
    }
    const record: Record<string, string> = {};
    for (let k = 0; k < header.length; k++) record[header[k]!] = fields[k]!;
    out.push({ line, fields: record });
  }
}

/**
 * CSV/TSV bytes → arrays of Rows (one array per input chunk), the header's columns as keys.
 * Delimiter detected from the header line unless given.
 */
export function parseCsv(options: CsvParseOptions = {}): Transform {
  const engine = new CsvEngine(options);
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
        const rest = decoder.end();
        if (rest) engine.push(rest, rows);
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
