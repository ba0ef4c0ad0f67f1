import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationPreset, ResolvedRunOptions, SinkContext } from '../../src/destinations/types.js';
import { AudienceEtlError } from '../../src/errors.js';
import { hashValue, type HashAlgorithm } from '../../src/hash.js';
import type { Row } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { checkLiveIntentOptions, liveIntentSink, utcDate } from '../../sinks/liveintent.js';
import { resolveRunOptions } from '../../src/pipeline/options.js';

// A stand-in preset, so these tests exercise the sink alone (the real preset is tested beside it).
const PRESET = {
  name: 'liveintent',
  title: 'LiveIntent',
  keys: [{ key: 'EMAIL_HASH', field: 'email', normalize: (v: string) => v, hashed: true }],
  hashAlgorithms: ['sha256', 'sha1', 'md5'],
  encodings: ['hex'],
  batchSize: { default: 10_000, max: 1_000_000 },
  keep: () => null,
  missingColumns: () => null,
  sink: liveIntentSink,
} as const satisfies DestinationPreset;

const NOW = new Date('2024-12-12T10:00:00Z');
const SEGMENTS: ResolvedRunOptions['segments'] = [
  { id: '123', name: 'Recent Purchasers', action: 'add' },
  { id: '456', name: 'Inactive Subscribers', action: 'remove' },
];

/** The run's own option resolution, then raw overrides: some tests hand the sink values the CLI would refuse. */
function runOptions(overrides: Partial<ResolvedRunOptions> = {}): ResolvedRunOptions {
  return { ...resolveRunOptions(PRESET, { now: () => NOW, random: () => 0.5, partnerId: '1001', segments: SEGMENTS }), ...overrides };
}

function rowsOf(hashes: readonly string[]): Row[] {
  return hashes.map((h, i) => ({ line: i + 2, fields: {}, values: { EMAIL_HASH: h } }));
}

function hashesOf(emails: readonly string[], algorithm: HashAlgorithm = 'sha256'): string[] {
  return emails.map((e) => hashValue(e.trim().toLowerCase(), algorithm));
}

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'li-sink-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes chunks (single rows or arrays) through a fresh sink into a fresh output directory. */
async function writeRows(chunks: readonly (Row | Row[])[], overrides: Partial<ResolvedRunOptions> = {}) {
  const outDir = join(root, `run-${++counter}`);
  const stats = new RunStats();
  const context: SinkContext = { outDir, preset: PRESET, options: runOptions(overrides), stats };
  const sink = liveIntentSink(context);
  try {
    await pipeline(Readable.from(chunks, { objectMode: true }), sink);
  } catch (err) {
    // pipeline() can settle before the sink's cleanup ends; the cleanup is done at 'close'.
    if (!sink.closed) await new Promise((resolve) => sink.once('close', resolve));
    throw Object.assign(err as Error, { outDir });
  }
  const listing = await readdir(join(outDir, 'liveintent')).catch(() => [] as string[]);
  return { outDir, dir: join(outDir, 'liveintent'), stats, files: sink.result().files, listing: listing.sort() };
}

function digestOf(bytes: Buffer, algorithm: 'md5' | 'sha1'): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('liveintent sink: plain text', () => {
  it('writes one hash per line, named by the md5 of its bytes, with the metadata beside it', async () => {
    const hashes = hashesOf(['a@example.com', 'B@Example.com ', 'c@example.org']);
    const out = await writeRows([rowsOf(hashes)]);
    const bytes = await readFile(join(out.dir, out.listing[0]!));
    const digest = digestOf(bytes, 'md5');
    expect(out.listing).toEqual([`${digest}.txt`, `${digest}.txt.json`]);
    expect(out.files).toEqual([`liveintent/${digest}.txt`, `liveintent/${digest}.txt.json`]);
    expect(bytes.toString('utf8')).toBe(hashes.join('\n') + '\n');
    const metadata = JSON.parse(await readFile(join(out.dir, `${digest}.txt.json`), 'utf8'));
    // Field for field as the document's request body; no sub_id key when none was given.
    expect(metadata).toEqual({
      partner_id: '1001',
      file: { name: `${digest}.txt`, hash: 'md5', digest, date: '2024-12-12', records: 3 },
      segments: SEGMENTS,
    });
    expect(Object.keys(metadata)).toEqual(['partner_id', 'file', 'segments']);
    expect(out.stats.rowsOut).toBe(3);
  });

  it('uses sha1 for the digest when asked, and names it in file.hash', async () => {
    const hashes = hashesOf(['a@example.com'], 'md5');
    const out = await writeRows([rowsOf(hashes)], { digest: 'sha1' });
    const bytes = await readFile(join(out.dir, out.listing[0]!));
    const digest = digestOf(bytes, 'sha1');
    expect(digest).toHaveLength(40);
    expect(out.listing).toEqual([`${digest}.txt`, `${digest}.txt.json`]);
    const metadata = JSON.parse(await readFile(join(out.dir, `${digest}.txt.json`), 'utf8'));
    expect(metadata.file).toMatchObject({ hash: 'sha1', digest });
  });

  it('writes sub_id when given, and the UTC date of now()', async () => {
    // 23:30 on Dec 31 in New York is already Jan 1 in UTC.
    const now = new Date('2024-12-31T23:30:00-05:00');
    const out = await writeRows([rowsOf(hashesOf(['x@example.com']))], { subId: ' 476378 ', now: () => now });
    const metadata = JSON.parse(await readFile(join(out.dir, out.listing[1]!), 'utf8'));
    expect(Object.keys(metadata)).toEqual(['partner_id', 'sub_id', 'file', 'segments']);
    expect(metadata.sub_id).toBe('476378');
    expect(metadata.file.date).toBe('2025-01-01');
    expect(utcDate(now)).toBe('2025-01-01');
  });

  it('writes the same bytes whatever the chunking', async () => {
    const rows = rowsOf(hashesOf(['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com']));
    const whole = await writeRows([rows]);
    const single = await writeRows(rows);
    const mixed = await writeRows([rows.slice(0, 2), rows[2]!, [], rows.slice(3)]);
    expect(single.listing).toEqual(whole.listing);
    expect(mixed.listing).toEqual(whole.listing);
    expect(mixed.stats.rowsOut).toBe(5);
  });
});

