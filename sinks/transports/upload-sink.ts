import { isAbsolute, join } from 'node:path';
import { Writable } from 'node:stream';
import type { DestinationName } from '../../src/destinations/types.js';
import { createTransport } from '../../src/upload/index.js';
import type { UploadOptions, UploadResult } from '../../src/upload/types.js';
import { Uploader } from '../../src/upload/uploader.js';

/**
 * A file to send: its path, absolute or relative to `dir` (the run's output folder, as in
 * `RunResult.files`: `meta/batch-000001.json`), or `{ path }`.
 */
export type UploadChunk = string | { path: string };

/** An object-mode Writable of completed files; `result()` is the upload's result after `finish`. */
export type UploadSink = Writable & { result(): UploadResult | undefined };

/**
 * A thin Writable over the uploader: each file written to it is checked, skipped if the journal
 * has it, or sent and journaled, one at a time and in order (the Writable holds back the
 * next file until the previous one is acknowledged). `final` runs the whole-set checks and the
 * transport's finishing work (LiveIntent's status wait). For pipelines that produce files:
 *
 *   const run = await runDestination({ destination: 'meta', input, out });
 *   await pipeline(Readable.from(run.files), uploadSink('meta', out, { audienceId }));
 */
export function uploadSink(destination: DestinationName, dir: string, options: UploadOptions = {}): UploadSink {
  let uploader: Uploader | undefined;
  let outcome: UploadResult | undefined;
  const sink = new Writable({
    objectMode: true,
    construct(callback) {
      createTransport(destination, options)
        .then(async ({ transport, policy }) => {
          uploader = new Uploader(transport, dir, options, policy);
          await uploader.start();
        })
        .then(() => callback(), callback);
    },
    write(chunk: UploadChunk, _encoding, callback) {
      const path = typeof chunk === 'string' ? chunk : chunk?.path;
      if (typeof path !== 'string') {
        callback(new TypeError('uploadSink takes file paths (strings or { path })'));
        return;
      }
      const current = uploader!;
      current
        .item(isAbsolute(path) ? path : join(dir, path))
        .then((item) => current.upload(item))
        .then(() => callback(), callback);
    },
    final(callback) {
      const current = uploader!;
      current
        .finish()
        .then(async (result) => {
          outcome = result;
          await current.close();
        })
        .then(() => callback(), callback);
    },
    destroy(err, callback) {
      const current = uploader;
      if (current === undefined) {
        callback(err);
        return;
      }
      current.close().then(
        () => callback(err),
        () => callback(err),
      );
    },
  }) as UploadSink;
  sink.result = () => outcome;
  return sink;
}
