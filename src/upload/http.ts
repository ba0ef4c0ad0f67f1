import { AudienceEtlError } from '../errors.js';
import { parseRetryAfter, TransientError } from './retry.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  url: URL;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
  /** Whole request, response body included. */
  timeoutMs: number;
  /** The caller's cancellation: an abort from here is final, never retried. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Network failures that a later attempt may not meet: the connection dropped, reset or timed out. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * One HTTP exchange with fetch. A dropped connection or a timeout becomes a TransientError
 * (the retry loop decides what to do); a response of any status is returned as is. Nothing
 * here logs, and errors name the host and path only, never headers (they carry the token).
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const where = `${request.method} ${request.url.host}${request.url.pathname}`;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'error',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (err) {
    if (request.signal?.aborted) throw err;
    if (timeout.aborted) {
      throw new TransientError(`${where}: no answer within ${Math.round(request.timeoutMs / 1000)} s`, undefined, { cause: err });
    }
    const code = networkErrorCode(err);
    if (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) {
      throw new TransientError(`${where}: connection failed (${code})`, undefined, { cause: err });
    }
    if (code === undefined && err instanceof TypeError && /terminated|other side closed|fetch failed/i.test(err.message)) {
      throw new TransientError(`${where}: connection dropped`, undefined, { cause: err });
    }
    throw new AudienceEtlError('UPLOAD', `${where}: request failed (${code ?? (err as Error).message})`, {}, { cause: err });
  }
}

function networkErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Throws a TransientError for the statuses every platform asks to retry: 429 and 5xx. */
export function throwIfTransient(response: HttpResponse, what: string, nowMs: number, detail = ''): void {
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), nowMs);
    const suffix = detail ? ` ${detail}` : '';
    throw new TransientError(`${what}: HTTP ${response.status}${suffix}`, retryAfter);
  }
}

/** Parses a JSON body, or returns undefined (error pages are often HTML). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A server's own words, cut short: error texts here echo at most hashes and ids we sent. */
export function shortText(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Joins an API base (which may carry a path, e.g. a version) and a path. */
export function apiUrl(base: string, path: string, query?: Record<string, string>): URL {
  const url = new URL(base.endsWith('/') ? base : `${base}/`);
  url.pathname = url.pathname.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url;
}
