/**
 * The built CLI end to end against real servers on loopback: `run` then `upload`, as a user types
 * them. bin/audience-etl.js loads the build's one-file bundle, which leaves the packages only
 * uploads need (the AWS SDK, parquetjs-lite, ssh2) and the native snappy addon outside it; these
 * tests are what shows that the bundle still finds them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, tempDir } from '../helpers/tmp.js';
import { S3RVER_KEYS, startS3, type S3Server } from '../upload/servers/s3.js';
import { startSshd, type SshdServer } from '../upload/servers/sshd.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'audience-etl.js');
const EXAMPLE = join(ROOT, 'examples', 'customers.csv');

/** The built CLI as a child process; asynchronous, since the servers answer from this process. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('built CLI: run, then upload newtail to an S3 server on loopback', { timeout: 90_000 }, () => {
  const BUCKET = 'newtail-audiences';
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3(BUCKET);
  }, 20_000);
  afterAll(async () => {
    await s3?.stop();
  });

  it('stores every Parquet file the run wrote, byte for byte', async () => {
    const out = tempDir();
    await cli(['run', 'newtail', '--input', EXAMPLE, '--out', out, '--default-country', 'US', '--prefix', 'acme', '--quiet']);
    const written = listFiles(join(out, 'newtail'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((f) => /^acme\/audiences\/\d{4}\/\d\d\/\d\d\/\d+\.parquet\.snappy$/.test(f))).toBe(true);

    // A dry run counts each file's rows with parquetjs-lite, also outside the bundle. (Node's own
    // ESM loader, unlike vitest's, names no ParquetReader export of that CommonJS package.)
    const rowsOut = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { rows_out: number }).rows_out;
    const dry = JSON.parse((await cli(['upload', 'newtail', out, '--bucket', BUCKET, '--endpoint', s3.endpoint, '--dry-run', '--json'])).stdout) as {
      files: { file: string; status: string; rows?: number }[];
    };
    expect(dry.files.map((f) => f.file)).toEqual(written);
    expect(dry.files.reduce((sum, f) => sum + (f.rows ?? Number.NaN), 0)).toBe(rowsOut);

    const { stdout } = await cli(['upload', 'newtail', out, '--bucket', BUCKET, '--endpoint', s3.endpoint, '--json'], S3RVER_KEYS);
    const result = JSON.parse(stdout) as { sent: number; files: { status: string }[] };
    expect(result.sent).toBe(written.length);
    expect(result.files.every((f) => f.status === 'sent')).toBe(true);

    expect(await s3.keys()).toEqual(written);
    for (const key of written) expect((await s3.stored(key)).equals(readFileSync(join(out, 'newtail', key)))).toBe(true);
  });
});

describe('built CLI: run, then upload liveintent over SFTP (OpenSSH sshd on loopback)', { timeout: 90_000 }, () => {
  let sshd: SshdServer;
  beforeAll(async () => {
    sshd = await startSshd();
  }, 20_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it('puts the data file and its metadata in the remote folder', async () => {
    const out = tempDir();
    await cli(['run', 'liveintent', '--input', EXAMPLE, '--out', out, '--default-country', 'US', '--partner-id', '1', '--segment', '123:Recent Purchasers:add', '--quiet']);
    const written = readdirSync(join(out, 'liveintent')).sort();
    expect(written).toHaveLength(2);

    const remoteDir = join(sshd.remoteDir, 'cli');
    mkdirSync(remoteDir);
    const args = ['--host', '127.0.0.1', '--port', String(sshd.port), '--user', sshd.user, '--key-file', sshd.keyFile, '--known-hosts', sshd.knownHosts];
    const { stdout } = await cli(['upload', 'liveintent', out, ...args, '--remote-dir', remoteDir, '--no-wait', '--json']);
    expect((JSON.parse(stdout) as { sent: number }).sent).toBe(2);
    expect(readdirSync(remoteDir).sort()).toEqual(written);
    for (const name of written) expect(readFileSync(join(remoteDir, name)).equals(readFileSync(join(out, 'liveintent', name)))).toBe(true);
  });
});
