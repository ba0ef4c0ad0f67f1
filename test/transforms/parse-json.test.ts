import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import type { Row } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { JsonArrayEngine } from '../../transforms/parse-json.js';
import { NdjsonEngine } from '../../transforms/parse-ndjson.js';
import { cut } from '../helpers/streams.js';

const viaArray = (chunks: string[], stats?: RunStats) => {
  const engine = new JsonArrayEngine({ file: 'in.json', stats });
  const rows: Row[] = [];
  for (const c of chunks) engine.push(c, rows);
  engine.end(rows);
  return rows;
};
const viaNdjson = (chunks: string[], stats?: RunStats) => {
  const engine = new NdjsonEngine({ file: 'in.ndjson', stats });
  const rows: Row[] = [];
  for (const c of chunks) engine.push(c, rows);
  engine.end(rows);
  return rows;
};

describe('JSON array', () => {
  it('streams objects with the line each starts on, values as strings', () => {
    const text = '[\n  {"email": "a@x.com", "age": 41, "vip": true, "note": null},\n  {\n    "email": "b@x.com",\n    "audiences": ["x", "y"]\n  }\n]\n';
    expect(viaArray([text])).toEqual([
      { line: 2, fields: { email: 'a@x.com', age: '41', vip: 'true', note: '' } },
      { line: 3, fields: { email: 'b@x.com', audiences: 'x;y' } },
    ]);
  });

  it('rejects elements that are not objects, counting them in', () => {
    const stats = new RunStats();
    const rows = viaArray(['[1, "s", {"a": "b"}, [2]]'], stats);
    expect(rows.map((r) => r.rejected)).toEqual(['not_an_object', 'not_an_object', undefined, 'not_an_object']);
    expect(stats.rowsIn).toBe(4);
  });

  it.each([
    ['a missing comma', '[{"a":1}\n{"a":2}]', 2, /expected ',' or ']'/],
    ['a syntax error inside an element', '[\n{"a":1},\n{"a":}\n]', 3, /JSON syntax error/],
    ['a trailing comma', '[{"a":1},]', 1, /trailing comma/],
    ['an unclosed array', '[{"a":1},\n{"a":2}', 2, /never closed/],
    ['an element cut short', '[{"a":1},\n{"a":"x', 2, /ends inside/],
    ['content after the array', '[]\n[]', 2, /after the end/],
    ['no array at all', '{"a":1}', 1, /expected '\['/],
    ['empty input', '  ', 1, /empty/],
  ])('fails on %s with its line', (_name, text, line, message) => {
    try {
      viaArray([text]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AudienceEtlError);
      expect((err as AudienceEtlError).code).toBe('JSON_SYNTAX');
      expect((err as AudienceEtlError).line).toBe(line);
      expect((err as AudienceEtlError).message).toMatch(message);
    }
  });

  it('never quotes the input in an error', () => {
    try {
      viaArray(['[{"email":"secret@x.com" "phone":"5551234"}]']);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toMatch(/secret|5551234/);
    }
  });

  it('gives the same rows under any split into chunks', () => {
    const record = fc.dictionary(fc.constantFrom('email', 'phone', 'name', 'x'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.array(fc.nat(300)), fc.boolean(), (records, points, pretty) => {
        const text = pretty ? JSON.stringify(records, null, 2) : JSON.stringify(records);
        const whole = viaArray([text]);
        expect(viaArray(cut(text, points))).toEqual(whole);
        expect(whole).toHaveLength(records.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('NDJSON', () => {
  it('numbers records by line and skips blank lines', () => {
    expect(viaNdjson(['{"a":"1"}\n\n{"a":"2"}\r\n'])).toEqual([
      { line: 1, fields: { a: '1' } },
      { line: 3, fields: { a: '2' } },
    ]);
  });

  it('names the line and byte of a syntax error', () => {
    try {
      viaNdjson(['{"a":"1"}\n{"a":2,}\n']);
      expect.unreachable();
    } catch (err) {
      expect((err as AudienceEtlError).line).toBe(2);
      expect((err as AudienceEtlError).byte).toBeGreaterThanOrEqual(10);
    }
  });

  it('either parses any bytes or fails with a position', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const text = Buffer.from(bytes).toString('utf8');
        for (const run of [viaNdjson, viaArray]) {
          try {
            run([text]);
          } catch (err) {
            expect(err).toBeInstanceOf(AudienceEtlError);
            expect((err as AudienceEtlError).line).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
