import { sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AudienceEtlError } from '../errors.js';
import { httpRequest, parseJsonBody, throwIfTransient } from './http.js';
import { withRetry } from './retry.js';
import { readSecret, type Env } from './secrets.js';
import type { SendContext } from './types.js';

export const DATA_MANAGER_SCOPE = 'https://www.googleapis.com/auth/datamanager';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Refresh this long before the token's stated expiry, so a batch never goes out with a dying token. */
const EARLY_REFRESH_MS = 5 * 60_000;

interface AdcFile {
  type?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
  client_email?: string;
  private_key?: string;
  token_uri?: string;
}

/**
 * Google credentials: `GOOGLE_ACCESS_TOKEN` (or `_FILE`) as is, else application default
 * credentials: the JSON file named by `GOOGLE_APPLICATION_CREDENTIALS`, else gcloud's
 * `~/.config/gcloud/application_default_credentials.json`, of type `authorized_user`
 * (refresh token) or `service_account` (a signed JWT), exchanged at its token endpoint.
 * Every secret met is added to `secrets`, so that it can be scrubbed from any output.
 */
export class GoogleCredentials {
  private readonly env: Env;
  private readonly secrets: string[];
  private readonly fixed: string | undefined;
  private adc: AdcFile | undefined;
  private token: string | undefined;
  private expiresAt = 0;

  constructor(env: Env, secrets: string[]) {
    this.env = env;
    this.secrets = secrets;
    this.fixed = readSecret('GOOGLE_ACCESS_TOKEN', env);
    if (this.fixed !== undefined) secrets.push(this.fixed);
  }

  /** Where the credentials come from, for the dry-run summary (never the secret itself). */
  describe(): string {
    if (this.fixed !== undefined) return 'GOOGLE_ACCESS_TOKEN';
    return `application default credentials (${this.adcPath()})`;
  }

  async accessToken(ctx: SendContext): Promise<string> {
    if (this.fixed !== undefined) return this.fixed;
    if (this.token !== undefined && ctx.clock.now() < this.expiresAt - EARLY_REFRESH_MS) return this.token;
    const adc = await this.loadAdc();
    const tokenUri = adc.token_uri ?? DEFAULT_TOKEN_URI;
    let form: URLSearchParams;
    if (adc.type === 'authorized_user' && adc.client_id && adc.client_secret && adc.refresh_token) {
      form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: adc.client_id,
        client_secret: adc.client_secret,
        refresh_token: adc.refresh_token,
      });
    } else if (adc.type === 'service_account' && adc.client_email && adc.private_key) {
      form = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: serviceAccountAssertion(adc.client_email, adc.private_key, tokenUri, ctx.clock.now()),
      });
    } else {
      throw new AudienceEtlError('BAD_OPTION', 'the application default credentials file is neither a complete authorized_user nor a service_account');
    }
    const url = new URL(tokenUri);
    const answer = await withRetry(
      'google token exchange',
      async () => {
        const response = await httpRequest({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          timeoutMs: 30_000,
          signal: ctx.signal,
        });
        throwIfTransient(response, 'google token exchange', ctx.clock.now());
        const body = parseJsonBody(response.text) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
        if (response.status !== 200 || typeof body?.access_token !== 'string') {
          const reason = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
          throw new AudienceEtlError('UPLOAD', `google token exchange refused (${reason}); check the application default credentials`);
        }
        return body as { access_token: string; expires_in?: unknown };
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal },
    );
    this.token = answer.access_token;
    this.secrets.push(answer.access_token);
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 3600_000;
    this.expiresAt = ctx.clock.now() + lifetime;
    return this.token;
  }

  /** Forgets a token the API refused, so that the next call exchanges again. */
  invalidate(): void {
    this.token = undefined;
    this.expiresAt = 0;
  }

  get refreshable(): boolean {
    return this.fixed === undefined;
  }

  private adcPath(): string {
    const named = this.env.GOOGLE_APPLICATION_CREDENTIALS;
    if (named !== undefined && named !== '') return named;
    return join(this.env.HOME ?? homedir(), '.config', 'gcloud', 'application_default_credentials.json');
  }

  private async loadAdc(): Promise<AdcFile> {
    if (this.adc !== undefined) return this.adc;
    const path = this.adcPath();
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new AudienceEtlError(
        'BAD_OPTION',
        'google needs GOOGLE_ACCESS_TOKEN (or GOOGLE_ACCESS_TOKEN_FILE), or application default credentials (GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login`)',
      );
    }
    const adc = parseJsonBody(text) as AdcFile | undefined;
    if (adc === undefined || typeof adc !== 'object') {
      throw new AudienceEtlError('BAD_OPTION', 'the application default credentials file is not JSON', { file: path });
    }
    for (const secret of [adc.client_secret, adc.refresh_token, adc.private_key]) if (secret) this.secrets.push(secret);
    this.adc = adc;
    return adc;
  }
}

/** An RS256-signed JWT asking for the Data Manager scope, as the OAuth 2.0 service-account flow wants. */
export function serviceAccountAssertion(clientEmail: string, privateKey: string, audience: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iss: clientEmail, scope: DATA_MANAGER_SCOPE, aud: audience, iat, exp: iat + 3600 }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
