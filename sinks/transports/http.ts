import type { UploadOptions } from '../../src/upload/types.js';
import { uploadSink, type UploadSink } from './upload-sink.js';

/** Meta batches (`batch-000001.json`…, in order) to the Marketing API, one request each. */
export function metaApiSink(dir: string, options: UploadOptions = {}): UploadSink {
  return uploadSink('meta', dir, options);
}

/** Google request bodies (`request-000001.json`…) to the Data Manager API. */
export function googleApiSink(dir: string, options: UploadOptions & { audienceId: string; accountId: string }): UploadSink {
  return uploadSink('google', dir, options);
}

/** DataX `.csv.bz2` files to `POST /v1/usermatch`. */
export function dataxApiSink(dir: string, options: UploadOptions = {}): UploadSink {
  return uploadSink('datax', dir, options);
}
