import { metaBatchSink, metaEncoder } from '../../sinks/meta-batches.js';
import type { CanonicalField } from '../model/fields.js';
import { cityMeta } from '../normalize/city.js';
import { countryMeta } from '../normalize/country.js';
import { normalizeExternId } from '../normalize/customer-id.js';
import { birthDayMeta, birthMonthMeta, birthYearMeta } from '../normalize/date.js';
import { normalizeEmail } from '../normalize/email.js';
import { genderMetaMF } from '../normalize/gender.js';
import { normalizeMadid } from '../normalize/madid.js';
import { firstInitialMeta, normalizeNameMeta } from '../normalize/name.js';
import { normalizePhoneMeta } from '../normalize/phone.js';
import { stateMeta } from '../normalize/state.js';
import { zipMeta } from '../normalize/zip.js';
import type { DestinationPreset } from './types.js';

const has = (values: Readonly<Record<string, string | null>>, key: string) => typeof values[key] === 'string';

/** Meta Custom Audiences (seed 004): multi-key schema, SHA-256 hex, batches of 10,000 in one session. */
export const meta = {
  name: 'meta',
  title: 'Meta Custom Audiences',
  keys: [
    { key: 'EXTERN_ID', field: 'customer_id', normalize: normalizeExternId, hashed: false },
    { key: 'EMAIL', field: 'email', normalize: normalizeEmail, hashed: true },
    { key: 'PHONE', field: 'phone', normalize: normalizePhoneMeta, hashed: true },
    { key: 'GEN', field: 'gender', normalize: genderMetaMF, hashed: true },
    { key: 'DOBY', field: 'birth_date', normalize: birthYearMeta, hashed: true },
    { key: 'DOBM', field: 'birth_date', normalize: birthMonthMeta, hashed: true },
    { key: 'DOBD', field: 'birth_date', normalize: birthDayMeta, hashed: true },
    { key: 'LN', field: 'last_name', normalize: normalizeNameMeta, hashed: true },
    { key: 'FN', field: 'first_name', normalize: normalizeNameMeta, hashed: true },
    { key: 'FI', field: 'first_name', normalize: firstInitialMeta, hashed: true },
    { key: 'ST', field: 'state', normalize: stateMeta, hashed: true },
    { key: 'CT', field: 'city', normalize: cityMeta, hashed: true },
    { key: 'ZIP', field: 'zip', normalize: zipMeta, hashed: true },
    { key: 'COUNTRY', field: 'country', normalize: countryMeta, hashed: true },
    { key: 'MADID', field: 'madid', normalize: normalizeMadid, hashed: false },
  ],
  hashAlgorithms: ['sha256'],
  encodings: ['hex'],
  batchSize: { default: 10_000, max: 10_000 },
  keep(values) {
    if (has(values, 'EMAIL') || has(values, 'PHONE') || has(values, 'MADID') || has(values, 'EXTERN_ID')) return null;
    if (has(values, 'FN') && has(values, 'LN') && (has(values, 'ZIP') || has(values, 'CT') || has(values, 'DOBY'))) return null;
    return 'no_match_key';
  },
  missingColumns(provided) {
    const any = (...fields: CanonicalField[]) => fields.some((f) => provided.has(f));
    if (any('email', 'phone', 'madid', 'customer_id')) return null;
    if (provided.has('first_name') && provided.has('last_name') && any('zip', 'city', 'birth_date')) return null;
    return 'meta needs an email, phone, madid or customer_id column, or first_name and last_name with zip, city or birth_date';
  },
  rowFields: ['data_processing_options', 'data_processing_options_country', 'data_processing_options_state'],
  sink: metaBatchSink,
  encoder: metaEncoder,
} satisfies DestinationPreset;
