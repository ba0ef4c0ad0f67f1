import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBzip2Compressor } from '../../sinks/bzip2.js';
import { DATAX_SCHEMAS, dataxCsvSink, dataxLine, type DataxCsvSinkOptions } from '../../sinks/datax-csv.js';
import { RowHasher } from '../../transforms/hash.js';
import { hashValue } from '../../src/hash.js';
import type { DestinationPreset, ResolvedRunOptions, SinkContext } from '../../src/destinations/types.js';
import type { Row, RowChunk } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { validateDataxFile } from '../../src/validate/datax.js';
import { listFiles, tempDir } from '../helpers/tmp.js';
import { resolveRunOptions } from '../../src/pipeline/options.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// A stand-in preset, so these tests exercise the sink alone (the real preset is tested end to end).
const PRESET = {
  name: 'datax',
  title: 'Yahoo DataX',
  keys: [
    { key: 'PXID', field: 'customer_id', normalize: (v: string) => v, hashed: false, required: true },
    { key: 'SHA256EMAIL', field: 'email', normalize: (v: string) => v, hashed: true },
    { key: 'SHA256PHONE', field: 'phone', normalize: (v: string) => v, hashed: true },
  ],
  hashAlgorithms: ['sha256'],
  encodings: ['hex'],
  batchSize: { default: 10_000, max: 1_000_000 },
  keep: () => null,
  missingColumns: () => null,
  sink: (context) => dataxCsvSink(context),
} as const satisfies DestinationPreset;

const OPTIONS: ResolvedRunOptions = resolveRunOptions(PRESET, { now: () => new Date('2026-11-25T12:00:00Z'), random: () => 0.5 });

function context(outDir: string, stats = new RunStats()): SinkContext {
  return { outDir, preset: PRESET, options: OPTIONS, stats };
}

const row = (line: number, values: Record<string, string | null>): Row => ({ line, fields: {}, values });

/** Writes chunks through the sink the way a run does; resolves with the sink's result. */
async function write(outDir: string, chunks: RowChunk[], stats = new RunStats(), options: DataxCsvSinkOptions = {}) {
  const sink = dataxCsvSink(context(outDir, stats), options);
  await pipeline(Readable.from(chunks, { objectMode: true }), sink);
  return sink.result();
}

/** Reads a file back with independent tools: `bzip2 -t`, `bzip2 -dc`, and csv-parse. */
function readBack(path: string): Record<string, string>[] {
  execFileSync('bzip2', ['-t', path]);
  const text = execFileSync('bzip2', ['-dc', path], { maxBuffer: 1 << 28 }).toString('latin1');
  // DataX lines are not RFC 4180: a PXID may hold a quote, so quotes are plain characters here.
  return parse(text, { columns: true, quote: false, record_delimiter: '\n' }) as Record<string, string>[];
}

const E1 = sha('mary@example.com');
const E2 = sha('bob@example.com');
const P1 = sha('+15559876543');
const P2 = sha('+442079460958');

