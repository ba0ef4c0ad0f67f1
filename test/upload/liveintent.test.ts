import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveIntentSftpSink } from '../../sinks/transports/sftp.js';
import { runUploadFromCli } from '../../src/cli/upload.js';
import { uploadDestination } from '../../src/upload/index.js';
import type { UploadOptions } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { sha256, writeStrays } from './helpers.js';
import { FakeLiveIntent, startSshd, type SshdServer } from './servers/sshd.js';

let sshd: SshdServer;
const processors: FakeLiveIntent[] = [];
let cases = 0;

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});
afterEach(() => {
  while (processors.length) processors.pop()!.stop();
});

/** A data file and its metadata as `run liveintent` writes them; returns the data file name. */
function writeLiveIntent(dir: string, emails: number, fileName?: (digest: string) => string): string {
  const folder = join(dir, 'liveintent');
  mkdirSync(folder, { recursive: true });
  const text = Array.from({ length: emails }, (_, i) => sha256(`person${i}@example.com`)).join('\n') + '\n';
  const digest = createHash('md5').update(text).digest('hex');
  const name = `${digest}.txt`;
  writeFileSync(join(folder, name), text);
  const metadata = {
    partner_id: '1001',
    file: { name: fileName ? fileName(digest) : name, hash: 'md5', digest, date: '2026-03-01', records: emails },
    segments: [{ id: '123', name: 'Recent Purchasers', action: 'add' }],
  };
  writeFileSync(join(folder, `${name}.json`), JSON.stringify(metadata, null, 2));
  return name;
}

/** A fresh remote folder with LiveIntent watching it. */
function remote(): { remoteDir: string; liveintent: FakeLiveIntent } {
  const remoteDir = join(sshd.remoteDir, `case-${++cases}`);
  mkdirSync(remoteDir);
  const liveintent = new FakeLiveIntent(remoteDir).start();
  processors.push(liveintent);
  return { remoteDir, liveintent };
}

function options(remoteDir: string, extra: UploadOptions = {}): UploadOptions {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    keyFile: sshd.keyFile,
    knownHosts: sshd.knownHosts,
    remoteDir,
    statusPollMs: 50,
    statusTimeoutMs: 15_000,
    env: {},
    ...extra,
  };
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) });
  return { stream, text: () => text };
}