describe('liveintent sink: gzip', () => {
  it('passes gzip -t, decompresses to the lines, and is named by the digest of the .gz bytes', async () => {
    const hashes = hashesOf(['a@example.com', 'b@example.com']);
    const out = await writeRows([rowsOf(hashes)], { compression: 'gzip' });
    const gz = out.listing.find((f) => f.endsWith('.txt.gz'))!;
    const path = join(out.dir, gz);
    const bytes = await readFile(path);
    const digest = digestOf(bytes, 'md5');
    expect(out.listing).toEqual([`${digest}.txt.gz`, `${digest}.txt.gz.json`]);
    run('gzip', ['-t', path]);
    expect(run('gzip', ['-dc', path])).toBe(hashes.join('\n') + '\n');
    expect(gunzipSync(bytes).toString('utf8')).toBe(hashes.join('\n') + '\n');
    const metadata = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    expect(metadata.file).toEqual({ name: `${digest}.txt.gz`, hash: 'md5', digest, date: '2024-12-12', records: 2 });
  });
});

describe('liveintent sink: zip', () => {
  it('passes unzip -t; holds <digest of the text>.txt; is named by the digest of the zip bytes', async () => {
    const hashes = hashesOf(['a@example.com', 'b@example.com', 'c@example.com']);
    const text = hashes.join('\n') + '\n';
    const out = await writeRows([rowsOf(hashes)], { compression: 'zip' });
    const zip = out.listing.find((f) => f.endsWith('.zip'))!;
    const path = join(out.dir, zip);
    const digest = digestOf(await readFile(path), 'md5');
    expect(out.listing).toEqual([`${digest}.zip`, `${digest}.zip.json`]);
    expect(run('unzip', ['-t', path])).toMatch(/No errors detected/);
    const inner = `${digestOf(Buffer.from(text), 'md5')}.txt`;
    expect(run('unzip', ['-Z1', path]).trim().split('\n')).toEqual([inner]);
    expect(run('unzip', ['-p', path, inner])).toBe(text);
    const metadata = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    expect(metadata.file).toEqual({ name: `${digest}.zip`, hash: 'md5', digest, date: '2024-12-12', records: 3 });
  });

  it('gives the same zip for the same rows and date', async () => {
    const rows = rowsOf(hashesOf(['a@example.com']));
    const first = await writeRows([rows], { compression: 'zip' });
    const second = await writeRows([rows], { compression: 'zip' });
    expect(second.listing).toEqual(first.listing);
  });
});

