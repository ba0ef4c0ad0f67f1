import { bearer, MockHttpServer, type RecordedRequest, type Reply } from './http-server.js';

/** One batch the stand-in accepted (answered 200). */
export interface AcceptedBatch {
  operation: 'add' | 'remove' | 'replace' | 'remove-any';
  audience: string;
  sessionId: string;
  batchSeq: number;
  rows: number;
}

interface ReplaceSession {
  audience: string;
  firstAt: number;
  ended: boolean;
  received: number;
}

const HASHED_KEYS = new Set(['EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'ST', 'CT', 'ZIP', 'COUNTRY']);
const REPLACE_WINDOW_MS = 90 * 60_000;

export interface MetaServerOptions {
  token: string;
  version?: string;
  now?: () => number;
}

/**
 * A stand-in for the Marketing API's custom-audience endpoints, following document 004:
 * `/act_<id>/customaudiences` (subtype CUSTOM, customer_file_source), `/{audience}/users`
 * POST and DELETE, `/{audience}/usersreplace` with its session rules (batch_seq 1 opens the
 * session, last_batch_flag closes it, 90 minutes at most, one replace at a time) and error
 * subcodes, and `/act_<id>/usersofanyaudience`. Answers `num_received` (per session),
 * `num_invalid_entries` and `invalid_entry_samples` (values of hashed keys that are no SHA-256).
 */
export class MetaServer extends MockHttpServer {
  readonly accepted: AcceptedBatch[] = [];
  readonly audiences: { id: string; name: string; source: string }[] = [];
  /** Answer the next N replace requests with 1870145 (the audience is being updated). */
  updatingFor = 0;
  /** Hang, once, on the batch with this batch_seq, and call onStall: a client can be killed mid-request. */
  stallAtSeq: number | undefined;
  onStall: (() => void) | undefined;
  readonly replaceSessions = new Map<string, ReplaceSession>();
  private readonly received = new Map<string, number>();
  private nextAudience = 23850000000000000n;

  constructor(readonly options: MetaServerOptions) {
    super((request) => this.route(request));
  }

  /** Forgets every session, batch and request: a fresh platform for the next test. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.accepted.length = 0;
    this.audiences.length = 0;
    this.replaceSessions.clear();
    this.received.clear();
    this.updatingFor = 0;
    this.stallAtSeq = undefined;
  }

  get base(): string {
    return `${this.url}/${this.options.version ?? 'v25.0'}`;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private route(request: RecordedRequest): Reply {
    if (bearer(request) !== this.options.token) {
      // Like the real one, the message names what was wrong; here it even echoes the token, so tests prove it is scrubbed.
      return graphError(400, 190, undefined, `Invalid OAuth access token - Cannot parse access token: ${bearer(request) ?? ''}`);
    }
    const version = `/${this.options.version ?? 'v25.0'}/`;
    if (!request.path.startsWith(version)) return graphError(400, 2500, undefined, 'Unknown path components');
    const path = request.path.slice(version.length);
    let m: RegExpExecArray | null;
    if ((m = /^act_(\d+)\/customaudiences$/.exec(path)) && request.method === 'POST') return this.createAudience(request);
    if ((m = /^(\d+)\/users$/.exec(path)) && (request.method === 'POST' || request.method === 'DELETE')) {
      return this.batch(request, m[1]!, request.method === 'POST' ? 'add' : 'remove');
    }
    if ((m = /^(\d+)\/usersreplace$/.exec(path)) && request.method === 'POST') return this.batch(request, m[1]!, 'replace');
    if ((m = /^act_(\d+)\/usersofanyaudience$/.exec(path)) && request.method === 'DELETE') return this.batch(request, `act_${m[1]}`, 'remove-any');
    return graphError(400, 100, undefined, 'Unsupported request');
  }

  private createAudience(request: RecordedRequest): Reply {
    const body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    const sources = ['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'];
    if (body.subtype !== 'CUSTOM' || !sources.includes(String(body.customer_file_source))) {
      return graphError(400, 100, undefined, 'subtype CUSTOM and a customer_file_source are required');
    }
    const id = String(this.nextAudience++);
    this.audiences.push({ id, name: String(body.name), source: String(body.customer_file_source) });
    return { status: 200, body: { id } };
  }

  private batch(request: RecordedRequest, audience: string, operation: AcceptedBatch['operation']): Reply {
    const text = request.body.toString('utf8');
    const sessionId = /"session_id"\s*:\s*(\d+)/.exec(text)?.[1];
    const body = JSON.parse(text) as { session?: { batch_seq?: number; last_batch_flag?: boolean }; payload?: { schema?: string[]; data?: unknown[][] } };
    const seq = body.session?.batch_seq;
    const data = body.payload?.data;
    if (sessionId === undefined || typeof seq !== 'number' || !Array.isArray(data) || !Array.isArray(body.payload?.schema)) {
      return graphError(400, 100, undefined, 'Invalid parameter: session and payload are required');
    }
    if (data.length > 10_000) return graphError(400, 100, undefined, 'At most 10000 users per request');
    if (this.stallAtSeq === seq) {
      this.stallAtSeq = undefined;
      queueMicrotask(() => this.onStall?.());
      return { status: -1 };
    }
    if (operation === 'replace') {
      const refusal = this.replaceRules(audience, sessionId, seq, body.session?.last_batch_flag === true);
      if (refusal) return refusal;
    }
    const key = `${operation}:${audience}:${sessionId}`;
    const received = (this.received.get(key) ?? 0) + data.length;
    this.received.set(key, received);
    const schema = body.payload!.schema!;
    const invalid: string[] = [];
    for (const row of data) {
      schema.forEach((field, i) => {
        const value = row[i];
        if (HASHED_KEYS.has(field) && typeof value === 'string' && value !== '' && !/^[0-9a-f]{64}$/.test(value)) invalid.push(value);
      });
    }
    this.accepted.push({ operation, audience, sessionId, batchSeq: seq, rows: data.length });
    return {
      status: 200,
      body: { audience_id: audience, session_id: Number(sessionId), num_received: received, num_invalid_entries: invalid.length, invalid_entry_samples: invalid.slice(0, 100) },
    };
  }

  /** The document's replace rules, in its order of precedence. */
  private replaceRules(audience: string, sessionId: string, seq: number, last: boolean): Reply | undefined {
    if (this.updatingFor > 0) {
      this.updatingFor--;
      return graphError(400, 2650, 1870145, 'Custom audience is updating');
    }
    let session = this.replaceSessions.get(sessionId);
    if (session === undefined) {
      if (seq !== 1) return graphError(400, 2650, 1870147, 'Invalid upload batch for replace');
      const busy = [...this.replaceSessions.values()].some((s) => s.audience === audience && !s.ended && this.now() - s.firstAt < REPLACE_WINDOW_MS);
      if (busy) return graphError(400, 2650, 1870145, 'A replace is already in progress');
      session = { audience, firstAt: this.now(), ended: false, received: 0 };
      this.replaceSessions.set(sessionId, session);
    } else if (session.ended) {
      return graphError(400, 2650, 1870159, 'Replace session is already finished');
    } else if (this.now() - session.firstAt > REPLACE_WINDOW_MS) {
      session.ended = true;
      return graphError(400, 2650, 1870158, 'Replace session timeout');
    }
    if (last) session.ended = true;
    return undefined;
  }
}

function graphError(status: number, code: number, subcode: number | undefined, message: string): Reply {
  return {
    status,
    body: { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'AbCdEf' } },
  };
}
