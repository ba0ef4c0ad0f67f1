import type { UploadOptions } from '../../src/upload/types.js';
import { uploadSink, type UploadSink } from './upload-sink.js';

/**
 * Newtail's S3 upload as a Writable: write each completed Parquet file (`newtail/<key>` relative
 * to `dir`, as a run lists it, or absolute) and it is stored under `<key>`, multipart when large.
 */
export function s3Sink(dir: string, options: UploadOptions): UploadSink {
  return uploadSink('newtail', dir, options);
}
