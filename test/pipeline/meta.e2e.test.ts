import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runDestination } from '../../src/pipeline/run.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'customers.csv');
const NOW = () => new Date('2026-11-25T12:00:00Z');

interface MetaBody {
  session: { session_id: number; batch_seq: number; last_batch_flag: boolean; estimated_num_total: number };
  payload: { schema: string[]; data: unknown[][] };
}
const readBatches = (out: string): MetaBody[] =>
  listFiles(join(out, 'meta')).map((f) => JSON.parse(readFileSync(join(out, 'meta', f), 'utf8')) as MetaBody);

/** Rows of all batches as objects keyed by schema, in file order. */
const records = (bodies: MetaBody[]) =>
  bodies.flatMap((b) => b.payload.data.map((row) => Object.fromEntries(b.payload.schema.map((k, i) => [k, row[i]]))));

describe('run meta on the shipped example', () => {
  it('writes one session of batches, a report that balances, and rejects with lines and reasons', async () => {
    const out = tempDir();
    const result = await runDestination({ destination: 'meta', input: EXAMPLE, out, defaultCountry: 'US', sessionId: '9778993', batchSize: 4, now: NOW });
    const bodies = readBatches(out);
    expect(listFiles(out)).toEqual(['meta/batch-000001.json', 'meta/batch-000002.json', 'meta/batch-000003.json', 'meta/batch-000004.json', 'rejects.ndjson', 'report.json']);
    expect(bodies.map((b) => b.session)).toEqual(
      [1, 2, 3, 4].map((seq) => ({ session_id: 9778993, batch_seq: seq, last_batch_flag: seq === 4, estimated_num_total: result.stats.rows_out })),
    );
    expect(bodies[0]!.payload.schema).toEqual(['EXTERN_ID', 'EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'ST', 'CT', 'ZIP', 'COUNTRY', 'MADID']);

    const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
    expect(report.rows_in).toBe(16);
    expect(report.rows_in).toBe(report.rows_out + report.rows_rejected);
    expect(report.rows_out).toBe(records(bodies).length);
    const rejects = readFileSync(result.rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      { line: 13, reason: 'no_match_key' },
      { line: 17, reason: 'field_count_mismatch' },
    ]);

    const byId = Object.fromEntries(records(bodies).map((r) => [r.EXTERN_ID, r]));
    // The documented vectors: "  Mary@Example.COM " and "+1 (555) 987-6543".
    expect(byId['C-1001']!.EMAIL).toBe('f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79');
    expect(byId['C-1001']!.PHONE).toBe('1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e');
    expect(byId['C-1001']!.FN).toBe(sha('maryann'));
    expect(byId['C-1001']!.LN).toBe(sha('obrien'));
    expect(byId['C-1001']!.FI).toBe(sha('m'));
    expect(byId['C-1001']!.GEN).toBe(sha('f'));
    expect(byId['C-1001']!.ST).toBe(sha('ny'));
    expect(byId['C-1001']!.CT).toBe(sha('newyork'));
    expect(byId['C-1001']!.DOBY).toBe(sha('1985'));
    expect(byId['C-1001']!.DOBM).toBe(sha('03'));
    expect(byId['C-1001']!.DOBD).toBe(sha('14'));
    expect(byId['C-1001']!.COUNTRY).toBe(sha('us'));
    // A US phone without country code takes the default country; ZIP+4 keeps 5 digits.
    expect(byId['C-1002']!.PHONE).toBe(sha('18005550100'));
    expect(byId['C-1002']!.ZIP).toBe(sha('94035'));
    expect(byId['C-1002']!.COUNTRY).toBe(sha('us'));
    // NFC: a decomposed "José" hashes as the precomposed one; São Paulo folds to saopaulo.
    expect(byId['C-1003']!.FN).toBe(sha('josé'));
    expect(byId['C-1003']!.CT).toBe(sha('saopaulo'));
    // Placeholders are empty, never hashed: "n/a" email, "0000000000" phone.
    expect(byId['C-1004']!.EMAIL).toBe('');
    expect(byId['C-1004']!.PHONE).toBe('');
    // An impossible date is invalid, not guessed.
    expect(byId['C-1005']!.DOBY).toBe('');
    expect(byId['C-1005']!.ZIP).toBe(sha('sw1a1'));
    expect(byId['C-1005']!.PHONE).toBe(sha('442079460958'));
    // An email that arrived hashed (upper-case hex) passes through lowercased.
    expect(byId['C-1006']!.EMAIL).toBe('f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79');
    // MADID lowercase, not hashed.
    expect(byId['C-1007']!.MADID).toBe('6d92078a-8246-4ba4-ae5b-76104861e7dc');
    // A US ZIP that lost its leading zero; an invalid email is dropped from its row.
    expect(byId['C-1008']!.ZIP).toBe(sha('02134'));
    expect(byId['C-1008']!.EMAIL).toBe('');
    expect(byId['C-1008']!.ST).toBe(sha('ma'));
    expect(byId['C-1009']!.ST).toBe(sha('qc'));
    expect(byId['C-1010']!.PHONE).toBe(sha('442079460958'));
    expect(byId['C-1010']!.COUNTRY).toBe(sha('de'));
    expect(byId['C-1010']!.ST).toBe(sha('bavaria'));
    expect(byId['C-1011']!.PHONE).toBe(sha('6512435678'));
    expect(byId['C-1014']!.PHONE).toBe(sha('61212345678'));
    expect(report.fields.EMAIL.arrived_hashed).toBe(1);
    expect(report.fields.EMAIL.invalid).toBe(1);

    // Order is kept: rows come out in input order, rejected rows left out.
    expect(records(bodies).map((r) => r.EXTERN_ID)).toEqual(['C-1001', 'C-1002', 'C-1003', 'C-1004', 'C-1005', 'C-1006', 'C-1007', 'C-1008', 'C-1009', 'C-1010', 'C-1011', 'C-1013', 'C-1014', 'C-1015']);

    // No raw PII in the report or the rejects.
    const text = readFileSync(result.reportPath, 'utf8') + readFileSync(result.rejectsPath, 'utf8');
    for (const pii of ['example.com', 'Mary', 'Smith', '555', 'Paulo', '1985']) expect(text).not.toContain(pii);
  });

  it('reads --date-format layouts for birth dates', async () => {
    const out = tempDir();
    await runDestination({ destination: 'meta', input: EXAMPLE, out, defaultCountry: 'US', dateFormat: 'DD/MM/YYYY', now: NOW });
    const byId = Object.fromEntries(records(readBatches(out)).map((r) => [r.EXTERN_ID, r]));
    expect(byId['C-1013']!.DOBY).toBe(sha('1991'));
    expect(byId['C-1013']!.DOBM).toBe(sha('05'));
    expect(byId['C-1013']!.DOBD).toBe(sha('14'));
  });

  it('adds Limited Data Use columns with --ldu, the country and state when given', async () => {
    const out = tempDir();
    await runDestination({ destination: 'meta', input: EXAMPLE, out, ldu: { country: 1, state: 1000 }, now: NOW });
    const [body] = readBatches(out);
    expect(body!.payload.schema.slice(-3)).toEqual(['DATA_PROCESSING_OPTIONS', 'DATA_PROCESSING_OPTIONS_COUNTRY', 'DATA_PROCESSING_OPTIONS_STATE']);
    expect(body!.payload.data[0]!.slice(-3)).toEqual([['LDU'], 1, 1000]);
  });

  it('takes LDU per row from a data_processing_options column, and leaves it out without one', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, 'email,data_processing_options\na@x.com,LDU\nb@x.com,\n');
    await runDestination({ destination: 'meta', input, out: join(dir, 'out'), now: NOW });
    const [body] = readBatches(join(dir, 'out'));
    expect(body!.payload.schema).toEqual(['EMAIL', 'DATA_PROCESSING_OPTIONS']);
    expect(body!.payload.data.map((r) => r[1])).toEqual([['LDU'], []]);
    const noLdu = join(dir, 'plain');
    writeFileSync(input, 'email\na@x.com\n');
    await runDestination({ destination: 'meta', input, out: noLdu, now: NOW });
    expect(readBatches(noLdu)[0]!.payload.schema).toEqual(['EMAIL']);
  });

  it('keeps rows_in = rows_out + rows_rejected and the input order for any rows', async () => {
    const cell = fc.constantFrom('', 'n/a', 'a@x.com', ' B@Y.org ', 'bad', '+1 212 555 0100', '0000000', 'Ana', 'José', '"q,"', '1985-01-02');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), cell, cell, cell, cell), { maxLength: 30 }), async (rows) => {
        const dir = tempDir();
        const input = join(dir, 'in.csv');
        const lines = rows.map(([withId, ...r], i) => [withId ? `id${i}` : '', ...r].join(','));
        writeFileSync(input, ['customer_id,email,phone,first_name,birth_date', ...lines].join('\n') + '\n');
        const out = join(dir, 'out');
        const result = await runDestination({ destination: 'meta', input, out, defaultCountry: 'US', batchSize: 7, now: NOW });
        expect(result.stats.rows_in).toBe(rows.length);
        expect(result.stats.rows_in).toBe(result.stats.rows_out + result.stats.rows_rejected);
        const ids = records(readBatches(out)).map((r) => r.EXTERN_ID as string).filter((id) => id !== '');
        expect(ids).toEqual([...ids].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2))));
        expect(ids).toEqual(rows.flatMap(([withId], i) => (withId ? [`id${i}`] : [])));
        const rejects = result.stats.rows_rejected ? readFileSync(result.rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).line) : [];
        expect(rejects).toEqual([...rejects].sort((a, b) => a - b));
      }),
      { numRuns: 25 },
    );
  });
});