describe('dataxCsvSink', () => {
  it('writes one bzip2 CSV per schema, each row in the file its keys fill, header = schema', async () => {
    const out = tempDir();
    const stats = new RunStats();
    const result = await write(
      out,
      [
        [row(2, { PXID: 'c1', SHA256EMAIL: E1 }), row(3, { PXID: 'c2', SHA256PHONE: P1 })],
        row(4, { PXID: 'c3', SHA256EMAIL: E2, SHA256PHONE: P2 }),
        [row(5, { PXID: 'C1', SHA256EMAIL: E2 })],
      ],
      stats,
    );
    expect(result.files).toEqual(['datax/audience-email.csv.bz2', 'datax/audience-phone.csv.bz2', 'datax/audience-email-phone.csv.bz2']);
    expect(listFiles(out)).toEqual(['datax/audience-email-phone.csv.bz2', 'datax/audience-email.csv.bz2', 'datax/audience-phone.csv.bz2']);
    expect(readBack(join(out, 'datax/audience-email.csv.bz2'))).toEqual([
      { PXID: 'c1', SHA256EMAIL: E1 },
      { PXID: 'C1', SHA256EMAIL: E2 },
    ]);
    expect(readBack(join(out, 'datax/audience-phone.csv.bz2'))).toEqual([{ PXID: 'c2', SHA256PHONE: P1 }]);
    expect(readBack(join(out, 'datax/audience-email-phone.csv.bz2'))).toEqual([{ PXID: 'c3', SHA256EMAIL: E2, SHA256PHONE: P2 }]);
    expect(execFileSync('bzip2', ['-dc', join(out, 'datax/audience-email.csv.bz2')]).toString().split('\n')[0]).toBe('PXID,SHA256EMAIL');
    expect(stats.rowsOut).toBe(4);
    expect(stats.rowsRejected).toBe(0);
  });

  it('opens only the files its rows need, and none for no rows', async () => {
    const out = tempDir();
    expect((await write(out, [[row(2, { PXID: 'a', SHA256PHONE: P1 })]])).files).toEqual(['datax/audience-phone.csv.bz2']);
    expect(listFiles(out)).toEqual(['datax/audience-phone.csv.bz2']);
    const empty = tempDir();
    expect((await write(empty, [[]])).files).toEqual([]);
    expect(listFiles(empty)).toEqual([]);
  });

  it('shows only temporary files until final, and renames them then', async () => {
    const out = tempDir();
    const sink = dataxCsvSink(context(out));
    await new Promise<void>((resolve, reject) => sink.write([row(2, { PXID: 'a', SHA256EMAIL: E1 })], (err) => (err ? reject(err) : resolve())));
    expect(listFiles(out).every((f) => f.startsWith('datax/.tmp-'))).toBe(true);
    expect(listFiles(out)).toHaveLength(1);
    await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
    expect(listFiles(out)).toEqual(['datax/audience-email.csv.bz2']);
  });

  it('lowercases upper-case hex, and rejects (counts) rows it cannot write instead of losing them', async () => {
    const out = tempDir();
    const stats = new RunStats();
    await write(
      out,
      [
        [
          row(2, { PXID: 'ok', SHA256EMAIL: E1.toUpperCase(), SHA256PHONE: 'not-a-hash' }),
          row(3, { SHA256EMAIL: E1 }),
          row(4, { PXID: 'has space', SHA256EMAIL: E1 }),
          row(5, { PXID: 'x', SHA256EMAIL: null }),
          row(6, { PXID: 'José', SHA256PHONE: P1 }),
          row(7, { PXID: 'a,b', SHA256PHONE: P1 }),
        ],
      ],
      stats,
    );
    expect(readBack(join(out, 'datax/audience-email.csv.bz2'))).toEqual([{ PXID: 'ok', SHA256EMAIL: E1 }]);
    expect(stats.rowsOut).toBe(1);
    expect(stats.rejectReasons).toEqual({ missing_required_key: 1, invalid_required_key: 3, no_match_key: 1 });
    expect(stats.rowsOut + stats.rowsRejected).toBe(6);
  });

  it('leaves no file when the compressor fails, and reports an IO error', async () => {
    const out = tempDir();
    const failing = () =>
      new Transform({
        transform(_chunk, _encoding, callback) {
          callback(new Error('disk on fire'));
        },
      });
    const run = write(out, [[row(2, { PXID: 'a', SHA256EMAIL: E1 })], [row(3, { PXID: 'b', SHA256PHONE: P1 })]], new RunStats(), { createCompressor: failing });
    await expect(run).rejects.toMatchObject({ code: 'IO' });
    expect(listFiles(out)).toEqual([]);
  });

  it('leaves no file when the bzip2 program exits non-zero at the end', async () => {
    const out = tempDir();
    const dir = tempDir();
    execFileSync('sh', ['-c', `printf '#!/bin/sh\\ncat >/dev/null\\nexit 2\\n' > ${dir}/bzip2 && chmod +x ${dir}/bzip2`]);
    const run = write(out, [[row(2, { PXID: 'a', SHA256EMAIL: E1 })]], new RunStats(), {
      createCompressor: () => createBzip2Compressor({ program: 'bzip2', searchPath: dir }),
    });
    await expect(run).rejects.toThrow(/bzip2 exited with status 2/);
    expect(listFiles(out)).toEqual([]);
  });

  it('fails before it writes anything when no bzip2 program is installed, naming the package', async () => {
    const out = tempDir();
    const path = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await expect(write(out, [[row(2, { PXID: 'a', SHA256EMAIL: E1 })]])).rejects.toThrow(/apt-get install -y lbzip2/);
    } finally {
      process.env.PATH = path;
    }
    expect(listFiles(out)).toEqual([]);
  });

  it('removes its temporary files when destroyed mid-run', async () => {
    const out = tempDir();
    const sink = dataxCsvSink(context(out));
    await new Promise<void>((resolve, reject) =>
      sink.write([row(2, { PXID: 'a', SHA256EMAIL: E1 }), row(3, { PXID: 'b', SHA256PHONE: P1 })], (err) => (err ? reject(err) : resolve())),
    );
    expect(listFiles(out)).toHaveLength(2);
    const closed = new Promise((resolve) => sink.once('close', resolve));
    sink.destroy(new Error('stopped'));
    sink.on('error', () => undefined);
    await closed;
    expect(readdirSync(join(out, 'datax'))).toEqual([]);
  });

  it('writes the same lines the pure dataxLine makes', () => {
    expect(dataxLine(row(2, { PXID: 'p', SHA256EMAIL: E1, SHA256PHONE: P1 }))).toEqual({ schema: 'email-phone', line: `p,${E1},${P1}\n` });
    expect(dataxLine(row(2, { PXID: 'p', SHA256PHONE: P1 }))).toEqual({ schema: 'phone', line: `p,${P1}\n` });
    expect(dataxLine(row(2, { PXID: 'p' }))).toEqual({ reject: 'no_match_key' });
    expect(Object.values(DATAX_SCHEMAS).map((s) => s.fields.join(','))).toEqual(['PXID,SHA256EMAIL', 'PXID,SHA256PHONE', 'PXID,SHA256EMAIL,SHA256PHONE']);
  });

  it('takes the hash stage’s SHA-256 hex digests as they are, and checks anything else', () => {
    const hashed = row(2, { PXID: 'p', SHA256EMAIL: 'mary@example.com', SHA256PHONE: '+15551234567' });
    new RowHasher({ keys: ['SHA256EMAIL', 'SHA256PHONE'] }).hashChunk([hashed]);
    expect(dataxLine(hashed)).toEqual({ schema: 'email-phone', line: `p,${hashValue('mary@example.com')},${hashValue('+15551234567')}\n` });
    // Digests of another encoding, or of keys the stage did not cover, are checked: not hex, no line.
    for (const hasher of [new RowHasher({ keys: ['SHA256EMAIL'], encoding: 'base64' }), new RowHasher({ keys: ['SHA256PHONE'] })]) {
      const other = row(2, { PXID: 'p', SHA256EMAIL: 'mary@example.com' });
      hasher.hashChunk([other]);
      expect(dataxLine(other)).toEqual({ reject: 'no_match_key' });
    }
  });
});