describe('liveintent sink: lifecycle', () => {
  it('writes nothing for a run without rows (LiveIntent would answer error 8)', async () => {
    const out = await writeRows([]);
    expect(out.listing).toEqual([]);
    expect(out.files).toEqual([]);
  });

  it('removes its temporary files and leaves nothing when the input fails', async () => {
    for (const compression of ['none', 'gzip', 'zip'] as const) {
      const outDir = join(root, `fail-${compression}`);
      const sink = liveIntentSink({ outDir, preset: PRESET, options: runOptions({ compression }), stats: new RunStats() });
      async function* failing() {
        yield rowsOf(hashesOf(['a@example.com']));
        throw new AudienceEtlError('CSV_SYNTAX', 'bad quote', { line: 3 });
      }
      await expect(pipeline(Readable.from(failing(), { objectMode: true }), sink)).rejects.toThrow(/bad quote/);
      // pipeline() can settle while the sink is still being constructed; its cleanup ends at 'close'.
      if (!sink.closed) await new Promise((resolve) => sink.once('close', resolve));
      expect(await readdir(join(outDir, 'liveintent'))).toEqual([]);
      expect(sink.result().files).toEqual([]);
    }
  });

  it('fails with INVARIANT, naming the line, on a row without the key, and leaves nothing', async () => {
    const rows: Row[] = [...rowsOf(hashesOf(['a@example.com'])), { line: 3, fields: {}, values: {} }];
    const err = await writeRows([rows]).then(() => undefined, (e: unknown) => e as AudienceEtlError & { outDir: string });
    expect(err).toMatchObject({ code: 'INVARIANT', line: 3 });
    expect(await readdir(join(err!.outDir, 'liveintent'))).toEqual([]);
  });
});

describe('liveintent options: checked before anything is written', () => {
  it.each([
    [{ partnerId: undefined }, /needs --partner-id/],
    [{ partnerId: '  ' }, /needs --partner-id/],
    [{ subId: '' }, /--sub-id is empty/],
    [{ segments: [] }, /at least one --segment/],
    [{ segments: [{ id: '12x', name: 'N', action: 'add' as const }] }, /segment id "12x" is not an integer/],
    [{ segments: [{ id: '12', name: 'N', action: 'delete' as unknown as 'add' }] }, /expected add or remove/],
    [{ digest: 'sha256' as unknown as 'md5' }, /digest "sha256": expected md5 or sha1/],
    [{ compression: 'bz2' as unknown as 'zip' }, /compression "bz2": expected none, gzip or zip/],
    [{ encoding: 'base64' as const }, /hex hashes, not base64/],
  ])('%j is refused with BAD_OPTION and no directory is created', async (overrides, message) => {
    const outDir = join(root, `bad-${++counter}`);
    let caught: unknown;
    try {
      liveIntentSink({ outDir, preset: PRESET, options: runOptions(overrides), stats: new RunStats() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AudienceEtlError);
    expect((caught as AudienceEtlError).code).toBe('BAD_OPTION');
    expect((caught as AudienceEtlError).message).toMatch(message);
    await expect(readdir(outDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('trims the partner id and keeps the segments in canonical form', () => {
    const checked = checkLiveIntentOptions({ ...runOptions(), partnerId: ' 1001 ' });
    expect(checked).toEqual({ partnerId: '1001', subId: undefined, segments: SEGMENTS, digest: 'md5', compression: 'none' });
  });
});

describe('liveintent sink: properties', () => {
  const emails = fc.uniqueArray(fc.emailAddress(), { minLength: 1, maxLength: 40 });
  const settings = fc.record({
    hash: fc.constantFrom<HashAlgorithm>('sha256', 'sha1', 'md5'),
    digest: fc.constantFrom('md5' as const, 'sha1' as const),
    compression: fc.constantFrom('none' as const, 'gzip' as const, 'zip' as const),
    chunk: fc.integer({ min: 1, max: 50 }),
  });

  it('the digest in the name and in the metadata is always the digest of the file; the content reads back', async () => {
    await fc.assert(
      fc.asyncProperty(emails, settings, async (list, { hash, digest: algorithm, compression, chunk }) => {
        const hashes = hashesOf(list, hash);
        const rows = rowsOf(hashes);
        const chunks: Row[][] = [];
        for (let i = 0; i < rows.length; i += chunk) chunks.push(rows.slice(i, i + chunk));
        const out = await writeRows(chunks, { digest: algorithm, compression });
        expect(out.listing).toHaveLength(2);
        const [data, meta] = out.listing as [string, string];
        const bytes = await readFile(join(out.dir, data));
        const digest = digestOf(bytes, algorithm);
        const extension = compression === 'gzip' ? '.txt.gz' : compression === 'zip' ? '.zip' : '.txt';
        expect(data).toBe(`${digest}${extension}`);
        expect(meta).toBe(`${data}.json`);
        const metadata = JSON.parse(await readFile(join(out.dir, meta), 'utf8'));
        expect(metadata.file).toEqual({ name: data, hash: algorithm, digest, date: '2024-12-12', records: list.length });
        const text =
          compression === 'gzip'
            ? gunzipSync(bytes).toString('utf8')
            : compression === 'zip'
              ? run('unzip', ['-p', join(out.dir, data)])
              : bytes.toString('utf8');
        expect(text).toBe(hashes.join('\n') + '\n');
        expect(out.stats.rowsOut).toBe(list.length);
        await rm(out.outDir, { recursive: true, force: true });
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
