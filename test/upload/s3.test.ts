import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Sink } from '../../sinks/transports/s3.js';
import { uploadDestination } from '../../src/upload/index.js';
import type { UploadOptions } from '../../src/upload/types.js';
import { tempDir } from '../helpers/tmp.js';
import { S3RVER_KEYS, startS3, type S3Server } from './servers/s3.js';
import { fakeClock, writeStrays } from './helpers.js';

const KEYS = S3RVER_KEYS;
const BUCKET = 'newtail-audiences';
let server: S3Server;
let endpoint: string;
const proxies: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startS3(BUCKET);
  endpoint = server.endpoint;
}, 20_000);
afterAll(async () => {
  for (const close of proxies) await close();
  await server?.stop();
});

/** Newtail files under `<dir>/newtail/`, keyed as the document lays them out. */
function newtailFiles(dir: string, files: Record<string, Buffer>): void {
  for (const [key, bytes] of Object.entries(files)) {
    const path = join(dir, 'newtail', ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
}

const stored = (key: string): Promise<Buffer> => server.stored(key);
const keys = (prefix: string): Promise<string[]> => server.keys(prefix);

/**
 * A TCP proxy in front of s3rver that cuts its first `drop` connections and notes the request
 * line of every HTTP request it forwards, to see what the SDK really sent.
 */
async function startProxy(drop: number): Promise<{ url: string; requestLines: string[]; close(): Promise<void> }> {
  const target = new URL(endpoint);
  const requestLines: string[] = [];
  const sockets = new Set<Socket>();
  let cut = drop;
  const proxy: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (cut-- > 0) {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    let tail = '';
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      for (const m of text.matchAll(/(?:^|\r\n)((?:GET|PUT|POST|HEAD|DELETE) \/\S* HTTP\/1\.1)\r\n/g)) requestLines.push(m[1]!);
      tail = text.slice(-300);
      upstream.write(chunk);
    });
    socket.on('end', () => upstream.end());
    upstream.pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (proxy.listening) await new Promise<void>((resolve) => proxy.close(() => resolve()));
  };
  proxies.push(close);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, requestLines, close };
}

function options(extra: UploadOptions = {}): UploadOptions {
  return { bucket: BUCKET, endpoint, region: 'us-east-1', env: KEYS, partSizeBytes: 5 * 1024 * 1024, clock: fakeClock(), ...extra };
}

