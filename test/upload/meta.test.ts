import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAudienceEtlError } from '../../src/errors.js';
import { fileDigest, JOURNAL_NAME } from '../../src/upload/journal.js';
import { uploadDestination } from '../../src/upload/index.js';
import type { UploadOptions } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { BIG_SESSION_ID, fakeClock, writeMetaBatches, writeStrays, type FakeClock } from './helpers.js';
import { MetaServer } from './servers/meta.js';

const TOKEN = 'EAAB-meta-token-never-printed-1234';
let clock: FakeClock;
let server: MetaServer;

beforeAll(async () => {
  server = await new MetaServer({ token: TOKEN, now: () => clock.now() }).start();
});
afterAll(() => server.stop());
beforeEach(() => {
  clock = fakeClock();
  server.reset();
});

function options(extra: UploadOptions = {}): UploadOptions {
  return { apiBase: server.base, audienceId: '2385000', env: { META_ACCESS_TOKEN: TOKEN }, clock, ...extra };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the upload to fail');
}

describe('meta upload', { timeout: 20_000 }, () => {
  it('adds a session batch by batch, each body exactly as run wrote it, and reports the counts', async () => {
    const dir = tempDir();
    const names = writeMetaBatches(dir, [3, 2, 2]);
    const strays = writeStrays(dir, 'meta');
    const result = await uploadDestination('meta', dir, options());

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`POST /v25.0/2385000/users`));
    names.forEach((name, i) => expect(server.requests[i]!.body.equals(readFileSync(join(dir, 'meta', name)))).toBe(true));
    expect(server.accepted.map((b) => [b.sessionId, b.batchSeq])).toEqual([[BIG_SESSION_ID, 1], [BIG_SESSION_ID, 2], [BIG_SESSION_ID, 3]]);
    expect(result.sent).toBe(3);
    expect(result.meta).toEqual({
      sessionId: BIG_SESSION_ID,
      operation: 'add',
      audienceId: '2385000',
      batches: 3,
      numReceived: 7,
      numInvalidEntries: 1,
      invalidEntrySamples: ['not-a-hash'],
    });
    expect(result.ignored).toEqual([...strays].sort());
    expect(server.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('sends remove as DELETE /users and remove-any as DELETE /act_<id>/usersofanyaudience', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [2]);
    await uploadDestination('meta', dir, options({ operation: 'remove' }));
    await uploadDestination('meta', dir, options({ operation: 'remove-any', audienceId: undefined, adAccountId: 'act_777' }));
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /v25.0/2385000/users', 'DELETE /v25.0/act_777/usersofanyaudience']);
    expect(server.accepted.map((b) => b.operation)).toEqual(['remove', 'remove-any']);
  });

  it('skips what the journal has, and treats rewritten files (new digest) as new', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [2, 2]);
    await uploadDestination('meta', dir, options());
    const again = await uploadDestination('meta', dir, options());
    expect(again.files.map((f) => f.status)).toEqual(['already-sent', 'already-sent']);
    expect(server.accepted).toHaveLength(2);
    expect(again.meta?.numReceived).toBe(4);

    writeMetaBatches(dir, [1, 1], '424242');
    const rewritten = await uploadDestination('meta', dir, options());
    expect(rewritten.files.map((f) => f.status)).toEqual(['sent', 'sent']);
    expect(server.accepted.slice(2).map((b) => b.sessionId)).toEqual(['424242', '424242']);
  });

  it('retries 5xx, 429 (honouring Retry-After) and dropped connections, and the batch is accepted once', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [2, 2]);
    server.faults.push({ status: 500, body: 'oops' }, { status: 429, headers: { 'retry-after': '7' } }, 'drop');
    const result = await uploadDestination('meta', dir, options());
    expect(result.sent).toBe(2);
    expect(server.requests).toHaveLength(5);
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1, 2]);
    expect(clock.sleeps).toHaveLength(3);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(7000);
  });

  it('retries a transient Graph error (is_transient, rate-limit codes)', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1]);
    server.faults.push({ status: 400, body: { error: { message: 'User request limit reached', code: 17 } } });
    server.faults.push({ status: 500, body: { error: { message: 'temporary', code: 2, is_transient: true } } });
    await uploadDestination('meta', dir, options());
    expect(server.accepted).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('gives up within its bounds and journals no acknowledgement', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1]);
    for (let i = 0; i < 10; i++) server.faults.push({ status: 503 });
    const err = await failure(uploadDestination('meta', dir, options({ retry: { maxAttempts: 4 } })));
    expect(err.message).toMatch(/gave up after 4 attempts.*HTTP 503/);
    expect(server.requests).toHaveLength(4);
    const journal = readFileSync(join(dir, 'meta', JOURNAL_NAME), 'utf8');
    expect(journal).toContain('"type":"intent"');
    expect(journal).not.toContain('"type":"ack"');

    server.faults.length = 0;
    for (let i = 0; i < 10; i++) server.faults.push({ status: 503, headers: { 'retry-after': '3600' } });
    const budget = await failure(uploadDestination('meta', dir, options({ retry: { maxElapsedMs: 60_000 } })));
    expect(budget.message).toMatch(/would pass the 60 s retry budget/);
  });

  it('refuses a session out of order before sending anything', async () => {
    const gap = tempDir();
    writeMetaBatches(gap, [1, 1, 1]);
    const third = join(gap, 'meta', 'batch-000003.json');
    writeFileSync(third, readFileSync(third, 'utf8').replace('"batch_seq":3', '"batch_seq":4'));
    expect((await failure(uploadDestination('meta', gap, options()))).message).toMatch(/batch_seq 4 where 3 was due.*batch-000003\.json/);

    const unfinished = tempDir();
    writeMetaBatches(unfinished, [1, 1]);
    const last = join(unfinished, 'meta', 'batch-000002.json');
    writeFileSync(last, readFileSync(last, 'utf8').replace('"last_batch_flag":true', '"last_batch_flag":false'));
    expect((await failure(uploadDestination('meta', unfinished, options()))).message).toMatch(/last batch of the session does not have last_batch_flag/);
    expect(server.requests).toHaveLength(0);
  });

  it('needs a token from the environment and never prints it', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1]);
    const missing = await failure(uploadDestination('meta', dir, options({ env: {} })));
    expect(isAudienceEtlError(missing) && missing.code).toBe('BAD_OPTION');
    expect(missing.message).toMatch(/META_ACCESS_TOKEN/);

    const file = join(tempDir(), 'token');
    writeFileSync(file, 'EAAB-wrong-token-from-a-file-5678\n');
    const lines: string[] = [];
    const refused = await failure(uploadDestination('meta', dir, options({ env: { META_ACCESS_TOKEN_FILE: file }, log: (l) => lines.push(l) })));
    expect(refused.message).toMatch(/#190/);
    expect(refused.message).toContain('[redacted]');
    expect(refused.message + lines.join('\n')).not.toContain('EAAB-wrong-token-from-a-file-5678');
  });

  it('creates the audience once (subtype CUSTOM, customer_file_source) and uploads to it', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1]);
    const create = options({ audienceId: undefined, adAccountId: '999', createAudience: { name: 'Buyers', customerFileSource: 'PARTNER_PROVIDED_ONLY' } });
    const first = await uploadDestination('meta', dir, create);
    writeMetaBatches(dir, [2], '77');
    const second = await uploadDestination('meta', dir, create);
    expect(server.audiences).toHaveLength(1);
    expect(server.audiences[0]).toMatchObject({ name: 'Buyers', source: 'PARTNER_PROVIDED_ONLY' });
    expect(first.meta?.audienceId).toBe(server.audiences[0]!.id);
    expect(second.meta?.audienceId).toBe(server.audiences[0]!.id);
    expect(server.to('/users')).toHaveLength(2);
    expect(server.to('/users').every((r) => r.path.includes(server.audiences[0]!.id))).toBe(true);
  });

  it('dry run: counts per file, no request, no journal', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [3, 1]);
    const result = await uploadDestination('meta', dir, options({ dryRun: true, env: {} }));
    expect(result.files).toEqual([
      { file: 'batch-000001.json', status: 'would-send', bytes: expect.any(Number), rows: 3 },
      { file: 'batch-000002.json', status: 'would-send', bytes: expect.any(Number), rows: 1 },
    ]);
    expect(server.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'meta', JOURNAL_NAME))).toBe(false);
  });
});

