import { liveIntentSink, liveIntentEncoder } from '../../sinks/liveintent.js';
import { normalizeEmail } from '../normalize/email.js';
import type { DestinationPreset } from './types.js';

/** The one key: the hash of the trimmed, lower-cased email, in whichever algorithm the run picks. */
export const LIVEINTENT_EMAIL_KEY = 'EMAIL_HASH';

/**
 * LiveIntent (seed 003): a file of MD5, SHA-1 or SHA-2 hashes of emails, "in lowercase format
 * prior to hashing". The metadata does not name the email hash algorithm (its `file.hash` is the
 * digest's), so LiveIntent tells it by the hash length: every line of a file uses the run's one.
 */
export const liveintent = {
  name: 'liveintent',
  title: 'LiveIntent',
  keys: [
    // Hashed keys are checked against the run's own algorithm by the validate stage.
    { key: LIVEINTENT_EMAIL_KEY, field: 'email', normalize: normalizeEmail, hashed: true },
  ],
  hashAlgorithms: ['sha256', 'sha1', 'md5'],
  // The document speaks of hex digests only; base64 lines would not be recognised as hashes.
  encodings: ['hex'],
  // Rows are lines of one file, so the batch size is only the chunk size for writing.
  batchSize: { default: 10_000, max: 1_000_000 },
  keep(values) {
    return values[LIVEINTENT_EMAIL_KEY] ? null : 'no_match_key';
  },
  missingColumns(provided) {
    return provided.has('email') ? null : 'liveintent needs an email column';
  },
  sink: liveIntentSink,
  encoder: liveIntentEncoder,
} satisfies DestinationPreset;
