import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AudienceEtlError } from '../errors.js';
import { apiUrl, httpRequest, parseJsonBody, shortText, throwIfTransient, type HttpResponse } from './http.js';
import type { JournalEntry } from './journal.js';
import { listFlat } from './listing.js';
import { TransientError, withRetry } from './retry.js';
import { readSecret } from './secrets.js';
import { explainReplaceSubcode, isReplaceSubcode, META_RETRYABLE_CODES, REPLACE_WINDOW_MS } from './meta-errors.js';
import type { ItemChecker, MetaOperation, MetaSummary, SendContext, Transport, UploadItem, UploadOptions, UploadResult } from './types.js';

export const META_API_BASE = 'https://graph.facebook.com/v25.0';
const BATCH_FILE = /^batch-\d{6}\.json$/;
const MAX_ROWS_PER_BATCH = 10_000;
const OPERATIONS: readonly MetaOperation[] = ['add', 'remove', 'replace', 'remove-any'];
const FILE_SOURCES = ['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'] as const;

/** What a batch file says about its session; the session id is kept as text (it may pass 2^53). */
interface BatchSession {
  sessionId: string;
  batchSeq: number;
  last: boolean;
  rows: number;
}

/** Reads the session and row count of one batch body as `run` wrote it. */
export async function readBatchSession(path: string, file: string): Promise<BatchSession> {
  const text = await readFile(path, 'utf8');
  const body = parseJsonBody(text) as { session?: Record<string, unknown>; payload?: { data?: unknown } } | undefined;
  const session = body?.session;
  const idText = /"session_id"\s*:\s*"?(\d+)"?/.exec(text)?.[1];
  if (session === undefined || typeof session !== 'object' || idText === undefined || BigInt(idText) <= 0n) {
    throw new AudienceEtlError('VALIDATION', 'not a Meta batch body: no session with a positive session_id', { file });
  }
  const batchSeq = session.batch_seq;
  if (typeof batchSeq !== 'number' || !Number.isInteger(batchSeq) || batchSeq < 1) {
    throw new AudienceEtlError('VALIDATION', 'batch_seq must be a positive integer', { file });
  }
  if (typeof session.last_batch_flag !== 'boolean') {
    throw new AudienceEtlError('VALIDATION', 'last_batch_flag must be true or false', { file });
  }
  const data = body?.payload?.data;
  if (!Array.isArray(data)) throw new AudienceEtlError('VALIDATION', 'payload.data must be an array', { file });
  if (data.length > MAX_ROWS_PER_BATCH) {
    throw new AudienceEtlError('VALIDATION', `${data.length} rows in one batch; Meta takes at most ${MAX_ROWS_PER_BATCH}`, { file });
  }
  return { sessionId: idText, batchSeq, last: session.last_batch_flag, rows: data.length };
}

export class MetaTransport implements Transport {
  readonly destination = 'meta' as const;
  readonly secrets: readonly string[];
  private readonly token: string | undefined;
  private readonly base: string;
  private readonly operation: MetaOperation;
  private readonly adAccountId: string | undefined;
  private readonly create: UploadOptions['createAudience'];
  private readonly timeoutMs: number;
  private audienceId: string | undefined;
  private readonly sessions = new Map<string, BatchSession>();
  private sessionId: string | undefined;
  private lastSeq = 0;
  private lastFile: string | undefined;
  private sawLast = false;

