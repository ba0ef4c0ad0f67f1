import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCsv } from '../../benchmarks/generate.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'audience-etl.js');

/** Runs the built CLI (npm test builds first). */
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('audience-etl CLI', () => {
  it('is built', () => expect(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))).toBe(true));

  it('runs meta on the shipped example and prints a summary', () => {
    const out = tempDir();
    const r = cli(['run', 'meta', '--input', 'examples/customers.csv', '--out', out, '--default-country', 'US']);
    expect(r.stderr).toMatch(/meta: 16 rows in, 14 out, 2 rejected \(no_match_key 1, field_count_mismatch 1\)/);
    expect(r.code).toBe(0);
    expect(listFiles(out)).toEqual(['meta/batch-000001.json', 'rejects.ndjson', 'report.json']);
    expect(r.stderr).not.toMatch(/example\.com|Mary/);
  });

  it('reads stdin with --input - and takes --map', () => {
    const out = tempDir();
    const r = cli(['run', 'google', '--input', '-', '--out', out, '--map', 'email=Contact', '--quiet'], 'Contact\nmary@example.com\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const body = JSON.parse(readFileSync(join(out, 'google', 'request-000001.json'), 'utf8'));
    expect(body.audienceMembers).toHaveLength(1);
  });

  it('prints plain progress lines when stderr is not a terminal (none for a short run)', () => {
    const out = tempDir();
    const r = cli(['run', 'meta', '--input', 'examples/customers.csv', '--out', out]);
    expect(r.stderr.split('\n').filter((l) => l.includes('rows/s') && !l.startsWith('meta: 16'))).toEqual([]);
  });

  it.each([
    [['run', 'tiktok', '--input', 'examples/customers.csv', '--out', 'x'], 2, /unknown destination "tiktok"/],
    [['run', 'meta', '--input', 'nope.csv', '--out', 'x'], 1, /INPUT_NOT_FOUND.*nope\.csv/],
    [['run', 'meta', '--input', 'examples/customers.csv'], 2, /required option '-o, --out <dir>'/],
    [['run', 'meta', '--input', 'examples/customers.csv', '--out', 'x', '--hash', 'sha999'], 2, /Allowed choices are sha256, sha1, md5/],
    [['run', 'meta', '--input', 'examples/customers.csv', '--out', 'x', '--batch-size', '20000'], 2, /--batch-size must be an integer from 1 to 10000/],
    [['run', 'meta', '--input', 'examples/customers.csv', '--out', 'x', '--map', 'nonsense'], 2, /--map nonsense: use field=Column/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
  ])('%j exits %i naming the problem', (args, code, message) => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env }, timeout: 60_000 });
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(code);
    expect(listFiles(dir)).toEqual([]);
    expect(existsSync(join(ROOT, 'x'))).toBe(false);
  });

  it('exits 1 with a position on a malformed CSV', () => {
    const dir = tempDir();
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'email\n"a@x.com"z\n');
    const r = cli(['run', 'meta', '--input', input, '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[CSV_SYNTAX\]: unexpected character after a closing quote.* at line 2, column 1 \(byte 15\) of bad\.csv/);
    expect(listFiles(join(dir, 'out'))).toEqual([]);
  });

  it('has help a newcomer can follow', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/run \[options\] <destination>/);
    expect(top.stdout).toMatch(/audience-etl run meta --input examples\/customers.csv/);
    const run = cli(['run', '--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--input', '--out', '--map', '--default-country', '--format', '--batch-size', '--hash', '--encoding', '--session-id', '--ldu', '--prefix', '--partner-id', '--segment', '--delta']) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('stops quietly, exit 0, when the reader of its output goes away (`| head`)', async () => {
    // The pipe's reading end is closed before the CLI has started, so its first write meets EPIPE.
    const child = spawn(process.execPath, [BIN, '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops on %s mid-run: exit 128 + signal, temporary files removed, nothing finished', async (signal) => {
    const dir = tempDir();
    const input = join(dir, 'crm.csv');
    await generateCsv(input, 300_000);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'run', 'meta', '--input', input, '--out', out, '--default-country', 'US', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Signal once the run is writing its first batches.
    for (let i = 0; i < 1000 && !listFiles(out).some((f) => f.startsWith('meta/.tmp-')); i++) await new Promise((r) => setTimeout(r, 5));
    expect(listFiles(out).some((f) => f.startsWith('meta/.tmp-'))).toBe(true);
    child.kill(signal);
    expect(await closed).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(stderr).toMatch(new RegExp(`interrupted by ${signal}; no output was finished`));
    expect(listFiles(out)).toEqual([]);
  });
});
