import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import { RunStats } from '../../src/model/stats.js';
import { CsvEngine, detectDelimiter, parseCsv } from '../../transforms/parse-csv.js';
import { cut, runStage } from '../helpers/streams.js';

const parseAll = (text: string, chunks: string[] = [text], stats?: RunStats) => {
  const engine = new CsvEngine({ file: 'in.csv', stats });
  const rows: { line: number; fields: Record<string, string> }[] = [];
  for (const c of chunks) engine.push(c, rows);
  engine.end(rows);
  return rows;
};

describe('CsvEngine', () => {
  it('maps header columns to values and numbers physical lines from the header (line 1)', () => {
    const rows = parseAll('email,phone\na@x.com,1\n\nb@x.com,2\n');
    expect(rows).toEqual([
      { line: 2, fields: { email: 'a@x.com', phone: '1' } },
      { line: 4, fields: { email: 'b@x.com', phone: '2' } },
    ]);
  });

  it('gives a multi-line quoted record the line where it starts, and counts its lines', () => {
    const rows = parseAll('a,b\r\n"x\r\ny",1\r\n"p""q",2\r\nlast,3');
    expect(rows).toEqual([
      { line: 2, fields: { a: 'x\r\ny', b: '1' } },
      { line: 4, fields: { a: 'p"q', b: '2' } },
      { line: 5, fields: { a: 'last', b: '3' } },
    ]);
  });

  it.each([
    ['comma', 'a,b\n1,2\n', ','],
    ['tab', 'a\tb\n1\t2\n', '\t'],
    ['semicolon', 'a;b\n1;2\n', ';'],
    ['pipe', 'a|b\n1|2\n', '|'],
    ['comma inside quotes does not count', '"a,b,c";d;e\n', ';'],
    ['single column', 'email\n', ','],
  ])('detects the %s delimiter', (_name, text, delimiter) => {
    expect(detectDelimiter(text.split('\n')[0]!)).toBe(delimiter);
  });

  it('strips a UTF-8 byte order mark, also before a quoted header', () => {
    expect(parseAll('\uFEFF"email",x\nq@x.com,1\n')[0]!.fields).toEqual({ email: 'q@x.com', x: '1' });
  });

  it('passes on a record whose field count differs from the header as rejected, and keeps going', () => {
    const stats = new RunStats();
    const rows = parseAll('a,b\n1,2\n1,2,3\n4,5\n', undefined, stats);
    expect(rows).toEqual([
      { line: 2, fields: { a: '1', b: '2' } },
      { line: 3, fields: {}, rejected: 'field_count_mismatch' },
      { line: 4, fields: { a: '4', b: '5' } },
    ]);
    expect(stats.rowsIn).toBe(3);
  });

  it('names line, field and byte of a character after a closing quote', () => {
    let error: unknown;
    try {
      parseAll('email,name\nok@x.com,"Bob"x\n');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AudienceEtlError);
    const e = error as AudienceEtlError;
    expect(e.code).toBe('CSV_SYNTAX');
    expect(e.line).toBe(2);
    expect(e.column).toBe(2);
    expect(e.byte).toBe(25);
    expect(e.message).toContain('line 2');
    expect(e.message).toContain('in.csv');
    expect(e.message).not.toContain('Bob');
    expect(e.message).not.toContain('ok@x.com');
  });

  it('names the line where a never-closed quote opens', () => {
    expect(() => parseAll('a,b\n1,2\n3,"open\n\n\n')).toThrowError(/never closed at line 3, column 2/);
  });

  it('counts bytes of multi-byte characters in error offsets', () => {
    try {
      parseAll('name,x\nJosé,"a"b\n');
      expect.unreachable();
    } catch (err) {
      // "name,x\n" = 7 bytes, "José," = 6 bytes, '"a"' = 3 → the stray b is byte 16.
      expect((err as AudienceEtlError).byte).toBe(16);
    }
  });

  it('parses the same records as csv-parse, under any split into chunks', () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9 @.+-]{0,8}$/),
      fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
      fc.constantFrom('"a\nb"', '"x,y"', '"q""q"', 'é', '"José\r\nSilva"'),
    );
    const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
      fc.tuple(fc.constant(width), fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 })),
    );
    fc.assert(
      fc.property(table, fc.array(fc.nat(400)), fc.constantFrom('\n', '\r\n'), ([width, records], points, eol) => {
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        // A record of one empty cell is a blank line, which both parsers skip.
        const kept = records.filter((r) => !(width === 1 && (r[0] === '' || r[0] === '""')));
        const text = [header.join(','), ...kept.map((r) => r.join(','))].join(eol) + eol;
        const expected = csvParse(text, { columns: true, skip_empty_lines: true, relax_column_count: false, delimiter: ',' });
        const ours = parseAll(text, cut(text, points)).map((r) => r.fields);
        expect(ours).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('parses as csv-parse with any delimiter, quotes inside unquoted cells and blank lines, and numbers lines', () => {
    const delimiter = fc.constantFrom(',', ';', '\t', '|');
    fc.assert(
      fc.property(delimiter, fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(300)), (d, width, points) => {
        const cell = fc.oneof(
          fc.stringMatching(/^[a-z0-9 @.+-]{0,10}$/),
          fc.constantFrom('a"b', 'x""', 'é', `"${d}"`, '"l1\nl2"', '"q""q"', '"r\r\ns"', `p${d === ',' ? ';' : ','}q`),
        );
        const record = fc.array(cell, { minLength: width, maxLength: width });
        return fc.assert(
          fc.property(fc.array(fc.oneof({ weight: 6, arbitrary: record }, { weight: 1, arbitrary: fc.constant(null) }), { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (records, eol) => {
            const header = Array.from({ length: width }, (_, i) => `c${i}`).join(d);
            const lines = [header];
            const expectedLines: number[] = [];
            let line = 2;
            for (const r of records) {
              // null: a blank line. A record of one empty cell is a blank line too.
              const text = r === null ? '' : r.join(d);
              if (text !== '') expectedLines.push(line);
              lines.push(text);
              line += 1 + (text.match(/\r\n|\n/g)?.length ?? 0);
            }
            const text = lines.join(eol) + eol;
            const expected = csvParse(text, { columns: true, skip_empty_lines: true, relax_quotes: true, delimiter: d });
            const ours = new CsvEngine({ file: 'in.csv', delimiter: d as ',' });
            const rows: { line: number; fields: Record<string, string> }[] = [];
            for (const c of cut(text, points)) ours.push(c, rows);
            ours.end(rows);
            expect(rows.map((r) => r.fields)).toEqual(expected);
            expect(rows.map((r) => r.line)).toEqual(expectedLines);
          }),
          { numRuns: 20 },
        );
      }),
      { numRuns: 100 },
    );
  });

  it('splits a long single-column file (no delimiter to find) into its records', () => {
    const text = 'email\n' + Array.from({ length: 20_000 }, (_, i) => `user${i}@example.com`).join('\n') + '\n';
    const rows = parseAll(text);
    expect(rows).toHaveLength(20_000);
    expect(rows[19_999]).toEqual({ line: 20_001, fields: { email: 'user19999@example.com' } });
  });

  it('reads a lone carriage return as a line end on either path', () => {
    expect(parseAll('a,b\r1,2\r3,4\n5,6\r\n').map((r) => [r.line, r.fields])).toEqual([
      [2, { a: '1', b: '2' }],
      [3, { a: '3', b: '4' }],
      [4, { a: '5', b: '6' }],
    ]);
  });

  it('either parses any bytes or fails with a position', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = Buffer.from(bytes).toString('utf8');
        try {
          parseAll(text);
        } catch (err) {
          expect(err).toBeInstanceOf(AudienceEtlError);
          const e = err as AudienceEtlError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.byte).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseCsv stage', () => {
  it('decodes UTF-8 split across chunks and emits arrays of rows', async () => {
    const bytes = Buffer.from('name\nJosé\nSão Paulo\n');
    const rows = await runStage(parseCsv(), [bytes.subarray(0, 9), bytes.subarray(9, 19), bytes.subarray(19)]);
    expect(rows.map((r) => r.fields.name)).toEqual(['José', 'São Paulo']);
  });

  it('reports a malformed quote as a stream error', async () => {
    await expect(runStage(parseCsv({ file: 'bad.csv' }), ['a,b\n"x"y,1\n'])).rejects.toThrow(/line 2, column 1 \(byte 7\) of bad.csv/);
  });
});