  constructor(options: UploadOptions) {
    this.token = readSecret('META_ACCESS_TOKEN', options.env ?? process.env);
    this.secrets = this.token ? [this.token] : [];
    this.base = options.apiBase ?? META_API_BASE;
    this.operation = options.operation ?? 'add';
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    if (!OPERATIONS.includes(this.operation)) {
      throw new AudienceEtlError('BAD_OPTION', `--operation must be one of ${OPERATIONS.join(', ')} for meta`);
    }
    this.adAccountId = options.adAccountId === undefined ? undefined : adAccountDigits(options.adAccountId);
    this.audienceId = options.audienceId;
    if (this.audienceId !== undefined && !/^\d+$/.test(this.audienceId)) {
      throw new AudienceEtlError('BAD_OPTION', '--audience-id must be the audience\u2019s numeric id');
    }
    this.create = options.createAudience;
    if (this.create !== undefined) {
      if (this.audienceId !== undefined) throw new AudienceEtlError('BAD_OPTION', 'give either --audience-id or --create-audience, not both');
      if (this.adAccountId === undefined) throw new AudienceEtlError('BAD_OPTION', '--create-audience needs --ad-account-id');
      if (this.create.name.trim() === '') throw new AudienceEtlError('BAD_OPTION', '--create-audience needs a name');
      const source = this.create.customerFileSource ?? 'USER_PROVIDED_ONLY';
      if (!FILE_SOURCES.includes(source)) {
        throw new AudienceEtlError('BAD_OPTION', `--customer-file-source must be one of ${FILE_SOURCES.join(', ')}`);
      }
    }
    if (this.operation === 'remove-any') {
      if (this.adAccountId === undefined) throw new AudienceEtlError('BAD_OPTION', '--operation remove-any needs --ad-account-id');
    } else if (this.audienceId === undefined && this.create === undefined) {
      throw new AudienceEtlError('BAD_OPTION', `meta ${this.operation} needs --audience-id (or --create-audience with --ad-account-id)`);
    }
    if (this.token === undefined && options.dryRun !== true) {
      throw new AudienceEtlError('BAD_OPTION', 'meta needs META_ACCESS_TOKEN (or META_ACCESS_TOKEN_FILE naming a file that holds it) in the environment');
    }
  }

  target(): string {
    const where = this.operation === 'remove-any' ? `act_${this.adAccountId}` : (this.audienceId ?? 'new-audience');
    return `meta:${this.base}:${where}:${this.operation}`;
  }

  list(root: string): Promise<{ items: string[]; ignored: string[] }> {
    return listFlat(root, (name) => BATCH_FILE.test(name));
  }

  checker(): ItemChecker {
    return {
      add: async (item) => {
        const session = await readBatchSession(item.path, item.file);
        if (this.sessionId === undefined) this.sessionId = session.sessionId;
        if (session.sessionId !== this.sessionId) {
          throw new AudienceEtlError('VALIDATION', 'a different session_id than the batches before it; one upload sends one session', { file: item.file });
        }
        if (this.sawLast) {
          throw new AudienceEtlError('VALIDATION', `a batch after ${this.lastFile}, which has last_batch_flag true`, { file: item.file });
        }
        if (session.batchSeq !== this.lastSeq + 1) {
          throw new AudienceEtlError('VALIDATION', `batch_seq ${session.batchSeq} where ${this.lastSeq + 1} was due (batch_seq runs 1, 2, 3… in file order)`, { file: item.file });
        }
        this.lastSeq = session.batchSeq;
        this.lastFile = item.file;
        this.sawLast = session.last;
        this.sessions.set(item.file, session);
      },
      end: () => {
        if (this.lastFile !== undefined && !this.sawLast) {
          throw new AudienceEtlError('VALIDATION', 'the last batch of the session does not have last_batch_flag true', { file: this.lastFile });
        }
      },
    };
  }

