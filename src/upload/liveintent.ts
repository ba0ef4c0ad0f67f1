import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import { AudienceEtlError } from '../errors.js';
import { LIVEINTENT_ERRORS, parseLiveIntentStatus } from '../liveintent/status.js';
import { parseJsonBody } from './http.js';
import type { JournalEntry } from './journal.js';
import { listFlat } from './listing.js';
import { withRetry } from './retry.js';
import { readSecret } from './secrets.js';
import { parseKnownHosts, SftpConnection, type KnownHost } from './sftp.js';
import type { ItemChecker, LiveIntentOutcome, SendContext, Transport, UploadItem, UploadOptions, UploadResult } from './types.js';

const DATA_FILE = /^([0-9a-f]{32}|[0-9a-f]{40})\.(txt|txt\.gz|zip)$/;
const META_FILE = /^([0-9a-f]{32}|[0-9a-f]{40})\.(txt|txt\.gz|zip)\.json$/;
const MAX_POLL_MS = 60_000;
const SLASH_ERROR = LIVEINTENT_ERRORS[4];

interface Metadata {
  partner_id?: unknown;
  file?: { name?: unknown; hash?: unknown; digest?: unknown; records?: unknown };
  segments?: unknown;
}

async function digestOf(path: string, algorithm: 'md5' | 'sha1'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a metadata file against its data file before anything is sent: what LiveIntent would
 * answer with error 1, 2, 4 or 7 is refused here, without a round trip through their server.
 */
export async function checkLiveIntentPair(data: UploadItem, meta: UploadItem): Promise<{ records: number }> {
  const fail = (why: string): never => {
    throw new AudienceEtlError('VALIDATION', why, { file: meta.file });
  };
  const doc = parseJsonBody(await readFile(meta.path, 'utf8')) as Metadata | undefined;
  if (doc === undefined || typeof doc !== 'object' || doc.file === undefined) fail('not LiveIntent metadata (no "file" object)');
  const file = doc!.file!;
  if (typeof file.name !== 'string' || /[/\\]/.test(file.name)) {
    fail(`file.name contains a slash (LiveIntent error ${SLASH_ERROR.code} ${SLASH_ERROR.name}: ${SLASH_ERROR.meaning}); refused before upload`);
  }
  if (file.name !== data.file) fail(`file.name does not name its data file ${data.file}`);
  if (typeof doc!.partner_id !== 'string' || doc!.partner_id.trim() === '') fail('partner_id is missing (LiveIntent error 2)');
  if (!Array.isArray(doc!.segments) || doc!.segments.length === 0) fail('no segments');
  for (const segment of doc!.segments as { id?: unknown }[]) {
    if (typeof segment?.id !== 'string' || !/^\d+$/.test(segment.id)) fail('a segment id is not an integer (LiveIntent rejects it)');
  }
  if (file.hash !== 'md5' && file.hash !== 'sha1') fail('file.hash must be md5 or sha1');
  const actual = await digestOf(data.path, file.hash as 'md5' | 'sha1');
  if (file.digest !== actual) fail(`file.digest is not the ${String(file.hash)} of ${data.file} (LiveIntent error 7 would follow)`);
  const records = file.records;
  if (typeof records !== 'number' || !Number.isInteger(records) || records < 0) fail('file.records must be a whole number');
  return { records: records as number };
}

/**
 * LiveIntent over SFTP with an SSH key: each data file, then its metadata (which starts
 * LiveIntent's processing), then a bounded wait for `<data file>.status`, read as a typed result.
 */
export class LiveIntentTransport implements Transport {
  readonly destination = 'liveintent' as const;
  readonly secrets: string[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly user: string;
  private readonly keyFile: string;
  private readonly knownHostsPath: string;
  private readonly remoteDir: string;
  private readonly passphrase: string | undefined;
  private readonly statusTimeoutMs: number;
  private readonly statusPollMs: number;
  private readonly wait: boolean;
  private readonly connectTimeoutMs: number;
  private connection: SftpConnection | undefined;
  private knownHosts: KnownHost[] | undefined;
  private privateKey: Buffer | undefined;
  private pending: UploadItem | undefined;
  private readonly dataItems: UploadItem[] = [];
  private readonly records = new Map<string, number>();

  constructor(options: UploadOptions) {
    const env = options.env ?? process.env;
    const need = (value: string | undefined, flag: string): string => {
      if (value === undefined || value.trim() === '') throw new AudienceEtlError('BAD_OPTION', `liveintent needs ${flag}`);
      return value.trim();
    };
    this.host = need(options.host, '--host');
    this.user = need(options.user, '--user');
    this.keyFile = need(options.keyFile, '--key-file (the SSH private key agreed with LiveIntent)');
    this.port = options.port ?? 22;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new AudienceEtlError('BAD_OPTION', '--port must be 1–65535');
    this.knownHostsPath = options.knownHosts ?? join(env.HOME ?? homedir(), '.ssh', 'known_hosts');
    this.remoteDir = options.remoteDir ?? '.';
    this.passphrase = readSecret('LIVEINTENT_SSH_PASSPHRASE', env);
    if (this.passphrase !== undefined) this.secrets.push(this.passphrase);
    this.statusTimeoutMs = options.statusTimeoutMs ?? 30 * 60_000;
    this.statusPollMs = options.statusPollMs ?? 10_000;
    this.wait = options.wait !== false;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
    if (this.statusPollMs <= 0 || this.statusTimeoutMs < 0) throw new AudienceEtlError('BAD_OPTION', '--status-timeout and the poll interval must be positive');
  }

  target(): string {
    return `liveintent:${this.user}@${this.host}:${this.port}:${this.remoteDir}`;
  }

  async list(root: string): Promise<{ items: string[]; ignored: string[] }> {
    const listed = await listFlat(root, (name) => DATA_FILE.test(name) || META_FILE.test(name));
    // Each data file goes right before its metadata: LiveIntent starts work when the metadata lands.
    const items = listed.items.filter((n) => DATA_FILE.test(n)).flatMap((n) => (listed.items.includes(`${n}.json`) ? [n, `${n}.json`] : [n]));
    const strays = listed.items.filter((n) => META_FILE.test(n) && !listed.items.includes(n.slice(0, -'.json'.length)));
    return { items: [...items, ...strays], ignored: listed.ignored };
  }

  checker(): ItemChecker {
    return {
      add: async (item) => {
        if (/[/\\]/.test(item.file)) {
          throw new AudienceEtlError('VALIDATION', `the file name contains a slash (LiveIntent error ${SLASH_ERROR.code} ${SLASH_ERROR.name}); refused before upload`, { file: item.file });
        }
        if (DATA_FILE.test(item.file)) {
          if (this.pending !== undefined) throw new AudienceEtlError('VALIDATION', 'a data file without its metadata (<name>.json)', { file: this.pending.file });
          this.pending = item;
          return;
        }
        if (this.pending === undefined || item.file !== `${this.pending.file}.json`) {
          throw new AudienceEtlError('VALIDATION', 'metadata without its data file before it', { file: item.file });
        }
        const { records } = await checkLiveIntentPair(this.pending, item);
        this.records.set(this.pending.file, records);
        this.dataItems.push(this.pending);
        this.pending = undefined;
      },
      end: () => {
        if (this.pending !== undefined) throw new AudienceEtlError('VALIDATION', 'a data file without its metadata (<name>.json)', { file: this.pending.file });
      },
    };
  }

  async prepare(ctx: SendContext): Promise<void> {
    if (ctx.dryRun) {
      ctx.log(`liveintent: would upload to ${this.user}@${this.host}:${this.port} in ${this.remoteDir}, data file then metadata`);
      return;
    }
    try {
      this.privateKey = await readFile(this.keyFile);
    } catch (err) {
      throw new AudienceEtlError('BAD_OPTION', `cannot read --key-file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let text: string;
    try {
      text = await readFile(this.knownHostsPath, 'utf8');
    } catch {
      throw new AudienceEtlError('BAD_OPTION', `cannot read the known_hosts file ${this.knownHostsPath}; host keys are always verified (give --known-hosts)`);
    }
    this.knownHosts = parseKnownHosts(text);
  }

  async countRows(item: UploadItem): Promise<number | undefined> {
    return this.records.get(item.file);
  }

  async send(item: UploadItem, ctx: SendContext, previous: { inFlight: boolean }): Promise<Record<string, unknown>> {
    const remote = posix.join(this.remoteDir, item.file);
    const isMetadata = item.file.endsWith('.json');
    return withRetry(
      `liveintent ${item.file}`,
      async () => {
        const sftp = await this.connect();
        // Metadata the last run sent in full before it died is not sent again: that would start a second processing.
        if (isMetadata && previous.inFlight && (await sftp.stat(remote))?.size === item.bytes && (await sftp.readFile(remote)).equals(await readFile(item.path))) {
          ctx.log(`liveintent ${item.file}: already on the server from the run that stopped; not sent again`);
          return { remote, bytes: item.bytes, already_there: true };
        }
        if (isMetadata) {
          // A .status left by an earlier attempt of this file would be read as this one's answer.
          const status = `${remote.slice(0, -'.json'.length)}.status`;
          if ((await sftp.stat(status)) !== undefined) await sftp.unlink(status);
        }
        await sftp.put(item.path, remote);
        const stats = await sftp.stat(remote);
        if (stats?.size !== item.bytes) throw new AudienceEtlError('UPLOAD', `liveintent ${item.file}: the remote file has ${String(stats?.size)} bytes, not ${item.bytes}`);
        return { remote, bytes: item.bytes };
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal, onRetry: (e) => ctx.log(`liveintent ${item.file}: retry ${e.retry} in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`) },
    );
  }

  async finish(ctx: SendContext, result: UploadResult): Promise<void> {
    const outcomes: LiveIntentOutcome[] = [];
    for (const data of this.dataItems) {
      const statusFile = `${data.file}.status`;
      const known = ctx.journal.acknowledged(this.target(), statusFile, data.digest);
      if (known?.ack !== undefined) outcomes.push(known.ack as unknown as LiveIntentOutcome);
      else if (ctx.dryRun || !this.wait) outcomes.push({ file: data.file, state: 'not-waited' });
      else {
        const outcome = await this.waitForStatus(ctx, data.file);
        if (outcome.state !== 'pending') await ctx.journal.recordAck(this.target(), statusFile, data.digest, { ...outcome });
        outcomes.push(outcome);
      }
    }
    result.liveintent = outcomes;
  }

  summarize(_result: UploadResult, _acks: readonly JournalEntry[]): void {}

  async close(): Promise<void> {
    this.connection?.close();
    this.connection = undefined;
  }

  /** Looks for `<data file>.status` with growing pauses, until it appears or the timeout passes. */
  private async waitForStatus(ctx: SendContext, file: string): Promise<LiveIntentOutcome> {
    const remote = posix.join(this.remoteDir, `${file}.status`);
    const deadline = ctx.clock.now() + this.statusTimeoutMs;
    let pause = this.statusPollMs;
    ctx.log(`liveintent: waiting for ${file}.status (at most ${Math.round(this.statusTimeoutMs / 1000)} s)`);
    for (;;) {
      const text = await withRetry(
        `liveintent ${file}.status`,
        async () => {
          const sftp = await this.connect();
          return (await sftp.stat(remote)) === undefined ? undefined : (await sftp.readFile(remote)).toString('utf8');
        },
        ctx.policy,
        ctx.clock,
        { signal: ctx.signal },
      );
      if (text !== undefined) {
        const status = parseLiveIntentStatus(text, `${file}.status`);
        if (status.ok) {
          ctx.log(`liveintent: ${file}: success, transaction ${status.transactionId}`);
          return { file, state: 'success', transactionId: status.transactionId, segments: status.segments.map((s) => ({ id: s.id, action: s.action, code: s.code, records: s.records })) };
        }
        ctx.log(`liveintent: ${file}: error ${status.code} ${status.name}`);
        return { file, state: 'error', errorCode: status.code, errorName: status.name };
      }
      const left = deadline - ctx.clock.now();
      if (left <= 0) return { file, state: 'pending' };
      await ctx.clock.sleep(Math.min(pause, left), ctx.signal);
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
  }

  private async connect(): Promise<SftpConnection> {
    if (this.connection?.isOpen) return this.connection;
    if (this.privateKey === undefined || this.knownHosts === undefined) throw new AudienceEtlError('INVARIANT', 'liveintent used before prepare()');
    this.connection = await SftpConnection.connect({
      host: this.host,
      port: this.port,
      user: this.user,
      privateKey: this.privateKey,
      ...(this.passphrase !== undefined ? { passphrase: this.passphrase } : {}),
      knownHosts: this.knownHosts,
      connectTimeoutMs: this.connectTimeoutMs,
    });
    return this.connection;
  }
}
