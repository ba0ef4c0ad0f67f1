import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver checks signatures against its one built-in key pair. */
export const S3RVER_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** A real S3-compatible server (s3rver) on 127.0.0.1 with one bucket, and an AWS SDK client for it. */
export interface S3Server {
  endpoint: string;
  client: S3Client;
  /** The object's bytes. */
  stored(key: string): Promise<Buffer>;
  /** Keys under `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startS3(bucket: string): Promise<S3Server> {
  const store = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: store, configureBuckets: [{ name: bucket }] });
  const { port } = (await s3rver.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_KEYS.AWS_SECRET_ACCESS_KEY },
  });
  return {
    endpoint,
    client,
    stored: async (key) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    keys: async (prefix) => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    stop: async () => {
      client.destroy();
      await s3rver.close();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
