import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { metaApiSink } from '../../sinks/transports/http.js';
import { addUploadOptions, registerUploadCommand, runUploadFromCli, uploadOptionsFromFlags } from '../../src/cli/upload.js';
import { tempDir } from '../helpers/tmp.js';
import { writeMetaBatches } from './helpers.js';
import { MetaServer } from './servers/meta.js';

const TOKEN = 'EAAB-cli-token-never-printed';
let server: MetaServer;

beforeAll(async () => {
  server = await new MetaServer({ token: TOKEN }).start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) });
  return { stream, text: () => text };
}

describe('upload command', { timeout: 20_000 }, () => {
  it('dry run prints files, bytes and row counts, never a value, and sends nothing', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [3, 2]);
    const out = capture();
    const err = capture();
    const code = await runUploadFromCli('meta', dir, { dryRun: true, audienceId: '2385000', apiBase: server.base }, { out: out.stream, err: err.stream });
    expect(code).toBe(0);
    expect(err.text()).toMatch(/meta dry run: 2 file\(s\) would be sent, 0 already sent/);
    expect(err.text()).toMatch(/would-send\s+batch-000001\.json: [\d,]+ bytes, 3 rows/);
    expect(err.text()).toMatch(/would-send\s+batch-000002\.json: [\d,]+ bytes, 2 rows/);
    expect(err.text()).not.toMatch(/[0-9a-f]{64}|example\.com|not-a-hash/);
    expect(out.text()).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('--json prints the result on stdout; the summary names the session counts', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [2, 1]);
    process.env.META_ACCESS_TOKEN = TOKEN;
    try {
      const out = capture();
      const err = capture();
      expect(await runUploadFromCli('meta', dir, { audienceId: '2385000', apiBase: server.base, json: true }, { out: out.stream, err: err.stream })).toBe(0);
      const result = JSON.parse(out.text()) as { sent: number; meta: { numReceived: number } };
      expect(result).toMatchObject({ sent: 2, meta: { numReceived: 3, numInvalidEntries: 1 } });
      const text = capture();
      expect(await runUploadFromCli('meta', dir, { audienceId: '2385000', apiBase: server.base }, { out: capture().stream, err: text.stream })).toBe(0);
      expect(text.text()).toMatch(/meta upload: 0 file\(s\) sent, 2 already sent \(journal\)/);
      expect(text.text()).toMatch(/session 9007199254740993 \(add, audience 2385000\): 2 batch\(es\) accepted, num_received 3, num_invalid_entries 1 \(1 samples in --json\)/);
      expect(out.text() + err.text() + text.text()).not.toContain(TOKEN);
    } finally {
      delete process.env.META_ACCESS_TOKEN;
    }
  });

  it('refuses an unknown destination', async () => {
    await expect(runUploadFromCli('tiktok', tempDir(), {})).rejects.toThrow(/unknown destination "tiktok"/);
  });

  it('registers `upload <destination> <dir>` with its flags, parsed into options', async () => {
    const program = new Command('audience-etl').exitOverride();
    registerUploadCommand(program);
    const dir = tempDir();
    writeMetaBatches(dir, [1]);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'audience-etl', 'upload', 'meta', dir, '--dry-run', '--audience-id', '1', '--quiet']);
    } finally {
      stderr.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    const upload = program.commands.find((c) => c.name() === 'upload')!;
    expect(upload.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--dry-run', '--api-base', '--operation', '--key-file', '--known-hosts', '--status-timeout', '--no-wait', '--bucket', '--endpoint', '--region']));
    await expect(program.parseAsync(['node', 'audience-etl', 'upload', 'meta', dir, '--operation', 'merge'])).rejects.toThrow();
  });

  it('converts flags: seconds to milliseconds, retries to attempts, --no-wait', () => {
    const options = uploadOptionsFromFlags({ statusTimeout: 5000, maxRetries: 3, maxRetryTime: 60_000, wait: false, createAudience: 'Buyers', customerFileSource: 'USER_PROVIDED_ONLY', port: 2222 });
    expect(options).toMatchObject({ statusTimeoutMs: 5000, retry: { maxAttempts: 4, maxElapsedMs: 60_000 }, wait: false, port: 2222, createAudience: { name: 'Buyers', customerFileSource: 'USER_PROVIDED_ONLY' } });
    const program = new Command('x').exitOverride();
    const run = program.command('run').option('--operation <op>', 'the run’s own').option('--json', 'x');
    addUploadOptions(run);
    expect(run.options.filter((o) => o.long === '--operation')).toHaveLength(1);
    program.parse(['node', 'x', 'run', '--status-timeout', '2.5', '--part-size', '16', '--no-wait']);
    expect(run.opts()).toMatchObject({ statusTimeout: 2500, partSize: 16 * 1024 * 1024, wait: false });
    expect(() => program.parse(['node', 'x', 'run', '--status-timeout', 'soon'])).toThrow(/--status-timeout must be a positive number/);
  });
});

describe('meta API sink', { timeout: 20_000 }, () => {
  it('sends the batches written to it, in order, and journals them', async () => {
    const dir = tempDir();
    const names = writeMetaBatches(dir, [2, 2, 1]);
    const sink = metaApiSink(dir, { audienceId: '2385000', apiBase: server.base, env: { META_ACCESS_TOKEN: TOKEN } });
    await pipeline(Readable.from(names.map((n) => `meta/${n}`)), sink);
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1, 2, 3]);
    expect(sink.result()?.meta?.numReceived).toBe(5);
    expect(readFileSync(join(dir, 'meta', '.upload-journal.ndjson'), 'utf8').match(/"type":"ack"/g)).toHaveLength(3);

    const out = metaApiSink(dir, { audienceId: '2385000', apiBase: server.base, env: { META_ACCESS_TOKEN: TOKEN } });
    await expect(pipeline(Readable.from([join(dir, 'meta', names[0]!), `meta/${names[2]!}`]), out)).rejects.toThrow(/batch_seq 3 where 2 was due/);
  });
});
