import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_STATUS_FILE, EXIT_STATUS_ERROR, registerStatusCommand } from '../../src/cli/status.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'li-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `audience-etl status ...` in process, capturing what it prints and its exit code. */
async function status(...args: string[]) {
  const program = new Command().name('audience-etl').exitOverride();
  registerStatusCommand(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  await program.parseAsync(['status', ...args], { from: 'user' });
  const exitCode = process.exitCode;
  vi.restoreAllMocks();
  return { stdout, stderr, exitCode };
}

async function statusFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('audience-etl status liveintent FILE', () => {
  it('prints a success and exits 0', async () => {
    const path = await statusFile('ok.txt.status', {
      transaction_id: '12345678',
      partner_id: '1001',
      segments: [{ id: '123', action: 'add', code: 'ok', records: 10 }],
    });
    const result = await status('liveintent', path);
    expect(result.exitCode).toBeUndefined();
    expect(result.stdout).toBe('LiveIntent success, transaction 12345678\n  segment 123 add: code ok, 10 records\n');
    expect(result.stderr).toBe('');
  });

  it('names an error status on stderr and exits non-zero', async () => {
    const path = await statusFile('bad.txt.status', { error: { code: ' 7', description: 'File checksum validation failed' } });
    const result = await status('liveintent', path);
    expect(result.exitCode).toBe(EXIT_STATUS_ERROR);
    expect(result.stderr).toBe('LiveIntent error 7 CHECKSUM_FAILED: File checksum validation failed\n');
    expect(result.stdout).toBe('');
  });

  it('prints the typed result with --json, and still exits non-zero on an error status', async () => {
    const path = await statusFile('json.txt.status', { error: { code: 8 } });
    const result = await status('liveintent', path, '--json');
    expect(result.exitCode).toBe(EXIT_STATUS_ERROR);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, code: 8, name: 'NO_VALID_RECORDS', meaning: 'File has no valid records' });
  });

  it('fails with the file named when the status file is not JSON', async () => {
    const path = await statusFile('junk.txt.status', 'not json');
    const result = await status('liveintent', path);
    expect(result.exitCode).toBe(EXIT_BAD_STATUS_FILE);
    expect(result.stderr).toBe('error: LiveIntent status is not valid JSON in junk.txt.status\n');
  });

  it('fails on a missing file', async () => {
    const result = await status('liveintent', join(dir, 'missing.status'));
    expect(result.exitCode).toBe(EXIT_BAD_STATUS_FILE);
    expect(result.stderr).toMatch(/^error: cannot read LiveIntent status file/);
  });

  it('refuses other destinations', async () => {
    const result = await status('meta', join(dir, 'ok.txt.status'));
    expect(result.exitCode).toBe(EXIT_BAD_STATUS_FILE);
    expect(result.stderr).toBe('error: status files are read for liveintent only, not "meta"\n');
  });
});
