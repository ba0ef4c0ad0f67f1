import { createReadStream, openAsBlob } from 'node:fs';
import bz2 from 'unbzip2-stream';
import { AudienceEtlError } from '../errors.js';
import { apiUrl, httpRequest, parseJsonBody, shortText, throwIfTransient, type HttpResponse } from './http.js';
import type { JournalEntry } from './journal.js';
import { listFlat } from './listing.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { readSecret } from './secrets.js';
import type { ItemChecker, SendContext, Transport, UploadItem, UploadOptions, UploadResult } from './types.js';

export const DATAX_API_BASE = 'https://datax.yahooapis.com';
const AUDIENCE_FILE = /^audience-(email|phone|email-phone)\.csv\.bz2$/;
const SCHEMA = /^PXID(,SHA256EMAIL)?(,SHA256PHONE)?$/;

/**
 * DataX allows 100 requests an hour per provider, so a 429 may need most of an hour to wait
 * out: the time budget is longer than other platforms'.
 */
export const DATAX_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 10 * 60_000, maxElapsedMs: 70 * 60_000 };

/** The document's validation codes with its explanations, so a refusal is reported by name. */
export const DATAX_ERROR_CODES: Record<string, string> = {
  DxFileIsNull: 'no data file in the request',
  DxFileIsEmpty: 'the data file is empty',
  DxFileNotValidBZ2: 'the file is not valid bzip2',
  DxFileNotValidSchema: 'too few valid schema fields (check the header and that the delimiter is a comma)',
  DxFileHeaderOnly: 'the file has only its header line',
  DxFileInvalidDelimiter: 'the delimiter is not a comma',
  DxFileInconsistentFieldAndSchema: 'a line has a different number of fields than the schema',
  DxFileInvalidPxid: 'a PXID is not made of ASCII 33–126 without comma',
  DxFileInvalidHashedEmail: 'a hashed email is not 64 hex characters',
  DxFileInconsistentContent: 'the content does not follow the header\u2019s field order',
  DxInvalidRequest: 'the URN type is not supported',
  DxJobNotFound: 'no such job',
  DxInternalError: 'DataX could not create the upload job',
  UNABLE_TO_PROCESS_REQUEST: 'DataX could not process the request; try again later',
};

/** Decompresses a .bz2 file as a stream: its first line and its line count. */
export function scanBz2(path: string, wholeFile: boolean): Promise<{ header: string | undefined; lines: number }> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(path);
    const decoder = bz2();
    let head = '';
    let header: string | undefined;
    let lines = 0;
    let endsWithNewline = true;
    let settled = false;
    const finish = (value: { header: string | undefined; lines: number } | Error): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    decoder.on('data', (chunk: Buffer) => {
      if (header === undefined) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\n');
        if (end >= 0) header = head.slice(0, end).replace(/\r$/, '');
      }
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      if (chunk.length > 0) endsWithNewline = chunk[chunk.length - 1] === 10;
      if (!wholeFile && header !== undefined) finish({ header, lines });
    });
    decoder.on('end', () => {
      if (header === undefined && head !== '') header = head.replace(/\r$/, '');
      finish({ header, lines: lines + (endsWithNewline ? 0 : 1) });
    });
    decoder.on('error', (err: Error) => finish(new AudienceEtlError('VALIDATION', `not a valid bzip2 file (DxFileNotValidBZ2): ${err.message}`)));
    input.on('error', (err) => finish(err));
    input.on('data', (chunk) => {
      if (!decoder.write(chunk)) {
        input.pause();
        decoder.once('drain', () => input.resume());
      }
    });
    input.on('end', () => decoder.end());
  });
}

/** Yahoo DataX: each file is one `POST /v1/usermatch?schema=<its header>` with a bearer token. */
export class DataxTransport implements Transport {
  readonly destination = 'datax' as const;
  readonly secrets: readonly string[];
  private readonly token: string | undefined;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly schemas = new Map<string, string>();

