import { createReadStream } from 'node:fs';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { AudienceEtlError } from '../errors.js';
import type { JournalEntry } from './journal.js';
import { listDeep } from './listing.js';
import { TransientError, withRetry } from './retry.js';
import type { ItemChecker, SendContext, Transport, UploadItem, UploadOptions, UploadResult } from './types.js';

/** `<PREFIX>/audiences/YYYY/mm/dd/<name>.parquet.snappy`, the document's layout, below `<dir>/newtail/`. */
const NEWTAIL_KEY = /^[^/]+\/audiences\/\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/[^/]+\.parquet\.snappy$/;
const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const TRANSIENT_S3_ERRORS = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'RequestTimeTooSkewed', 'TimeoutError']);
const TRANSIENT_NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|UND_ERR/;

/**
 * Newtail: each Parquet file to S3 (or any S3-compatible endpoint) under the key it has below
 * `<dir>/newtail/`, multipart when larger than one part. Credentials come from the AWS SDK's
 * own chain (environment variables, shared config and credentials files with a profile, SSO,
 * instance roles), never from flags.
 */
export class S3Transport implements Transport {
  readonly destination = 'newtail' as const;
  readonly secrets: string[] = [];
  private readonly bucket: string;
  private readonly config: S3ClientConfig;
  private readonly partSize: number;
  private readonly endpoint: string | undefined;
  private client: S3Client | undefined;

  constructor(options: UploadOptions) {
    if (options.bucket === undefined || options.bucket.trim() === '') throw new AudienceEtlError('BAD_OPTION', 'newtail needs --bucket');
    this.bucket = options.bucket.trim();
    this.endpoint = options.endpoint;
    if (this.endpoint !== undefined && !/^https?:\/\//.test(this.endpoint)) {
      throw new AudienceEtlError('BAD_OPTION', '--endpoint must be an http:// or https:// URL');
    }
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new AudienceEtlError('BAD_OPTION', `the part size must be at least ${MIN_PART_SIZE} bytes (the S3 minimum)`);
    }
    const env = options.env ?? process.env;
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.config = {
      region,
      maxAttempts: 3,
      ...(this.endpoint !== undefined ? { endpoint: this.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? this.endpoint !== undefined,
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      // S3-compatible servers often lack the newer default checksums; send them only when required.
      ...(this.endpoint !== undefined ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    };
    // Keys given in an explicit environment (not the process's) are passed on; otherwise the SDK's chain decides.
    if (options.env !== undefined && options.profile === undefined && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      this.config.credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      };
    }
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      const secret = env[name];
      if (secret) this.secrets.push(secret);
    }
  }

  target(): string {
    return `newtail:${this.endpoint ?? 'aws'}:${this.bucket}`;
  }

  list(root: string): Promise<{ items: string[]; ignored: string[] }> {
    return listDeep(root, (rel) => NEWTAIL_KEY.test(rel));
  }

  checker(): ItemChecker {
    return {
      add: async (item) => {
        if (!NEWTAIL_KEY.test(item.file)) {
          throw new AudienceEtlError('VALIDATION', 'not a Newtail key (<PREFIX>/audiences/YYYY/mm/dd/<TIMESTAMP>.parquet.snappy)', { file: item.file });
        }
      },
      end: () => undefined,
    };
  }

  async prepare(ctx: SendContext): Promise<void> {
    if (ctx.dryRun) {
      ctx.log(`newtail: would upload to s3://${this.bucket}/ via ${this.endpoint ?? 'AWS S3'} (region ${String(this.config.region)})`);
      return;
    }
    const { S3Client } = await import('@aws-sdk/client-s3');
    this.client = new S3Client(this.config);
  }

  async countRows(item: UploadItem): Promise<number | undefined> {
    try {
      // parquetjs-lite has no types; only its row count is read, from the footer. It is CommonJS,
      // and Node's ESM import names only one of its exports: ParquetReader is on `default`.
      type ParquetLite = { ParquetReader: { openFile(path: string): Promise<{ getRowCount(): unknown; close(): Promise<void> }> } };
      const loaded = (await import('parquetjs-lite' as string)) as Partial<ParquetLite> & { default?: ParquetLite };
      const parquet = loaded.ParquetReader !== undefined ? (loaded as ParquetLite) : loaded.default!;
      const reader = await parquet.ParquetReader.openFile(item.path);
      try {
        return Number(reader.getRowCount());
      } finally {
        await reader.close();
      }
    } catch {
      return undefined;
    }
  }

  async send(item: UploadItem, ctx: SendContext): Promise<Record<string, unknown>> {
    const client = this.client;
    if (client === undefined) throw new AudienceEtlError('INVARIANT', 'the S3 client was used before prepare()');
    const { Upload } = await import('@aws-sdk/lib-storage');
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const what = `newtail s3://${this.bucket}/${item.file}`;
    return withRetry(
      what,
      async () => {
        try {
          const upload = new Upload({
            client,
            params: { Bucket: this.bucket, Key: item.file, Body: createReadStream(item.path), ContentType: 'application/vnd.apache.parquet' },
            partSize: this.partSize,
            queueSize: 4,
            leavePartsOnError: false,
          });
          const done = await upload.done();
          // Acknowledged means the object is there at its full size, not only that a request returned.
          const head = await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: item.file }));
          if (head.ContentLength !== item.bytes) {
            throw new TransientError(`${what}: the stored object has ${String(head.ContentLength)} bytes, not ${item.bytes}`);
          }
          ctx.log(`${what}: stored, ${item.bytes} bytes${item.bytes > this.partSize ? ' (multipart)' : ''}`);
          return { bucket: this.bucket, key: item.file, etag: done.ETag ?? head.ETag ?? null, multipart: item.bytes > this.partSize };
        } catch (err) {
          throw classifyS3Error(err, what);
        }
      },
      ctx.policy,
      ctx.clock,
      { signal: ctx.signal, onRetry: (e) => ctx.log(`${what}: retry ${e.retry} in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`) },
    );
  }

  async finish(): Promise<void> {}

  summarize(_result: UploadResult, _acks: readonly JournalEntry[]): void {}

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }
}

/** 5xx, 429, throttling and dropped connections are worth another attempt; the rest is final. */
function classifyS3Error(err: unknown, what: string): Error {
  if (err instanceof TransientError || err instanceof AudienceEtlError) return err;
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  if ((status !== undefined && (status >= 500 || status === 429)) || TRANSIENT_S3_ERRORS.has(name) || TRANSIENT_NETWORK.test(`${e.code ?? ''} ${e.message ?? ''}`)) {
    return new TransientError(`${what}: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}`, undefined, { cause: err });
  }
  const hint = name === 'NoSuchBucket' ? ' (the bucket does not exist)' : name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' ? ' (check the AWS credentials)' : '';
  const credentials = /credential/i.test(e.message ?? '') ? ' (no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)' : '';
  return new AudienceEtlError('UPLOAD', `${what}: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}${hint}${credentials}`, {}, { cause: err });
}
