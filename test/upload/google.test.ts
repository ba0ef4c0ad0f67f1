import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uploadDestination } from '../../src/upload/index.js';
import type { UploadOptions } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { fakeClock, writeGoogleRequests, writeStrays, type FakeClock } from './helpers.js';
import { GoogleServer } from './servers/google.js';

const TOKEN = 'ya29.fixed-google-token-never-printed';
const REFRESH = '1//refresh-token-never-printed';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let server: GoogleServer;
let clock: FakeClock;

beforeAll(async () => {
  server = await new GoogleServer({
    tokens: [TOKEN],
    refreshTokens: { 'client-1.apps.googleusercontent.com': REFRESH },
    serviceAccounts: { 'uploader@project.iam.gserviceaccount.com': publicKey },
  }).start();
});
afterAll(() => server.stop());
beforeEach(() => {
  clock = fakeClock();
  server.requests.length = 0;
  server.ingested.length = 0;
  server.faults.length = 0;
  server.issued.length = 0;
});

function options(extra: UploadOptions = {}): UploadOptions {
  return { apiBase: server.url, audienceId: '9876543210', accountId: '123-456-7890', acceptTerms: true, env: { GOOGLE_ACCESS_TOKEN: TOKEN }, clock, ...extra };
}

describe('google upload', { timeout: 20_000 }, () => {
  it('ingests each request wrapped with its destination, encoding and accepted terms', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [3, 2]);
    writeStrays(dir, 'google');
    const result = await uploadDestination('google', dir, options({ loginAccountId: '111', loginAccountType: 'GOOGLE_ADS' }));
    expect(server.ingested).toEqual([
      { operation: 'ingest', destination: expect.objectContaining({ operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' }, productDestinationId: '9876543210' }), members: 3, encoding: 'HEX', terms: 'ACCEPTED' },
      expect.objectContaining({ members: 2 }),
    ]);
    const body = JSON.parse(server.requests[0]!.body.toString('utf8')) as { destinations: { loginAccount: unknown }[] };
    expect(body.destinations[0]!.loginAccount).toEqual({ accountType: 'GOOGLE_ADS', accountId: '111' });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.google).toEqual({ requestIds: ['req-1', 'req-2'] });
    expect(result.files.map((f) => f.status)).toEqual(['sent', 'sent']);
  });

  it('removes through audienceMembers:remove, without terms', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    await uploadDestination('google', dir, options({ operation: 'remove' }));
    expect(server.ingested).toEqual([expect.objectContaining({ operation: 'remove', terms: undefined })]);
  });

  it('reports a refusal by its status and reason, and retries RESOURCE_EXHAUSTED and 5xx', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    const refused = await uploadDestination('google', dir, options({ acceptTerms: false })).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/HTTP 400 INVALID_ARGUMENT: Customer Match terms of service not accepted\. \(TERMS_OF_SERVICE_NOT_ACCEPTED\)/);

    server.faults.push({ status: 429, body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded' } }, headers: { 'retry-after': '2' } }, { status: 503 });
    const result = await uploadDestination('google', dir, options());
    expect(result.sent).toBe(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(server.ingested).toHaveLength(1);
  });

  it('checks its options once, naming the flag', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    await expect(uploadDestination('google', dir, options({ accountId: undefined }))).rejects.toThrow(/--account-id/);
    await expect(uploadDestination('google', dir, options({ accountType: 'ADS' }))).rejects.toThrow(/--account-type must be one of/);
    await expect(uploadDestination('google', dir, options({ operation: 'replace' }))).rejects.toThrow(/add or remove for google/);
    await expect(uploadDestination('google', dir, options({ audienceId: undefined }))).rejects.toThrow(/--audience-id/);
  });

  it('refuses a request file of the wrong shape before sending', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1, 1]);
    writeFileSync(join(dir, 'google', 'request-000002.json'), JSON.stringify({ audienceMembers: [], encoding: 'HEX' }));
    await expect(uploadDestination('google', dir, options())).rejects.toThrow(/0 audience members.*request-000002\.json/);
    expect(server.requests).toHaveLength(0);
  });

  it('uses application default credentials of an authorized user (refresh token), never printing them', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    const adc = join(tempDir(), 'adc.json');
    writeFileSync(adc, JSON.stringify({ type: 'authorized_user', client_id: 'client-1.apps.googleusercontent.com', client_secret: 'shh-secret', refresh_token: REFRESH, token_uri: `${server.url}/token` }));
    const lines: string[] = [];
    await uploadDestination('google', dir, options({ env: { GOOGLE_APPLICATION_CREDENTIALS: adc }, log: (l) => lines.push(l) }));
    expect(server.ingested).toHaveLength(1);
    expect(server.to(':ingest')[0]!.headers.authorization).toBe(`Bearer ${server.issued[0]}`);
    expect(lines.join('\n')).not.toMatch(/refresh-token|shh-secret|ya29/);

    writeFileSync(adc, JSON.stringify({ type: 'authorized_user', client_id: 'client-1.apps.googleusercontent.com', client_secret: 'shh-secret', refresh_token: 'revoked', token_uri: `${server.url}/token` }));
    writeGoogleRequests(dir, [2]);
    await expect(uploadDestination('google', dir, options({ env: { GOOGLE_APPLICATION_CREDENTIALS: adc } }))).rejects.toThrow(/token exchange refused \(invalid_grant\)/);
  });

  it('uses a service account: an RS256 JWT for the Data Manager scope', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    const adc = join(tempDir(), 'sa.json');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(adc, JSON.stringify({ type: 'service_account', client_email: 'uploader@project.iam.gserviceaccount.com', private_key: pem, token_uri: `${server.url}/token` }));
    await uploadDestination('google', dir, options({ env: { GOOGLE_APPLICATION_CREDENTIALS: adc } }));
    expect(server.issued).toHaveLength(1);
    expect(server.ingested).toHaveLength(1);
  });

  it('says where credentials are looked for when there are none', async () => {
    const dir = tempDir();
    writeGoogleRequests(dir, [1]);
    await expect(uploadDestination('google', dir, options({ env: { HOME: tempDir() } }))).rejects.toThrow(/GOOGLE_ACCESS_TOKEN.*application default credentials/);
  });
});
