import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uploadDestination } from '../../src/upload/index.js';
import type { UploadOptions } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { bzip2, dataxCsv, fakeClock, writeDataxFiles, writeStrays, type FakeClock } from './helpers.js';
import { DataxServer } from './servers/datax.js';

const TOKEN = 'datax-oauth-token-never-printed';
let clock: FakeClock;
let server: DataxServer;

beforeAll(async () => {
  server = await new DataxServer({ token: TOKEN, now: () => clock.now() }).start();
});
afterAll(() => server.stop());
beforeEach(() => {
  clock = fakeClock();
  server.reset();
  server.options.limitPerHour = 100;
});

function options(extra: UploadOptions = {}): UploadOptions {
  return { apiBase: server.url, env: { DATAX_ACCESS_TOKEN: TOKEN }, clock, ...extra };
}

function threeFiles(dir: string): void {
  writeDataxFiles(dir, {
    'audience-email.csv.bz2': dataxCsv('PXID,SHA256EMAIL', 4),
    'audience-phone.csv.bz2': dataxCsv('PXID,SHA256PHONE', 2),
    'audience-email-phone.csv.bz2': dataxCsv('PXID,SHA256EMAIL,SHA256PHONE', 3),
  });
}

describe('datax upload', { timeout: 20_000 }, () => {
  it('posts each file to /v1/usermatch with its header as the schema, a bearer token and the pxid URN type', async () => {
    const dir = tempDir();
    threeFiles(dir);
    writeStrays(dir, 'datax');
    const result = await uploadDestination('datax', dir, options());
    expect(server.uploads.map((u) => [u.filename, u.schema])).toEqual([
      ['audience-email-phone.csv.bz2', 'PXID,SHA256EMAIL,SHA256PHONE'],
      ['audience-email.csv.bz2', 'PXID,SHA256EMAIL'],
      ['audience-phone.csv.bz2', 'PXID,SHA256PHONE'],
    ]);
    for (const upload of server.uploads) expect(upload.bytes.equals(readFileSync(join(dir, 'datax', upload.filename!)))).toBe(true);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]!.headers['x-datax-urntype']).toBe('pxid');
    expect(result.files.map((f) => f.ack?.resourceId)).toEqual(['TEST.usermatch.1', 'TEST.usermatch.2', 'TEST.usermatch.3']);
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 429 (100 requests an hour) instead of failing', async () => {
    const dir = tempDir();
    threeFiles(dir);
    server.options.limitPerHour = 2;
    const lines: string[] = [];
    const result = await uploadDestination('datax', dir, options({ log: (l) => lines.push(l) }));
    expect(result.sent).toBe(3);
    expect(server.uploads).toHaveLength(3);
    expect(server.requests.map((r) => r.path)).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(3600_000);
    expect(lines.some((l) => /rate limit reached/.test(l))).toBe(true);
  });

  it('reports the 400 codes by name and meaning, and sends nothing after', async () => {
    const dir = tempDir();
    writeDataxFiles(dir, {
      'audience-email.csv.bz2': dataxCsv('PXID,SHA256EMAIL', 3, (i) => (i === 1 ? 'PX 1' : `PX${i}`)),
      'audience-phone.csv.bz2': dataxCsv('PXID,SHA256PHONE', 2),
    });
    const err = await uploadDestination('datax', dir, options()).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/datax audience-email\.csv\.bz2: refused with HTTP 400 DxFileInvalidPxid \(a PXID is not made of ASCII 33–126 without comma\)/);
    expect(server.requests).toHaveLength(1);

    const bad = tempDir();
    writeDataxFiles(bad, { 'audience-email.csv.bz2': 'PXID,SHA256EMAIL\nPX1,not-a-hash\n' });
    await expect(uploadDestination('datax', bad, options())).rejects.toThrow(/DxFileInvalidHashedEmail/);
  });

  it('retries DataX 500s (DxInternalError, UNABLE_TO_PROCESS_REQUEST) and dropped connections', async () => {
    const dir = tempDir();
    writeDataxFiles(dir, { 'audience-email.csv.bz2': dataxCsv('PXID,SHA256EMAIL', 2) });
    server.faults.push({ status: 500, body: { errorCode: 'DxInternalError', message: 'Unable to Create Job' } }, 'drop', { status: 500, body: { errorCode: 'UNABLE_TO_PROCESS_REQUEST' } });
    const result = await uploadDestination('datax', dir, options());
    expect(result.sent).toBe(1);
    expect(server.uploads).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(3);
  });

  it('refuses empty, non-bzip2 and schema-less files before sending', async () => {
    const empty = tempDir();
    writeDataxFiles(empty, { 'audience-email.csv.bz2': Buffer.alloc(0) });
    await expect(uploadDestination('datax', empty, options())).rejects.toThrow(/empty \(DxFileIsEmpty\).*audience-email\.csv\.bz2/);
    const plain = tempDir();
    writeDataxFiles(plain, { 'audience-email.csv.bz2': Buffer.from('PXID,SHA256EMAIL\nPX1,abc\n') });
    await expect(uploadDestination('datax', plain, options())).rejects.toThrow(/DxFileNotValidBZ2/);
    const headerless = tempDir();
    writeDataxFiles(headerless, { 'audience-email.csv.bz2': 'PXID;SHA256EMAIL\nPX1;abc\n' });
    await expect(uploadDestination('datax', headerless, options())).rejects.toThrow(/not a DataX schema/);
    expect(server.requests).toHaveLength(0);
  });

  it('needs DATAX_ACCESS_TOKEN, except for a dry run, which counts rows', async () => {
    const dir = tempDir();
    threeFiles(dir);
    await expect(uploadDestination('datax', dir, options({ env: {} }))).rejects.toThrow(/DATAX_ACCESS_TOKEN/);
    const dry = await uploadDestination('datax', dir, options({ env: {}, dryRun: true }));
    expect(dry.files.map((f) => [f.file, f.status, f.rows])).toEqual([
      ['audience-email-phone.csv.bz2', 'would-send', 3],
      ['audience-email.csv.bz2', 'would-send', 4],
      ['audience-phone.csv.bz2', 'would-send', 2],
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('takes the token from DATAX_ACCESS_TOKEN_FILE', async () => {
    const dir = tempDir();
    writeDataxFiles(dir, { 'audience-email.csv.bz2': bzip2(dataxCsv('PXID,SHA256EMAIL', 1)) });
    const file = join(tempDir(), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const result = await uploadDestination('datax', dir, options({ env: { DATAX_ACCESS_TOKEN_FILE: file } }));
    expect(result.sent).toBe(1);
  });
});
