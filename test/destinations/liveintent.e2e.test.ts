import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_PREFIX } from '../../sinks/atomic-file.js';
import { liveintent } from '../../src/destinations/liveintent.js';
import { hashValue } from '../../src/hash.js';
import { parseSegment } from '../../src/liveintent/segments.js';
import { runDestination } from '../../src/pipeline/run.js';

const NOW = new Date('2024-12-12T08:00:00Z');
const PREHASHED = hashValue('already@example.com', 'sha256');

// Line 1 is the header; lines 4 and 6 have no usable email and must be rejected.
const CSV = [
  'Email,first_name',
  ' Barry@VerizonMedia.com ,Barry',
  'mary@example.com,Mary',
  'not-an-email,Nope',
  `${PREHASHED.toUpperCase()},Hashed`,
  ',Blank',
  'Mary@Example.com,Again',
].join('\n');

let dir: string;
let input: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'li-e2e-'));
  input = join(dir, 'customers.csv');
  await writeFile(input, CSV + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segments = ['123:Recent Purchasers:add', '456:Inactive Subscribers:remove'].map(parseSegment);

describe('runDestination liveintent', () => {
  it.each(['none', 'gzip', 'zip'] as const)('writes a %s data file and metadata that agree, rows accounted for', async (compression) => {
    const out = join(dir, `out-${compression}`);
    const result = await runDestination({ destination: liveintent, input, out, partnerId: '1001', segments, compression, now: () => NOW });
    expect(result.stats).toMatchObject({ rows_in: 6, rows_out: 4, rows_rejected: 2, balanced: true });
    const [data, meta] = result.files.map((f) => join(out, f)) as [string, string];
    expect(meta).toBe(`${data}.json`);
    const bytes = await readFile(data);
    const digest = createHash('md5').update(bytes).digest('hex');
    const metadata = JSON.parse(await readFile(meta, 'utf8'));
    const name = `${digest}${compression === 'gzip' ? '.txt.gz' : compression === 'zip' ? '.zip' : '.txt'}`;
    expect(result.files[0]).toBe(`liveintent/${name}`);
    expect(metadata).toEqual({
      partner_id: '1001',
      file: { name, hash: 'md5', digest, date: '2024-12-12', records: 4 },
      segments: [
        { id: '123', name: 'Recent Purchasers', action: 'add' },
        { id: '456', name: 'Inactive Subscribers', action: 'remove' },
      ],
    });
    if (compression === 'gzip') execFileSync('gzip', ['-t', data]);
    if (compression === 'zip') expect(execFileSync('unzip', ['-t', data], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const text =
      compression === 'none'
        ? bytes.toString('utf8')
        : execFileSync(compression === 'gzip' ? 'gzip' : 'unzip', compression === 'gzip' ? ['-dc', data] : ['-p', data], { encoding: 'utf8' });
    // In input order; the already-hashed value passes through lowercased, never hashed twice.
    expect(text.split('\n')).toEqual([
      '0518f10ec6f189f5047e16c253feb64f3a64ba3596f9b819be8e8b91d69b3255',
      'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79',
      PREHASHED,
      'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79',
      '',
    ]);
    const rejects = (await readFile(result.rejectsPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([4, 6]);
    expect(await readFile(result.rejectsPath, 'utf8')).not.toContain('not-an-email');
  });

  it('hashes with md5 or sha1 on request', async () => {
    for (const hash of ['md5', 'sha1'] as const) {
      const out = join(dir, `out-${hash}`);
      const result = await runDestination({ destination: liveintent, input, out, hash, partnerId: '1001', segments, now: () => NOW });
      const text = await readFile(join(out, result.files[0]!), 'utf8');
      // The pre-hashed SHA-256 value is not a hash of this algorithm, so it is hashed like any text and
      // fails the email check: one more reject.
      expect(text.split('\n')[0]).toBe(hashValue('barry@verizonmedia.com', hash));
      expect(result.stats.rows_out + result.stats.rows_rejected).toBe(6);
    }
  });

  it('fails before writing any LiveIntent file when the partner id is missing or a segment is bad', async () => {
    for (const [name, options] of [
      ['no-partner', { segments }],
      ['bad-segment', { partnerId: '1001', segments: [{ id: 'x1', name: 'N', action: 'add' as const }] }],
    ] as const) {
      const out = join(dir, name);
      await expect(runDestination({ destination: liveintent, input, out, now: () => NOW, ...options })).rejects.toMatchObject({ code: 'BAD_OPTION' });
      const written = await readdir(join(out, 'liveintent')).catch(() => []);
      expect(written).toEqual([]);
      // Nothing that looks finished: no report, no rejects, no data file (temporary names aside).
      const top = await readdir(out).catch(() => [] as string[]);
      expect(top.filter((f) => !f.startsWith(TEMP_PREFIX) && f !== 'liveintent')).toEqual([]);
    }
  });
});