describe('meta replace', { timeout: 20_000 }, () => {
  it('posts to /usersreplace and waits out 1870145 (audience updating)', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [2, 1]);
    server.updatingFor = 2;
    const result = await uploadDestination('meta', dir, options({ operation: 'replace' }));
    expect(server.to('/usersreplace')).toHaveLength(4);
    expect(server.accepted.map((b) => [b.operation, b.batchSeq])).toEqual([['replace', 1], ['replace', 2]]);
    expect(clock.sleeps).toHaveLength(2);
    expect(result.meta?.numReceived).toBe(3);
  });

  it('does not send a batch past the 90-minute window, and says what to do', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1, 1, 1]);
    server.faults.push({ status: 200, body: { num_received: 1 } });
    // The first batch is answered; then 91 minutes pass before the next one would go.
    const lines: string[] = [];
    const err = await failure(
      uploadDestination('meta', dir, options({ operation: 'replace', log: (l) => (lines.push(l), l.includes('batch-000001.json sent') && clock.advance(91 * 60_000)) })),
    );
    expect(err.message).toMatch(/91 minutes since its first batch.*1870158.*--operation add/);
    expect(server.to('/usersreplace')).toHaveLength(1);
  });

  it('reports the server-side subcodes by what they mean', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1, 1]);
    // The platform's clock passes 90 minutes although ours did not.
    const realNow = server.options.now;
    server.options.now = () => clock.now() + (server.accepted.length > 0 ? 91 * 60_000 : 0);
    const expired = await failure(uploadDestination('meta', dir, options({ operation: 'replace' })));
    server.options.now = realNow;
    expect(expired.message).toMatch(/subcode 1870158/);

    // A journal that says batch 1 went through, for a session the platform never saw start: 1870147.
    const lost = tempDir();
    writeMetaBatches(lost, [1, 1], '31337');
    const first = join(lost, 'meta', 'batch-000001.json');
    const ack = { v: 1, type: 'ack', target: `meta:${server.base}:2385000:replace`, file: 'batch-000001.json', digest: await fileDigest(first), at: new Date(clock.now()).toISOString(), ack: { session_id: '31337', batch_seq: 1 } };
    writeFileSync(join(lost, 'meta', JOURNAL_NAME), JSON.stringify(ack) + '\n');
    const missingFirst = await failure(uploadDestination('meta', lost, options({ operation: 'replace' })));
    expect(missingFirst.message).toMatch(/subcode 1870147.*batch_seq must start at 1/);
    expect(server.accepted.filter((b) => b.sessionId === '31337')).toHaveLength(0);
  });

  it('takes 1870159 on a resent last batch as "already accepted", and as an error otherwise', async () => {
    const dir = tempDir();
    writeMetaBatches(dir, [1, 1]);
    await uploadDestination('meta', dir, options({ operation: 'replace' }));
    // The run that died had the last batch accepted but not journaled: drop its ack line.
    const journalPath = join(dir, 'meta', JOURNAL_NAME);
    const lines = readFileSync(journalPath, 'utf8').trim().split('\n');
    writeFileSync(journalPath, lines.slice(0, -1).join('\n') + '\n');
    const resumed = await uploadDestination('meta', dir, options({ operation: 'replace' }));
    expect(resumed.files.map((f) => f.status)).toEqual(['already-sent', 'sent']);
    expect(resumed.files[1]).toMatchObject({ resent: true, ack: { already_accepted: true } });
    expect(server.accepted.map((b) => b.batchSeq)).toEqual([1, 2]);

    const other = tempDir();
    writeMetaBatches(other, [1, 1], '5150');
    await uploadDestination('meta', other, options({ operation: 'replace' }));
    writeFileSync(join(other, 'meta', JOURNAL_NAME), '');
    const err = await failure(uploadDestination('meta', other, options({ operation: 'replace' })));
    expect(err.message).toMatch(/subcode 1870159.*--operation add/);
  });
});
