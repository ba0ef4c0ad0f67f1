import { readFile } from 'node:fs/promises';
import { AudienceEtlError } from '../errors.js';
import { GoogleCredentials } from './google-auth.js';
import { apiUrl, httpRequest, parseJsonBody, shortText, throwIfTransient, type HttpResponse } from './http.js';
import type { JournalEntry } from './journal.js';
import { listFlat } from './listing.js';
import { TransientError, withRetry } from './retry.js';
import type { ItemChecker, SendContext, Transport, UploadItem, UploadOptions, UploadResult } from './types.js';

export const GOOGLE_API_BASE = 'https://datamanager.googleapis.com';
const REQUEST_FILE = /^request-\d{6}\.json$/;
const MAX_MEMBERS = 10_000;
const ACCOUNT_TYPES = ['GOOGLE_ADS', 'DISPLAY_VIDEO_PARTNER', 'DISPLAY_VIDEO_ADVERTISER', 'DATA_PARTNER'] as const;

interface RequestFile {
  audienceMembers: unknown[];
  encoding?: 'HEX' | 'BASE64';
}

/** Reads one request body as `run` wrote it: `{audienceMembers, encoding}`. */
export async function readGoogleRequest(path: string, file: string): Promise<RequestFile> {
  const body = parseJsonBody(await readFile(path, 'utf8')) as Partial<RequestFile> | undefined;
  if (body === undefined || !Array.isArray(body.audienceMembers)) {
    throw new AudienceEtlError('VALIDATION', 'not a Data Manager request body: no audienceMembers array', { file });
  }
  if (body.audienceMembers.length === 0 || body.audienceMembers.length > MAX_MEMBERS) {
    throw new AudienceEtlError('VALIDATION', `${body.audienceMembers.length} audience members; a request takes 1 to ${MAX_MEMBERS}`, { file });
  }
  if (body.encoding !== undefined && body.encoding !== 'HEX' && body.encoding !== 'BASE64') {
    throw new AudienceEtlError('VALIDATION', 'encoding must be HEX or BASE64', { file });
  }
  return body as RequestFile;
}

/**
 * Google Data Manager API: `audienceMembers:ingest` (add) and `audienceMembers:remove`, one
 * request per file, each wrapped with the destination (operating account + audience id) and,
 * for ingestion, the Customer Match terms of service when the user says they were accepted.
 */
export class GoogleTransport implements Transport {
  readonly destination = 'google' as const;
  readonly secrets: string[] = [];
  private readonly credentials: GoogleCredentials;
  private readonly base: string;
  private readonly operation: 'add' | 'remove';
  private readonly destinationRef: Record<string, unknown>;
  private readonly acceptTerms: boolean;
  private readonly timeoutMs: number;

  constructor(options: UploadOptions) {
    this.credentials = new GoogleCredentials(options.env ?? process.env, this.secrets);
    this.base = options.apiBase ?? GOOGLE_API_BASE;
    const operation = options.operation ?? 'add';
    if (operation !== 'add' && operation !== 'remove') {
      throw new AudienceEtlError('BAD_OPTION', '--operation must be add or remove for google');
    }
    this.operation = operation;
    this.acceptTerms = options.acceptTerms === true;
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    if (options.audienceId === undefined || options.audienceId.trim() === '') {
      throw new AudienceEtlError('BAD_OPTION', 'google needs --audience-id (the audience the members go to)');
    }
    const operating = productAccount(options.accountId, options.accountType, '--account-id', '--account-type');
    if (operating === undefined) throw new AudienceEtlError('BAD_OPTION', 'google needs --account-id (the operating account)');
    const login = productAccount(options.loginAccountId, options.loginAccountType, '--login-account-id', '--login-account-type');
    this.destinationRef = {
      operatingAccount: operating,
      ...(login !== undefined ? { loginAccount: login } : {}),
      productDestinationId: options.audienceId.trim(),
    };
  }

  target(): string {
    const account = this.destinationRef.operatingAccount as { accountType: string; accountId: string };
    return `google:${this.base}:${account.accountType}:${account.accountId}:${String(this.destinationRef.productDestinationId)}:${this.operation}`;
  }

  list(root: string): Promise<{ items: string[]; ignored: string[] }> {
    return listFlat(root, (name) => REQUEST_FILE.test(name));
  }

