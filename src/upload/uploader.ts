import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AudienceEtlError, asAudienceEtlError } from '../errors.js';
import { fileDigest, JOURNAL_NAME, UploadJournal } from './journal.js';
import { resolveRetryPolicy, systemClock, type RetryPolicy } from './retry.js';
import { redact } from './secrets.js';
import type { ItemChecker, SendContext, Transport, UploadItem, UploadItemResult, UploadOptions, UploadResult } from './types.js';

/**
 * Drives one transport over the files of `<dir>/<destination>/`: checks them, skips what the
 * journal says was acknowledged, sends the rest one at a time in order, and journals each
 * acknowledgement before the next file goes. Used whole (`uploadDestination`) and file by file
 * (the Writable sinks in `sinks/transports/`).
 */
export class Uploader {
  readonly root: string;
  private readonly transport: Transport;
  private readonly options: UploadOptions;
  private readonly policy: RetryPolicy;
  private readonly checker: ItemChecker;
  private journal: UploadJournal | undefined;
  private context: SendContext | undefined;
  private readonly results: UploadItemResult[] = [];
  private ignored: string[] = [];
  private checksEnded = false;

  constructor(transport: Transport, dir: string, options: UploadOptions, policyBase?: RetryPolicy) {
    this.transport = transport;
    this.root = join(dir, transport.destination);
    this.options = options;
    this.policy = resolveRetryPolicy(options.retry, policyBase);
    this.checker = transport.checker();
  }

  /** Lists the destination's files, in sending order. */
  async list(): Promise<string[]> {
    const listed = await this.guard(() => this.transport.list(this.root));
    this.ignored = listed.ignored;
    return listed.items;
  }

  /** Stats and digests one file and runs it through the transport's checks. */
  async item(file: string): Promise<UploadItem> {
    const rel = toRelative(this.root, file);
    const path = join(this.root, ...rel.split('/'));
    let bytes: number;
    try {
      bytes = (await stat(path)).size;
    } catch (err) {
      throw new AudienceEtlError('INPUT_NOT_FOUND', `cannot read the file to upload (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: rel });
    }
    const item: UploadItem = { file: rel, path, bytes, digest: await fileDigest(path) };
    await this.guard(() => this.checker.add(item));
    return item;
  }

  /** Opens the journal and lets the transport prepare (connect, create the audience). */
  async start(): Promise<void> {
    const clock = this.options.clock ?? systemClock;
    this.journal = await UploadJournal.open(join(this.root, JOURNAL_NAME), () => new Date(clock.now()));
    this.context = {
      journal: this.journal,
      clock,
      policy: this.policy,
      log: (line) => this.options.log?.(redact(line, this.transport.secrets)),
      signal: this.options.signal,
      dryRun: this.options.dryRun === true,
    };
    await this.guard(() => this.transport.prepare(this.requireContext()));
  }

  /** Sends one checked file unless the journal has it; in a dry run, only says what would happen. */
  async upload(item: UploadItem): Promise<UploadItemResult> {
    const ctx = this.requireContext();
    const target = this.transport.target();
    const done = ctx.journal.acknowledged(target, item.file, item.digest);
    let result: UploadItemResult;
    if (done !== undefined) {
      result = { file: item.file, status: ctx.dryRun ? 'would-skip' : 'already-sent', bytes: item.bytes, ack: done.ack };
    } else if (ctx.dryRun) {
      const rows = await this.guard(() => this.transport.countRows(item));
      result = { file: item.file, status: 'would-send', bytes: item.bytes, ...(rows !== undefined ? { rows } : {}) };
    } else {
      const inFlight = ctx.journal.inFlight(target, item.file, item.digest);
      await ctx.journal.recordIntent(target, item.file, item.digest);
      const ack = await this.guard(() => this.transport.send(item, ctx, { inFlight }));
      await ctx.journal.recordAck(target, item.file, item.digest, ack);
      result = { file: item.file, status: 'sent', bytes: item.bytes, ack, ...(inFlight ? { resent: true } : {}) };
    }
    this.results.push(result);
    ctx.log(`${this.transport.destination}: ${item.file} ${result.status.replace('-', ' ')}`);
    return result;
  }

  /** No more files will come: runs the checks that need the whole set (a session's last batch…). */
  async endChecks(): Promise<void> {
    if (this.checksEnded) return;
    this.checksEnded = true;
    await this.guard(async () => this.checker.end());
  }

  /** After the last file: whole-set checks, the transport's finishing work, the result. */
  async finish(): Promise<UploadResult> {
    const ctx = this.requireContext();
    await this.endChecks();
    const result: UploadResult = {
      destination: this.transport.destination,
      target: this.transport.target(),
      dir: this.root,
      dryRun: ctx.dryRun,
      files: this.results,
      sent: this.results.filter((r) => r.status === 'sent').length,
      alreadySent: this.results.filter((r) => r.status === 'already-sent' || r.status === 'would-skip').length,
      ignored: this.ignored,
    };
    await this.guard(() => this.transport.finish(ctx, result));
    this.transport.summarize(result, ctx.journal.acknowledgementsFor(result.target));
    return result;
  }

  async close(): Promise<void> {
    await this.journal?.close();
    await this.transport.close();
  }

  private requireContext(): SendContext {
    if (this.context === undefined) throw new AudienceEtlError('INVARIANT', 'the uploader was used before start()');
    return this.context;
  }

  /** Any failure leaves as our error, with every secret scrubbed from its message. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (this.options.signal?.aborted && err === this.options.signal.reason) throw err;
      const ours = asAudienceEtlError(err, 'UPLOAD');
      const clean = redact(ours.message, this.transport.secrets);
      if (clean === ours.message) throw ours;
      throw new AudienceEtlError(ours.code, clean);
    }
  }
}

/** A path below the destination folder, with `/` separators; anything outside it is refused. */
function toRelative(root: string, file: string): string {
  const rel = isAbsolute(file) ? relative(root, file) : file.split(sep).join('/');
  const parts = rel.split(/[\\/]/);
  if (rel === '' || parts.includes('..') || isAbsolute(rel)) {
    throw new AudienceEtlError('BAD_OPTION', `only files inside the destination folder can be uploaded`, { file: rel || file });
  }
  return parts.join('/');
}

/** The whole upload of a folder a run wrote: check everything first, then send in order. */
export async function uploadFolder(transport: Transport, dir: string, options: UploadOptions, policyBase?: RetryPolicy): Promise<UploadResult> {
  const uploader = new Uploader(transport, dir, options, policyBase);
  try {
    await assertFolder(uploader.root);
    const files = await uploader.list();
    const items: UploadItem[] = [];
    for (const file of files) items.push(await uploader.item(file));
    await uploader.endChecks();
    await uploader.start();
    for (const item of items) await uploader.upload(item);
    return await uploader.finish();
  } finally {
    await uploader.close();
  }
}

async function assertFolder(root: string): Promise<void> {
  try {
    if ((await stat(root)).isDirectory()) return;
  } catch {
    // reported below
  }
  throw new AudienceEtlError('INPUT_NOT_FOUND', `no destination folder to upload (expected the folder a run wrote)`, { file: root });
}
