import type { UploadOptions } from '../../src/upload/types.js';
import { uploadSink, type UploadSink } from './upload-sink.js';

/**
 * LiveIntent's SFTP upload as a Writable: write each data file and then its `<name>.json`
 * metadata; `final` waits for the `.status` files unless `wait` is false.
 */
export function liveIntentSftpSink(dir: string, options: UploadOptions & { host: string; user: string; keyFile: string }): UploadSink {
  return uploadSink('liveintent', dir, options);
}
