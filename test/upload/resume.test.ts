import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_NAME } from '../../src/upload/journal.js';
import type { UploadResult } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { BIG_SESSION_ID, writeMetaBatches } from './helpers.js';
import { MetaServer } from './servers/meta.js';

const TOKEN = 'EAAB-child-process-token-never-printed';
const root = join(import.meta.dirname, '..', '..');
// Inside the project so that the bundle's external packages resolve from its node_modules.
const buildDir = join(root, 'node_modules', '.cache', `audience-etl-upload-test-${process.pid}`);
const cli = join(buildDir, 'cli.mjs');
let server: MetaServer;

beforeAll(async () => {
  mkdirSync(buildDir, { recursive: true });
  await build({ entryPoints: [join(import.meta.dirname, 'fixtures', 'cli-child.ts')], outfile: cli, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  server = await new MetaServer({ token: TOKEN }).start();
}, 30_000);
afterAll(async () => {
  await server?.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

function upload(dir: string, ...extra: string[]): Run {
  const child = spawn(process.execPath, [cli, 'upload', 'meta', dir, '--audience-id', '2385000', '--api-base', server.base, '--request-timeout', '60', ...extra], {
    env: { ...process.env, META_ACCESS_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

describe('journal: an upload killed part-way resumes without sending any batch twice', { timeout: 60_000 }, () => {
  it('SIGKILL after three acknowledged batches, then the same command again', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [4, 4, 4, 4, 4, 4]);
    server.reset();
    // The platform acknowledges batches 1–3, then holds batch 4 unanswered and tells the test.
    server.stallAtSeq = 4;
    const stalled = new Promise<void>((resolve) => (server.onStall = resolve));

    const first = upload(dir);
    await Promise.race([stalled, first.exit.then((e) => Promise.reject(new Error(`the upload ended before the kill: ${JSON.stringify(e)} ${first.stderr()}`)))]);
    first.child.kill('SIGKILL');
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1, 2, 3]);

    const journal = readFileSync(join(dir, 'meta', JOURNAL_NAME), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; file: string });
    expect(journal.filter((e) => e.type === 'ack').map((e) => e.file)).toEqual(['batch-000001.json', 'batch-000002.json', 'batch-000003.json']);
    expect(journal.at(-1)).toMatchObject({ type: 'intent', file: 'batch-000004.json' });

    const second = upload(dir, '--json');
    expect(await second.exit).toEqual({ code: 0, signal: null });
    const result = JSON.parse(second.stdout()) as UploadResult;
    expect(result.files.map((f) => [f.file, f.status, f.resent ?? false])).toEqual([
      ['batch-000001.json', 'already-sent', false],
      ['batch-000002.json', 'already-sent', false],
      ['batch-000003.json', 'already-sent', false],
      ['batch-000004.json', 'sent', true],
      ['batch-000005.json', 'sent', false],
      ['batch-000006.json', 'sent', false],
    ]);

    // Every batch accepted exactly once, in order; only the one in flight at the kill went out twice.
    expect(server.accepted.map((b) => [b.sessionId, b.batchSeq])).toEqual([1, 2, 3, 4, 5, 6].map((seq) => [BIG_SESSION_ID, seq]));
    const seqs = server.to('/users').map((r) => (JSON.parse(r.body.toString()) as { session: { batch_seq: number } }).session.batch_seq);
    expect(seqs).toEqual([1, 2, 3, 4, 4, 5, 6]);
    expect(result.meta).toMatchObject({ batches: 6, numReceived: 24 });

    for (const text of [first.stdout(), first.stderr(), second.stdout(), second.stderr()]) expect(text).not.toContain(TOKEN);

    // A third run sends nothing at all.
    const third = upload(dir, '--quiet');
    expect(await third.exit).toEqual({ code: 0, signal: null });
    expect(server.to('/users')).toHaveLength(7);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-request: exit 128 + signal, a message saying to run it again, and the rest sent by the next run', async (signal) => {
    const dir = tempDir();
    writeMetaBatches(dir, [4, 4, 4]);
    server.reset();
    server.stallAtSeq = 2;
    const stalled = new Promise<void>((resolve) => (server.onStall = resolve));

    const first = upload(dir);
    await Promise.race([stalled, first.exit.then((e) => Promise.reject(new Error(`the upload ended before the signal: ${JSON.stringify(e)} ${first.stderr()}`)))]);
    first.child.kill(signal);
    expect(await first.exit).toEqual({ code: signal === 'SIGINT' ? 130 : 143, signal: null });
    expect(first.stderr()).toContain(`audience-etl: interrupted by ${signal}; run the same command again to resume`);
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1]);

    const second = upload(dir, '--json');
    expect(await second.exit).toEqual({ code: 0, signal: null });
    const result = JSON.parse(second.stdout()) as UploadResult;
    expect(result.files.map((f) => [f.file, f.status])).toEqual([
      ['batch-000001.json', 'already-sent'],
      ['batch-000002.json', 'sent'],
      ['batch-000003.json', 'sent'],
    ]);
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1, 2, 3]);
    for (const text of [first.stdout(), first.stderr(), second.stdout(), second.stderr()]) expect(text).not.toContain(TOKEN);
  });
});