describe('dataxCsvSink property: whatever rows go in, every file passes the DataX validator', () => {
  const hex64 = fc.stringMatching(/^[0-9a-fA-F]{64}$/);
  // Any value at all, hashes of either case, near-misses (63 chars), nulls and absent keys.
  const value = fc.oneof(hex64, hex64.map((h) => h.slice(1)), fc.string(), fc.constant(null));
  const pxid = fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,12}$/), fc.string({ maxLength: 12, unit: 'grapheme' }), fc.constant(''));
  const rowArb = fc.record({ PXID: pxid, SHA256EMAIL: value, SHA256PHONE: value }, { requiredKeys: [] });

  it('holds for arbitrary rows in arbitrary chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(rowArb, { maxLength: 20 }), { maxLength: 5 }), async (chunks) => {
        const out = tempDir();
        const stats = new RunStats();
        let line = 1;
        const rows = chunks.map((chunk) => chunk.map((values) => row(++line, values as Record<string, string | null>)));
        const result = await write(out, rows, stats);
        let lines = 0;
        for (const file of result.files) {
          const report = await validateDataxFile(join(out, file));
          expect(report.findings).toEqual([]);
          lines += report.rows;
        }
        expect(lines).toBe(stats.rowsOut);
        expect(stats.rowsOut + stats.rowsRejected).toBe(line - 1);
        expect(listFiles(out)).toEqual([...result.files].sort());
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
