import { DESTINATION_NAMES, type DestinationName } from '../destinations/types.js';
import { AudienceEtlError } from '../errors.js';
import type { RetryPolicy } from './retry.js';
import type { Transport, UploadOptions, UploadResult } from './types.js';
import { uploadFolder } from './uploader.js';

export type { LiveIntentOutcome, MetaSummary, UploadItemResult, UploadOptions, UploadResult } from './types.js';
export { Uploader } from './uploader.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/**
 * The transport of one destination, its options checked. Each is loaded on demand, so that
 * the AWS SDK or ssh2 load only for the destination that needs them.
 */
export async function createTransport(destination: DestinationName, options: UploadOptions): Promise<{ transport: Transport; policy?: RetryPolicy }> {
  switch (destination) {
    case 'meta':
      return { transport: new (await import('./meta.js')).MetaTransport(options) };
    case 'google':
      return { transport: new (await import('./google.js')).GoogleTransport(options) };
    case 'datax': {
      const datax = await import('./datax.js');
      return { transport: new datax.DataxTransport(options), policy: datax.DATAX_RETRY_POLICY };
    }
    case 'liveintent':
      return { transport: new (await import('./liveintent.js')).LiveIntentTransport(options) };
    case 'newtail':
      return { transport: new (await import('./s3.js')).S3Transport(options) };
    default:
      throw new AudienceEtlError('UNKNOWN_DESTINATION', `unknown destination ${JSON.stringify(destination)}; expected one of ${DESTINATION_NAMES.join(', ')}`);
  }
}

/**
 * Uploads what a run wrote to `<dir>/<destination>/`: only the destination's own files, checked
 * before the first is sent, sent one at a time in order with retries, each acknowledgement
 * journaled (fsync'd) in `<dir>/<destination>/.upload-journal.ndjson` so that the same call
 * after a crash resumes after the last accepted file. `dryRun` sends nothing.
 */
export async function uploadDestination(destination: DestinationName, dir: string, options: UploadOptions = {}): Promise<UploadResult> {
  const { transport, policy } = await createTransport(destination, options);
  return uploadFolder(transport, dir, options, policy);
}
