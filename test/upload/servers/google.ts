import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { bearer, MockHttpServer, type RecordedRequest, type Reply } from './http-server.js';

const ACCOUNT_TYPES = ['GOOGLE_ADS', 'DISPLAY_VIDEO_PARTNER', 'DISPLAY_VIDEO_ADVERTISER', 'DATA_PARTNER'];

export interface GoogleServerOptions {
  /** Bearer tokens the API accepts. */
  tokens: string[];
  /** The OAuth token endpoint's clients: refresh tokens (authorized_user) and service-account public keys. */
  refreshTokens?: Record<string, string>;
  serviceAccounts?: Record<string, KeyObject | string>;
}

export interface IngestedRequest {
  operation: 'ingest' | 'remove';
  destination: { operatingAccount: { accountType: string; accountId: string }; productDestinationId: string };
  members: number;
  encoding: string;
  terms: string | undefined;
}

/**
 * A stand-in for the Data Manager API's `audienceMembers:ingest` and `:remove` (google.rpc.Status
 * errors, 10,000 members at most, a destination with operating account and product destination
 * id), and for Google's OAuth token endpoint (refresh-token and JWT-bearer grants).
 */
export class GoogleServer extends MockHttpServer {
  readonly ingested: IngestedRequest[] = [];
  readonly issued: string[] = [];
  /** Customer Match needs the terms accepted on ingestion. */
  requireTerms = true;

  constructor(readonly options: GoogleServerOptions) {
    super((request) => this.route(request));
  }

  private route(request: RecordedRequest): Reply {
    if (request.path === '/token') return this.token(request);
    const op = request.path === '/v1/audienceMembers:ingest' ? 'ingest' : request.path === '/v1/audienceMembers:remove' ? 'remove' : undefined;
    if (op === undefined || request.method !== 'POST') return rpcError(404, 'NOT_FOUND', 'Method not found.');
    const token = bearer(request);
    if (token === undefined || !(this.options.tokens.includes(token) || this.issued.includes(token))) {
      return rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const body = JSON.parse(request.body.toString('utf8')) as {
      destinations?: IngestedRequest['destination'][];
      audienceMembers?: unknown[];
      encoding?: string;
      termsOfService?: { customerMatchTermsOfServiceStatus?: string };
    };
    const destination = body.destinations?.[0];
    if (!destination?.productDestinationId || !ACCOUNT_TYPES.includes(destination.operatingAccount?.accountType) || !/^\d+$/.test(destination.operatingAccount?.accountId ?? '')) {
      return rpcError(400, 'INVALID_ARGUMENT', 'Invalid destination.', 'INVALID_DESTINATION');
    }
    const members = body.audienceMembers ?? [];
    if (members.length === 0 || members.length > 10_000) return rpcError(400, 'INVALID_ARGUMENT', 'Too many or no audience members.', 'TOO_MANY_AUDIENCE_MEMBERS');
    if (body.encoding !== 'HEX' && body.encoding !== 'BASE64') return rpcError(400, 'INVALID_ARGUMENT', 'Encoding is required for UserData uploads.', 'INVALID_ENCODING');
    const terms = body.termsOfService?.customerMatchTermsOfServiceStatus;
    if (op === 'ingest' && this.requireTerms && terms !== 'ACCEPTED') {
      return rpcError(400, 'INVALID_ARGUMENT', 'Customer Match terms of service not accepted.', 'TERMS_OF_SERVICE_NOT_ACCEPTED');
    }
    this.ingested.push({ operation: op, destination, members: members.length, encoding: body.encoding, terms });
    return { status: 200, body: { requestId: `req-${this.ingested.length}` } };
  }

  private token(request: RecordedRequest): Reply {
    const form = new URLSearchParams(request.body.toString('utf8'));
    let client: string | undefined;
    if (form.get('grant_type') === 'refresh_token') {
      const expected = this.options.refreshTokens?.[form.get('client_id') ?? ''];
      if (expected !== undefined && expected === form.get('refresh_token')) client = form.get('client_id') ?? undefined;
    } else if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      client = this.verifyAssertion(form.get('assertion') ?? '');
    }
    if (client === undefined) return { status: 400, body: { error: 'invalid_grant' } };
    const token = `ya29.issued-${this.issued.length + 1}-for-${client.length}`;
    this.issued.push(token);
    return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
  }

  /** Checks an RS256 JWT: signature by the account's key, the Data Manager scope, this endpoint as audience. */
  private verifyAssertion(jwt: string): string | undefined {
    const [header, claims, signature] = jwt.split('.');
    if (!header || !claims || !signature) return undefined;
    const body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iss?: string; scope?: string; aud?: string };
    const key = this.options.serviceAccounts?.[body.iss ?? ''];
    if (key === undefined || body.scope !== 'https://www.googleapis.com/auth/datamanager' || body.aud !== `${this.url}/token`) return undefined;
    const ok = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), typeof key === 'string' ? createPublicKey(key) : key, Buffer.from(signature, 'base64url'));
    return ok ? body.iss : undefined;
  }
}

function rpcError(status: number, code: string, message: string, reason?: string): Reply {
  return {
    status,
    body: { error: { code: status, message, status: code, ...(reason ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'datamanager.googleapis.com' }] } : {}) } },
  };
}