describe('liveintent upload over SFTP (OpenSSH sshd on loopback)', { timeout: 60_000 }, () => {
  it('uploads the data file, then its metadata, and returns the .status result', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 25);
    writeStrays(dir, 'liveintent');
    const { remoteDir, liveintent } = remote();
    liveintent.decide = () => ({ success: true, transactionId: '12345678' });
    const result = await uploadDestination('liveintent', dir, options(remoteDir));

    expect(result.files.map((f) => [f.file, f.status])).toEqual([[name, 'sent'], [`${name}.json`, 'sent']]);
    expect(liveintent.seen).toEqual([{ metadata: `${name}.json`, dataComplete: true }]);
    expect(readFileSync(join(remoteDir, name)).equals(readFileSync(join(dir, 'liveintent', name)))).toBe(true);
    expect(result.liveintent).toEqual([
      { file: name, state: 'success', transactionId: '12345678', segments: [{ id: '123', action: 'add', code: 'ok', records: 25 }] },
    ]);
    expect(readdirSync(remoteDir).sort()).toEqual([name, `${name}.json`, `${name}.status`].sort());

    // Run again: nothing is sent twice and the status comes from the journal.
    const again = await uploadDestination('liveintent', dir, options(remoteDir));
    expect(again.files.map((f) => f.status)).toEqual(['already-sent', 'already-sent']);
    expect(again.liveintent?.[0]).toMatchObject({ state: 'success', transactionId: '12345678' });
    expect(liveintent.seen).toHaveLength(1);
  });

  it('does not send metadata again that a killed run had already put on the server', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 6);
    const { remoteDir, liveintent } = remote();
    await uploadDestination('liveintent', dir, options(remoteDir));
    // The run died after the metadata landed but before its acknowledgement was journaled.
    const journalPath = join(dir, 'liveintent', '.upload-journal.ndjson');
    const lines = readFileSync(journalPath, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string; file: string }).file)).toEqual([name, name, `${name}.json`, `${name}.json`, `${name}.status`]);
    writeFileSync(journalPath, lines.slice(0, 3).join('\n') + '\n');

    const resumed = await uploadDestination('liveintent', dir, options(remoteDir, { statusTimeoutMs: 2000 }));
    expect(resumed.files.map((f) => [f.status, f.resent ?? false, f.ack?.already_there ?? false])).toEqual([
      ['already-sent', false, false],
      ['sent', true, true],
    ]);
    expect(resumed.liveintent?.[0]).toMatchObject({ state: 'success' });
    expect(liveintent.seen).toHaveLength(1);
  });

  it('exits non-zero on an error status, naming it', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 3);
    const { remoteDir, liveintent } = remote();
    liveintent.decide = () => ({ error: 8, description: 'File has no valid records' });
    const out = sink();
    const err = sink();
    const flags = { host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile, knownHosts: sshd.knownHosts, remoteDir, statusPoll: 50, statusTimeout: 15_000 };
    const code = await runUploadFromCli('liveintent', dir, flags, { out: out.stream, err: err.stream });
    expect(code).toBe(1);
    expect(err.text()).toContain(`${name}: LiveIntent error 8 NO_VALID_RECORDS (File has no valid records)`);
    expect(err.text()).toContain(`audience-etl: liveintent ${name}: status error 8 NO_VALID_RECORDS`);
  });

  it('refuses a file name with a slash before uploading anything (error 4)', async () => {
    const dir = tempDir();
    writeLiveIntent(dir, 2, (digest) => `uploads/${digest}.txt`);
    const { remoteDir } = remote();
    await expect(uploadDestination('liveintent', dir, options(remoteDir))).rejects.toThrow(/contains a slash \(LiveIntent error 4 FILENAME_HAS_SLASH/);
    expect(readdirSync(remoteDir)).toEqual([]);
  });

  it('refuses metadata whose digest does not match its data file (error 7) before uploading', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 2);
    writeFileSync(join(dir, 'liveintent', name), 'changed after the run\n');
    const { remoteDir } = remote();
    await expect(uploadDestination('liveintent', dir, options(remoteDir))).rejects.toThrow(/file\.digest is not the md5.*error 7/);
    expect(readdirSync(remoteDir)).toEqual([]);
  });

  it('verifies the host key against known_hosts: a different key or an unknown host is refused', async () => {
    const dir = tempDir();
    writeLiveIntent(dir, 2);
    const { remoteDir } = remote();
    await expect(uploadDestination('liveintent', dir, options(remoteDir, { knownHosts: sshd.wrongKnownHosts }))).rejects.toThrow(/host key of \[127\.0\.0\.1\]:\d+ does not match known_hosts/);
    const empty = join(tempDir(), 'known_hosts');
    writeFileSync(empty, '');
    await expect(uploadDestination('liveintent', dir, options(remoteDir, { knownHosts: empty }))).rejects.toThrow(/is not in known_hosts; refusing/);
    expect(readdirSync(remoteDir)).toEqual([]);
  });

  it('reports a refused login without retrying it', async () => {
    const dir = tempDir();
    writeLiveIntent(dir, 2);
    const { remoteDir } = remote();
    const other = join(tempDir(), 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    await expect(uploadDestination('liveintent', dir, options(remoteDir, { keyFile: other }))).rejects.toThrow(/login as .* was refused/);
  });

  it('with wait off, returns after the upload; a later run waits for the status only', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 4);
    const { remoteDir, liveintent } = remote();
    liveintent.decide = () => 'silent';
    const first = await uploadDestination('liveintent', dir, options(remoteDir, { wait: false }));
    expect(first.liveintent).toEqual([{ file: name, state: 'not-waited' }]);

    const pending = await uploadDestination('liveintent', dir, options(remoteDir, { statusTimeoutMs: 300 }));
    expect(pending.files.map((f) => f.status)).toEqual(['already-sent', 'already-sent']);
    expect(pending.liveintent).toEqual([{ file: name, state: 'pending' }]);

    writeFileSync(join(remoteDir, `${name}.status`), JSON.stringify({ transaction_id: '777', segments: [] }));
    const done = await uploadDestination('liveintent', dir, options(remoteDir));
    expect(done.liveintent).toEqual([{ file: name, state: 'success', transactionId: '777', segments: [] }]);
  });

  it('removes a stale .status of the same file before sending its metadata', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 2);
    const { remoteDir, liveintent } = remote();
    writeFileSync(join(remoteDir, `${name}.status`), JSON.stringify({ error: { code: '6', description: 'File not found' } }));
    liveintent.decide = () => ({ success: true, transactionId: 'fresh' });
    const result = await uploadDestination('liveintent', dir, options(remoteDir));
    expect(result.liveintent?.[0]).toMatchObject({ state: 'success', transactionId: 'fresh' });
  });

  it('is usable as a Writable sink: data file, then metadata', async () => {
    const dir = tempDir();
    const name = writeLiveIntent(dir, 5);
    const { remoteDir } = remote();
    const upload = liveIntentSftpSink(dir, { ...options(remoteDir), host: '127.0.0.1', user: sshd.user, keyFile: sshd.keyFile });
    await pipeline(Readable.from([`liveintent/${name}`, `liveintent/${name}.json`]), upload);
    expect(upload.result()?.liveintent?.[0]).toMatchObject({ file: name, state: 'success' });
    expect(existsSync(join(remoteDir, `${name}.json`))).toBe(true);

    const unordered = liveIntentSftpSink(dir, { ...options(remoteDir), host: '127.0.0.1', user: sshd.user, keyFile: sshd.keyFile });
    await expect(pipeline(Readable.from([`liveintent/${name}.json`]), unordered)).rejects.toThrow(/metadata without its data file/);
  });
});
