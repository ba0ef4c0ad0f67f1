import { DATAX_KEYS, dataxCsvSink, dataxEncoder } from '../../sinks/datax-csv.js';
import { normalizeEmail, normalizePhoneE164, normalizePxid } from '../normalize/index.js';
import { PXID_PATTERN } from '../validate/datax.js';
import type { DestinationPreset } from './types.js';

const has = (values: Readonly<Record<string, string | null>>, key: string) => typeof values[key] === 'string';

/**
 * Yahoo DataX (seed 002): bzip2 CSV files whose header is the schema, one file per schema the rows
 * fill (sinks/datax-csv.ts). PXID is the partner's customer id, exact and case-sensitive, ASCII
 * 33..126 without the comma; email lowercased without spaces and phone in E.164 with its `+`,
 * each SHA-256 hex. A row is kept with a PXID and an email or a phone.
 */
export const datax = {
  name: 'datax',
  title: 'Yahoo DataX',
  keys: [
    { key: DATAX_KEYS.pxid, field: 'customer_id', normalize: normalizePxid, hashed: false, pattern: PXID_PATTERN, required: true },
    { key: DATAX_KEYS.email, field: 'email', normalize: normalizeEmail, hashed: true },
    { key: DATAX_KEYS.phone, field: 'phone', normalize: normalizePhoneE164, hashed: true },
  ],
  hashAlgorithms: ['sha256'],
  // The document: "length is 64 and the valid characters are 'a'-'f', 'A'-'F' and '0'-'9'".
  encodings: ['hex'],
  // Rows are lines of files, so the batch size is only the chunk size for writing.
  batchSize: { default: 10_000, max: 1_000_000 },
  keep(values) {
    if (!has(values, DATAX_KEYS.pxid)) return 'missing_required_key';
    return has(values, DATAX_KEYS.email) || has(values, DATAX_KEYS.phone) ? null : 'no_match_key';
  },
  missingColumns(provided) {
    const missing: string[] = [];
    if (!provided.has('customer_id')) missing.push('a customer_id column (the PXID)');
    if (!provided.has('email') && !provided.has('phone')) missing.push('an email or a phone column');
    return missing.length > 0 ? `datax needs ${missing.join(' and ')}` : null;
  },
  sink: (context) => dataxCsvSink(context),
  encoder: dataxEncoder,
} satisfies DestinationPreset;