  async prepare(ctx: SendContext): Promise<void> {
    if (this.create === undefined || this.audienceId !== undefined) return;
    const source = this.create.customerFileSource ?? 'USER_PROVIDED_ONLY';
    const target = `meta:${this.base}:act_${this.adAccountId}:create`;
    const file = `customaudience:${this.create.name}`;
    const digest = createHash('sha256').update(JSON.stringify([this.create.name, this.create.description ?? '', source])).digest('hex');
    const earlier = ctx.journal.acknowledged(target, file, digest);
    if (earlier !== undefined && typeof earlier.ack?.id === 'string') {
      this.audienceId = earlier.ack.id;
      ctx.log(`meta: using audience ${this.audienceId}, created by an earlier run`);
      return;
    }
    if (ctx.dryRun) {
      ctx.log(`meta: would create a CUSTOM audience in ad account act_${this.adAccountId} (${source})`);
      return;
    }
    const body = JSON.stringify({ name: this.create.name, subtype: 'CUSTOM', description: this.create.description ?? '', customer_file_source: source });
    const response = await this.call(ctx, 'create the custom audience', 'POST', `act_${this.adAccountId}/customaudiences`, body, { inFlight: false });
    const id = (parseJsonBody(response.text) as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new AudienceEtlError('UPLOAD', 'Meta created the audience but returned no id');
    }
    this.audienceId = String(id);
    await ctx.journal.recordAck(target, file, digest, { id: this.audienceId });
    ctx.log(`meta: created audience ${this.audienceId}`);
  }

  async countRows(item: UploadItem): Promise<number | undefined> {
    return this.sessions.get(item.file)?.rows ?? (await readBatchSession(item.path, item.file)).rows;
  }

  async send(item: UploadItem, ctx: SendContext, previous: { inFlight: boolean }): Promise<Record<string, unknown>> {
    const session = this.sessions.get(item.file) ?? (await readBatchSession(item.path, item.file));
    if (this.operation === 'replace') this.checkReplaceWindow(ctx, session, item.file);
    if (previous.inFlight && session.batchSeq === 1) {
      ctx.log(`meta: ${item.file} (batch_seq 1) was in flight when the last run stopped; sending it again`);
    }
    const [method, path] = this.endpoint();
    const body = await readFile(item.path);
    const response = await this.call(ctx, `batch ${session.batchSeq} (${item.file})`, method, path, body, previous, session);
    if (response.status === 0) return { session_id: session.sessionId, batch_seq: session.batchSeq, already_accepted: true };
    const answer = (parseJsonBody(response.text) ?? {}) as Record<string, unknown>;
    const samples = Array.isArray(answer.invalid_entry_samples) ? answer.invalid_entry_samples.slice(0, 100) : [];
    ctx.log(`meta: batch ${session.batchSeq} accepted, num_received ${numberOr(answer.num_received, 0)}, num_invalid_entries ${numberOr(answer.num_invalid_entries, 0)}`);
    return {
      session_id: session.sessionId,
      batch_seq: session.batchSeq,
      rows: session.rows,
      num_received: numberOr(answer.num_received, 0),
      num_invalid_entries: numberOr(answer.num_invalid_entries, 0),
      invalid_entry_samples: samples,
    };
  }

  async finish(): Promise<void> {}

  summarize(result: UploadResult, acks: readonly JournalEntry[]): void {
    if (this.sessionId === undefined) return;
    const mine = acks.filter((entry) => entry.ack?.session_id === this.sessionId);
    const summary: MetaSummary = {
      sessionId: this.sessionId,
      operation: this.operation,
      ...(this.audienceId !== undefined ? { audienceId: this.audienceId } : {}),
      batches: mine.length,
      numReceived: 0,
      numInvalidEntries: 0,
      invalidEntrySamples: [],
    };
    for (const entry of mine) {
      summary.numReceived = Math.max(summary.numReceived, numberOr(entry.ack?.num_received, 0));
      summary.numInvalidEntries += numberOr(entry.ack?.num_invalid_entries, 0);
      const samples = entry.ack?.invalid_entry_samples;
      if (Array.isArray(samples)) summary.invalidEntrySamples.push(...samples.slice(0, 100 - summary.invalidEntrySamples.length));
    }
    result.meta = summary;
  }

  async close(): Promise<void> {}

  private endpoint(): ['POST' | 'DELETE', string] {
    switch (this.operation) {
      case 'add':
        return ['POST', `${this.audienceId}/users`];
      case 'remove':
        return ['DELETE', `${this.audienceId}/users`];
      case 'replace':
        return ['POST', `${this.audienceId}/usersreplace`];
      case 'remove-any':
        return ['DELETE', `act_${this.adAccountId}/usersofanyaudience`];
    }
  }