  constructor(options: UploadOptions) {
    this.token = readSecret('DATAX_ACCESS_TOKEN', options.env ?? process.env);
    this.secrets = this.token ? [this.token] : [];
    this.base = options.apiBase ?? DATAX_API_BASE;
    this.timeoutMs = options.requestTimeoutMs ?? 30 * 60_000;
    if (this.token === undefined && options.dryRun !== true) {
      throw new AudienceEtlError('BAD_OPTION', 'datax needs DATAX_ACCESS_TOKEN (or DATAX_ACCESS_TOKEN_FILE naming a file that holds it) in the environment');
    }
  }

  target(): string {
    return `datax:${this.base}`;
  }

  list(root: string): Promise<{ items: string[]; ignored: string[] }> {
    return listFlat(root, (name) => AUDIENCE_FILE.test(name));
  }

  checker(): ItemChecker {
    return {
      add: async (item) => {
        if (item.bytes === 0) throw new AudienceEtlError('VALIDATION', 'the file is empty (DxFileIsEmpty)', { file: item.file });
        let scanned;
        try {
          scanned = await scanBz2(item.path, false);
        } catch (err) {
          throw new AudienceEtlError('VALIDATION', (err as Error).message, { file: item.file });
        }
        const header = scanned.header ?? '';
        if (!SCHEMA.test(header) || header === 'PXID') {
          throw new AudienceEtlError('VALIDATION', 'the header line is not a DataX schema (PXID with SHA256EMAIL and/or SHA256PHONE)', { file: item.file });
        }
        this.schemas.set(item.file, header);
      },
      end: () => undefined,
    };
  }

  async prepare(): Promise<void> {}

  async countRows(item: UploadItem): Promise<number> {
    return Math.max(0, (await scanBz2(item.path, true)).lines - 1);
  }

  async send(item: UploadItem, ctx: SendContext): Promise<Record<string, unknown>> {
    if (this.token === undefined) throw new AudienceEtlError('BAD_OPTION', 'DATAX_ACCESS_TOKEN is not set');
    const schema = this.schemas.get(item.file) ?? (await scanBz2(item.path, false)).header ?? '';
    const url = apiUrl(this.base, 'v1/usermatch');
    // Commas unescaped, as the document writes the schema parameter.
    url.search = `schema=${schema}`;
    const blob = await openAsBlob(item.path, { type: 'application/x-bzip2' });
    const headers = { authorization: `Bearer ${this.token}`, 'x-datax-urntype': 'pxid', accept: 'application/json' };
    const what = `datax ${item.file}`;
    const response = await withRetry(
      what,
      async () => {
        const form = new FormData();
        form.set('data', blob, item.file);
        const answer = await httpRequest({ method: 'POST', url, headers, body: form, timeoutMs: this.timeoutMs, signal: ctx.signal });
        if (answer.status >= 200 && answer.status < 300) return answer;
        const code = dataxErrorCode(answer);
        const named = code !== undefined ? `${code} (${DATAX_ERROR_CODES[code] ?? 'see the DataX documentation'})` : shortText(answer.text, 120);
        if (answer.status === 429) ctx.log(`${what}: rate limit reached (DataX allows 100 requests an hour); waiting`);
        throwIfTransient(answer, what, ctx.clock.now(), named);
        const auth = answer.status === 401 || answer.status === 403 ? ' (check DATAX_ACCESS_TOKEN)' : '';
        throw new AudienceEtlError('UPLOAD', `${what}: refused with HTTP ${answer.status} ${named}${auth}`);
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal, onRetry: (e) => ctx.log(`${what}: retry ${e.retry} in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`) },
    );
    const body = parseJsonBody(response.text) as { resourceId?: unknown } | undefined;
    ctx.log(`${what}: accepted`);
    return { schema, ...(typeof body?.resourceId === 'string' ? { resourceId: body.resourceId } : {}) };
  }

  async finish(): Promise<void> {}

  summarize(_result: UploadResult, _acks: readonly JournalEntry[]): void {}

  async close(): Promise<void> {}
}

/** The Dx… code in an error body, wherever the server put it (field names vary). */
export function dataxErrorCode(response: HttpResponse): string | undefined {
  const match = /\b(Dx[A-Za-z]+|UNABLE_TO_PROCESS_REQUEST)\b/.exec(response.text);
  return match?.[1];
}