  checker(): ItemChecker {
    return { add: async (item) => void (await readGoogleRequest(item.path, item.file)), end: () => undefined };
  }

  async prepare(ctx: SendContext): Promise<void> {
    if (ctx.dryRun) ctx.log(`google: credentials from ${this.credentials.describe()}`);
  }

  async countRows(item: UploadItem): Promise<number> {
    return (await readGoogleRequest(item.path, item.file)).audienceMembers.length;
  }

  async send(item: UploadItem, ctx: SendContext): Promise<Record<string, unknown>> {
    const request = await readGoogleRequest(item.path, item.file);
    const body = JSON.stringify({
      destinations: [this.destinationRef],
      audienceMembers: request.audienceMembers,
      encoding: request.encoding ?? 'HEX',
      ...(this.operation === 'add' && this.acceptTerms ? { termsOfService: { customerMatchTermsOfServiceStatus: 'ACCEPTED' } } : {}),
    });
    const url = apiUrl(this.base, this.operation === 'add' ? 'v1/audienceMembers:ingest' : 'v1/audienceMembers:remove');
    const what = `google ${this.operation === 'add' ? 'ingest' : 'remove'} ${item.file}`;
    let refreshed = false;
    const response = await withRetry(
      what,
      async () => {
        const token = await this.credentials.accessToken(ctx);
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
        const answer = await httpRequest({ method: 'POST', url, headers, body, timeoutMs: this.timeoutMs, signal: ctx.signal });
        if (answer.status >= 200 && answer.status < 300) return answer;
        // An exchanged token can be revoked early: exchange once more before giving up.
        if (answer.status === 401 && this.credentials.refreshable && !refreshed) {
          refreshed = true;
          this.credentials.invalidate();
          throw new TransientError(`${what}: token refused, exchanging it again`, 0);
        }
        throwIfTransient(answer, what, ctx.clock.now(), rpcStatus(answer));
        throw new AudienceEtlError('UPLOAD', `${what}: refused with HTTP ${answer.status} ${rpcStatus(answer)}`);
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal, onRetry: (e) => ctx.log(`${what}: retry ${e.retry} in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`) },
    );
    const requestId = (parseJsonBody(response.text) as { requestId?: unknown } | undefined)?.requestId;
    ctx.log(`${what}: accepted, ${request.audienceMembers.length} members`);
    return { members: request.audienceMembers.length, ...(typeof requestId === 'string' ? { requestId } : {}) };
  }

  async finish(): Promise<void> {}

  summarize(result: UploadResult, acks: readonly JournalEntry[]): void {
    const files = new Set(result.files.map((f) => f.file));
    const requestIds = acks.filter((a) => files.has(a.file) && typeof a.ack?.requestId === 'string').map((a) => a.ack?.requestId as string);
    result.google = { requestIds };
  }

  async close(): Promise<void> {}
}

function productAccount(id: string | undefined, type: string | undefined, idFlag: string, typeFlag: string): Record<string, string> | undefined {
  if (id === undefined) {
    if (type !== undefined) throw new AudienceEtlError('BAD_OPTION', `${typeFlag} needs ${idFlag}`);
    return undefined;
  }
  const accountId = id.replace(/-/g, '');
  if (!/^\d+$/.test(accountId)) throw new AudienceEtlError('BAD_OPTION', `${idFlag} must be a numeric account id (dashes allowed)`);
  const accountType = (type ?? 'GOOGLE_ADS').toUpperCase();
  if (!(ACCOUNT_TYPES as readonly string[]).includes(accountType)) {
    throw new AudienceEtlError('BAD_OPTION', `${typeFlag} must be one of ${ACCOUNT_TYPES.join(', ')}`);
  }
  return { accountType, accountId };
}

/** google.rpc.Status in a few words: `INVALID_ARGUMENT: …` and the reasons of its details. */
function rpcStatus(response: HttpResponse): string {
  const error = (parseJsonBody(response.text) as { error?: { status?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error === undefined) return shortText(response.text, 120);
  const reasons = Array.isArray(error.details)
    ? error.details.map((d) => (d as { reason?: unknown }).reason).filter((r): r is string => typeof r === 'string')
    : [];
  const status = typeof error.status === 'string' ? error.status : '';
  const message = typeof error.message === 'string' ? shortText(error.message) : '';
  return [status && `${status}:`, message, reasons.length ? `(${reasons.join(', ')})` : ''].filter(Boolean).join(' ');
}
