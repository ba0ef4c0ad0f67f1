import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { datax } from '../../src/destinations/datax.js';
import type { CanonicalField } from '../../src/model/fields.js';
import { runDestination } from '../../src/pipeline/run.js';
import { validateDataxFile } from '../../src/validate/datax.js';
import { hashValue } from '../../src/hash.js';
import { makeContext } from '../../src/normalize/types.js';
import { listFiles, tempDir } from '../helpers/tmp.js';
import { vectors } from '../vectors.js';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const vector = (input: string) => vectors.sha256.find((v) => v.input === input)!.sha256;

describe('datax preset', () => {
  it('keeps a row with a PXID and an email or a phone', () => {
    const email = sha('a@b.co');
    expect(datax.keep({ PXID: 'c1', SHA256EMAIL: email })).toBeNull();
    expect(datax.keep({ PXID: 'c1', SHA256PHONE: email })).toBeNull();
    expect(datax.keep({ PXID: 'c1' })).toBe('no_match_key');
    expect(datax.keep({ SHA256EMAIL: email })).toBe('missing_required_key');
  });

  it.each<[CanonicalField[], string | null]>([
    [['customer_id', 'email'], null],
    [['customer_id', 'phone'], null],
    [['customer_id', 'email', 'phone', 'city'], null],
    [['email', 'phone'], 'datax needs a customer_id column (the PXID)'],
    [['customer_id', 'city'], 'datax needs an email or a phone column'],
    [[], 'datax needs a customer_id column (the PXID) and an email or a phone column'],
  ])('missingColumns(%j) is %j', (fields, message) => {
    expect(datax.missingColumns(new Set(fields))).toBe(message);
  });

  const dataxVectors = vectors.normalize.filter((v) => v.destination === 'datax');
  it('has the DataX normalization vectors to check', () => expect(dataxVectors.length).toBeGreaterThanOrEqual(3));
  it.each(dataxVectors.map((v) => [v.field, v.input, v.country ?? undefined, v.normalized, v.sha256] as const))(
    'its %s key makes %j (%s) into %j, hashed %s',
    (field, input, country, normalized, digest) => {
      const spec = datax.keys.find((k) => k.field === field)!;
      const value = spec.normalize(input, makeContext({ country, now: new Date('2026-11-25T12:00:00Z') }));
      expect(value).toBe(normalized);
      expect(hashValue(value!)).toBe(digest);
    },
  );

  it('takes SHA-256 hex only, PXID unhashed and required', () => {
    expect(datax.hashAlgorithms).toEqual(['sha256']);
    expect(datax.encodings).toEqual(['hex']);
    expect(datax.keys.map((k) => [k.key, k.field, k.hashed, k.required === true])).toEqual([
      ['PXID', 'customer_id', false, true],
      ['SHA256EMAIL', 'email', true, false],
      ['SHA256PHONE', 'phone', true, false],
    ]);
  });
});

describe('run datax end to end', () => {
  const CSV = [
    'customer_id,email,phone,country',
    'C-1,  Mary@Example.COM ,+1 (555) 987-6543,US',
    'C-2,barry@verizonmedia.com,,US',
    'C-3,,1 (123) 456-7890,US',
    'C-4,,,US',
    ',someone@example.com,,US',
    'C 6,x@example.com,,US',
    'C-7,not-an-email,(800)555-0100,US',
    `c-8,${sha('z@example.com').toUpperCase()},,US`,
    'C-9,+44 (0)20 7946 0958 ,+44 (0)20 7946 0958,GB',
  ].join('\n');

  it('writes the three schemas, each accepted by our validator, bzip2 -t and csv-parse', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    writeFileSync(input, CSV + '\n');
    const out = join(dir, 'out');
    const result = await runDestination({ destination: datax, input, out, now: () => new Date('2026-11-25T12:00:00Z') });

    expect(result.files).toEqual(['datax/audience-email.csv.bz2', 'datax/audience-phone.csv.bz2', 'datax/audience-email-phone.csv.bz2']);
    expect(listFiles(out)).toEqual([
      'datax/audience-email-phone.csv.bz2',
      'datax/audience-email.csv.bz2',
      'datax/audience-phone.csv.bz2',
      'rejects.ndjson',
      'report.json',
    ]);
    const read = (file: string) => {
      const path = join(out, file);
      execFileSync('bzip2', ['-t', path]);
      return parse(execFileSync('bzip2', ['-dc', path]), { columns: true, quote: false }) as Record<string, string>[];
    };
    expect(read('datax/audience-email.csv.bz2')).toEqual([
      // The document's own example hash is of barry@oath.com; the vectors carry the right one.
      { PXID: 'C-2', SHA256EMAIL: vector('barry@verizonmedia.com') },
      { PXID: 'c-8', SHA256EMAIL: sha('z@example.com') },
    ]);
    expect(read('datax/audience-phone.csv.bz2')).toEqual([
      { PXID: 'C-3', SHA256PHONE: sha('+11234567890') },
      { PXID: 'C-7', SHA256PHONE: sha('+18005550100') },
      { PXID: 'C-9', SHA256PHONE: sha('+442079460958') },
    ]);
    expect(read('datax/audience-email-phone.csv.bz2')).toEqual([
      { PXID: 'C-1', SHA256EMAIL: vector('mary@example.com'), SHA256PHONE: sha('+15559876543') },
    ]);
    for (const file of result.files) {
      const report = await validateDataxFile(join(out, file));
      expect(report.findings).toEqual([]);
      expect(report.valid).toBe(true);
    }

    expect(result.stats).toMatchObject({ rows_in: 9, rows_out: 6, rows_rejected: 3, balanced: true });
    const rejects = readFileSync(result.rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      { line: 5, reason: 'no_match_key' },
      { line: 6, reason: 'missing_required_key' },
      { line: 7, reason: 'invalid_required_key', invalid: ['PXID'] },
    ]);
    // No raw PII in what the run leaves beside the files.
    const sideFiles = readFileSync(result.rejectsPath, 'utf8') + readFileSync(result.reportPath, 'utf8');
    for (const raw of ['Mary@Example.COM', 'someone@example.com', 'x@example.com', '555']) expect(sideFiles).not.toContain(raw);
  });

  it('fails before writing anything when the input has no PXID column', async () => {
    const dir = tempDir();
    const input = join(dir, 'no-id.csv');
    writeFileSync(input, 'email\nmary@example.com\n');
    const out = join(dir, 'out');
    await expect(runDestination({ destination: datax, input, out })).rejects.toMatchObject({ code: 'MISSING_COLUMN' });
    expect(listFiles(out).filter((f) => f.startsWith('datax/'))).toEqual([]);
  });
});