  /** The replace session closes 90 minutes after its first batch; a later batch is refused, so it is not sent. */
  private checkReplaceWindow(ctx: SendContext, session: BatchSession, file: string): void {
    if (session.batchSeq === 1) return;
    const first = ctx.journal
      .acknowledgementsFor(this.target())
      .find((entry) => entry.ack?.session_id === session.sessionId && entry.ack?.batch_seq === 1);
    if (first === undefined) return;
    const elapsed = ctx.clock.now() - Date.parse(first.at);
    if (elapsed >= REPLACE_WINDOW_MS) {
      throw new AudienceEtlError('UPLOAD', `replace session ${session.sessionId}: ${Math.floor(elapsed / 60_000)} minutes since its first batch; ${explainReplaceSubcode(1870158)}`, { file });
    }
  }

  /** One Graph API call with retries; status 0 stands for "the platform had it already". */
  private async call(
    ctx: SendContext,
    what: string,
    method: 'POST' | 'DELETE',
    path: string,
    body: string | Uint8Array,
    previous: { inFlight: boolean },
    session?: BatchSession,
  ): Promise<HttpResponse> {
    if (this.token === undefined) throw new AudienceEtlError('BAD_OPTION', 'META_ACCESS_TOKEN is not set');
    const url = apiUrl(this.base, path);
    const headers = { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', accept: 'application/json' };
    return withRetry(
      `meta ${what}`,
      async () => {
        const response = await httpRequest({ method, url, headers, body, timeoutMs: this.timeoutMs, signal: ctx.signal });
        if (response.status >= 200 && response.status < 300) return response;
        const error = graphError(response);
        // The session already ended with this very batch: the run that died had it accepted.
        if (error.subcode === 1870159 && previous.inFlight && session?.last === true) return { ...response, status: 0 };
        if (error.subcode !== undefined && isReplaceSubcode(error.subcode)) {
          const advice = explainReplaceSubcode(error.subcode);
          if (error.subcode === 1870145) throw new TransientError(`Meta: ${advice}`);
          throw new AudienceEtlError('UPLOAD', `meta ${what}: ${advice}`);
        }
        throwIfTransient(response, `meta ${what}`, ctx.clock.now(), error.label);
        if (error.transient) throw new TransientError(`meta ${what}: ${error.label}`);
        throw new AudienceEtlError('UPLOAD', `meta ${what}: refused with HTTP ${response.status} ${error.label}`);
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal, onRetry: (e) => ctx.log(`meta: ${what}: retry ${e.retry} in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`) },
    );
  }
}

interface GraphError {
  code?: number;
  subcode?: number;
  transient: boolean;
  label: string;
}

/** The Graph API's `{"error": {code, error_subcode, message, is_transient}}`, read defensively. */
function graphError(response: HttpResponse): GraphError {
  const error = (parseJsonBody(response.text) as { error?: Record<string, unknown> } | undefined)?.error;
  if (error === undefined || typeof error !== 'object') return { transient: false, label: shortText(response.text, 120) };
  const code = typeof error.code === 'number' ? error.code : undefined;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
  const message = typeof error.message === 'string' ? shortText(error.message) : '';
  const transient = error.is_transient === true || (code !== undefined && META_RETRYABLE_CODES.has(code));
  const tag = code !== undefined ? `(#${code}${subcode !== undefined ? `/${subcode}` : ''}) ` : '';
  return { code, subcode, transient, label: `${tag}${message}`.trim() };
}

function adAccountDigits(id: string): string {
  const digits = id.replace(/^act_/, '');
  if (!/^\d+$/.test(digits)) throw new AudienceEtlError('BAD_OPTION', '--ad-account-id must be act_<digits> or <digits>');
  return digits;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