describe('newtail upload to S3 (s3rver, real AWS SDK)', { timeout: 60_000 }, () => {
  it('stores each file under its documented key, multipart when large, and journals it', async () => {
    const dir = tempDir();
    const small = randomBytes(1000);
    const large = randomBytes(12 * 1024 * 1024 + 17);
    newtailFiles(dir, {
      'acme/audiences/2026/03/01/1772366400.parquet.snappy': small,
      'acme/audiences/2026/03/01/1772366401.parquet.snappy': large,
    });
    const strays = writeStrays(dir, 'newtail');
    writeFileSync(join(dir, 'newtail', 'acme', 'audiences', '2026', '03', '01', '.tmp-1234abcd-1772366402.parquet.snappy'), 'partial');
    const proxy = await startProxy(0);
    const result = await uploadDestination('newtail', dir, options({ endpoint: proxy.url }));

    expect(await keys('acme/')).toEqual(['acme/audiences/2026/03/01/1772366400.parquet.snappy', 'acme/audiences/2026/03/01/1772366401.parquet.snappy']);
    expect((await stored('acme/audiences/2026/03/01/1772366400.parquet.snappy')).equals(small)).toBe(true);
    expect((await stored('acme/audiences/2026/03/01/1772366401.parquet.snappy')).equals(large)).toBe(true);
    expect(result.files.map((f) => [f.status, f.ack?.multipart])).toEqual([['sent', false], ['sent', true]]);
    // What went over the wire: one plain PUT, and a multipart upload of three 5 MiB-or-less parts.
    const calls = proxy.requestLines.map((l) => l.replace(/uploadId=[^&\s]+/, 'uploadId=U').replace(/\/\d+\.parquet/, '/N.parquet'));
    expect(calls.filter((l) => l.startsWith('PUT') && !l.includes('partNumber'))).toHaveLength(1);
    expect(calls.filter((l) => /^POST .*\?uploads/.test(l))).toHaveLength(1);
    expect(calls.filter((l) => /^PUT .*partNumber=\d+/.test(l))).toHaveLength(3);
    expect(calls.filter((l) => /^POST .*uploadId=U/.test(l))).toHaveLength(1);
    expect(result.ignored).toEqual(expect.arrayContaining([...strays, 'acme/audiences/2026/03/01/.tmp-1234abcd-1772366402.parquet.snappy']));
    expect(await keys('')).not.toContain('report.json');

    const before = proxy.requestLines.length;
    const again = await uploadDestination('newtail', dir, options({ endpoint: proxy.url }));
    expect(again.files.map((f) => f.status)).toEqual(['already-sent', 'already-sent']);
    expect(proxy.requestLines.length).toBe(before);
  });

  it('takes credentials from a profile in the shared credentials file', async () => {
    const dir = tempDir();
    newtailFiles(dir, { 'p/audiences/2026/03/02/1772452800.parquet.snappy': Buffer.from('parquet bytes') });
    const credentials = join(tempDir(), 'credentials');
    writeFileSync(credentials, '[newtail]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
    const saved = { file: process.env.AWS_SHARED_CREDENTIALS_FILE, config: process.env.AWS_CONFIG_FILE };
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    process.env.AWS_CONFIG_FILE = join(tempDir(), 'no-config');
    try {
      await uploadDestination('newtail', dir, options({ env: {}, profile: 'newtail' }));
    } finally {
      for (const [name, value] of [['AWS_SHARED_CREDENTIALS_FILE', saved.file], ['AWS_CONFIG_FILE', saved.config]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(await keys('p/')).toEqual(['p/audiences/2026/03/02/1772452800.parquet.snappy']);
  });

  it('fails for good on wrong credentials, naming the problem, never the secret', async () => {
    const dir = tempDir();
    newtailFiles(dir, { 'w/audiences/2026/03/03/1772539200.parquet.snappy': Buffer.from('x') });
    const err = await uploadDestination('newtail', dir, options({ env: { AWS_ACCESS_KEY_ID: 'WRONG', AWS_SECRET_ACCESS_KEY: 'wrong-secret-key-value' } })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/InvalidAccessKeyId.*check the AWS credentials/);
    expect((err as Error).message).not.toContain('wrong-secret-key-value');
    expect(await keys('w/')).toEqual([]);
  });

  it('survives dropped connections (a proxy that cuts the first ones)', async () => {
    const proxy = await startProxy(6);
    try {
      const dir = tempDir();
      const bytes = randomBytes(4096);
      newtailFiles(dir, { 'd/audiences/2026/03/04/1772625600.parquet.snappy': bytes });
      const clock = fakeClock();
      const result = await uploadDestination('newtail', dir, options({ endpoint: proxy.url, clock }));
      expect(result.sent).toBe(1);
      expect(clock.sleeps.length).toBeGreaterThan(0);
      expect((await stored('d/audiences/2026/03/04/1772625600.parquet.snappy')).equals(bytes)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('is usable as a Writable sink of completed files in a pipeline', async () => {
    const dir = tempDir();
    newtailFiles(dir, {
      's/audiences/2026/03/05/1772712000.parquet.snappy': Buffer.from('one'),
      's/audiences/2026/03/05/1772712001.parquet.snappy': Buffer.from('two'),
    });
    const sink = s3Sink(dir, options());
    const absolute = join(dir, 'newtail', 's', 'audiences', '2026', '03', '05', '1772712001.parquet.snappy');
    await pipeline(Readable.from(['newtail/s/audiences/2026/03/05/1772712000.parquet.snappy', { path: absolute }]), sink);
    expect(sink.result()?.sent).toBe(2);
    expect(await keys('s/')).toHaveLength(2);
    expect(readFileSync(join(dir, 'newtail', '.upload-journal.ndjson'), 'utf8').match(/"type":"ack"/g)).toHaveLength(2);
  });

  it('dry run: keys, bytes and Parquet row counts, nothing stored', async () => {
    const dir = tempDir();
    const key = 'dry/audiences/2026/03/07/1772884800.parquet.snappy';
    const path = join(dir, 'newtail', ...key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    const parquet = (await import('parquetjs-lite' as string)) as {
      ParquetSchema: new (fields: Record<string, unknown>) => unknown;
      ParquetWriter: { openFile(schema: unknown, path: string): Promise<{ appendRow(row: Record<string, unknown>): Promise<void>; close(): Promise<void> }> };
    };
    const writer = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema({ CUSTOMER_ID: { type: 'UTF8' } }), path);
    for (const id of ['c1', 'c2', 'c3']) await writer.appendRow({ CUSTOMER_ID: id });
    await writer.close();
    const result = await uploadDestination('newtail', dir, options({ dryRun: true, env: {} }));
    expect(result.files).toEqual([{ file: key, status: 'would-send', bytes: expect.any(Number), rows: 3 }]);
    expect(await keys('dry/')).toEqual([]);
  });

  it('refuses an S3 setup without a bucket, and files outside the layout', async () => {
    const dir = tempDir();
    newtailFiles(dir, { 'x/audiences/2026/03/06/1.parquet.snappy': Buffer.from('x') });
    await expect(uploadDestination('newtail', dir, options({ bucket: undefined }))).rejects.toThrow(/--bucket/);
    await expect(uploadDestination('newtail', dir, options({ partSizeBytes: 1024 }))).rejects.toThrow(/at least 5242880 bytes/);
    const sink = s3Sink(dir, options());
    await expect(pipeline(Readable.from(['meta/batch-000001.json']), sink)).rejects.toThrow(/only files inside the destination folder/);
  });
});
