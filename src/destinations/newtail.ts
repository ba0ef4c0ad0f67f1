import { newtailEncoder, newtailSink } from '../../sinks/newtail.js';
import {
  ageFromBirthDate,
  genderNewtail,
  normalizeAge,
  normalizeCep,
  normalizeCompactLower,
  normalizeCpf,
  normalizeEmail,
  normalizeExternId,
  normalizePhoneE164,
  regionCodeGoogle,
} from '../normalize/index.js';
import type { NormalizeContext } from '../normalize/types.js';
import {
  deriveNewtailAge,
  normalizeNewtailCategories,
  normalizeNewtailList,
  normalizeNewtailText,
} from './newtail-fields.js';
import type { CanonicalField } from '../model/fields.js';
import type { DestinationPreset, KeySpec } from './types.js';

const AGE_PATTERN = /^\d{1,3}$/;

function ageNewtail(fields: Readonly<Record<string, string>>, ctx: NormalizeContext): string | null {
  return deriveNewtailAge(fields, ctx, normalizeAge, ageFromBirthDate);
}

const NEWTAIL_KEYS: readonly KeySpec[] = [
  { key: 'CUSTOMER_ID', field: 'customer_id', normalize: normalizeExternId, hashed: false, required: true },
  { key: 'EMAIL_HASHED', field: 'email', normalize: normalizeEmail, hashed: true },
  { key: 'PHONE_HASHED', field: 'phone', normalize: normalizePhoneE164, hashed: true },
  { key: 'SOCIAL_ID_HASHED', field: 'social_id', normalize: normalizeCpf, hashed: true },
  { key: 'FIRST_NAME_HASHED', field: 'first_name', normalize: normalizeCompactLower, hashed: true },
  { key: 'LAST_NAME_HASHED', field: 'last_name', normalize: normalizeCompactLower, hashed: true },
  { key: 'GENDER', field: 'gender', normalize: genderNewtail, hashed: false, pattern: /^[FMO]$/ },
  { key: 'AGE', field: 'age', normalize: normalizeAge, derive: ageNewtail, alsoFrom: ['birth_date'], hashed: false, pattern: AGE_PATTERN },
  { key: 'CEP', field: 'zip', normalize: normalizeCep, hashed: false },
  { key: 'COUNTRY', field: 'country', normalize: regionCodeGoogle, hashed: false, pattern: /^[A-Z]{2}$/ },
  { key: 'STATE', field: 'state', normalize: normalizeNewtailText, hashed: false },
  { key: 'CITY', field: 'city', normalize: normalizeNewtailText, hashed: false },
  { key: 'NEIGHBORHOOD', field: 'neighborhood', normalize: normalizeNewtailText, hashed: false },
  { key: 'AUDIENCES', field: 'audiences', normalize: normalizeNewtailList, hashed: false },
  { key: 'NBO_PRODUCTS', field: 'nbo_products', normalize: normalizeNewtailList, hashed: false },
  { key: 'NBO_CATEGORIES', field: 'nbo_categories', normalize: normalizeNewtailCategories, hashed: false },
];

/** Input fields some Newtail column is made from. */
const USED_FIELDS: ReadonlySet<CanonicalField> = new Set(NEWTAIL_KEYS.flatMap((k) => [k.field, ...(k.alsoFrom ?? [])]));

/**
 * Newtail (seed 000): Snappy Parquet files at `<out>/newtail/<PREFIX>/audiences/YYYY/mm/dd/<TIMESTAMP>.parquet.snappy`,
 * every column always present (null where a row has no valid value), case-sensitive names.
 * Hashed columns: SHA-256 hex of the value with all whitespace removed and lower-cased; the phone
 * in E.164 first; the CPF as 11 digits with both check digits verified.
 */
export const newtail = {
  name: 'newtail',
  title: 'Newtail (retail media)',
  keys: NEWTAIL_KEYS,
  hashAlgorithms: ['sha256'],
  encodings: ['hex'],
  // Rows per chunk handed to the sink; files roll at rowsPerFile whatever the batch.
  batchSize: { default: 10_000, max: 1_000_000 },
  rowsPerFile: { default: 1_000_000 },
  keep(values) {
    if (typeof values.CUSTOMER_ID !== 'string') return 'missing_required_key';
    for (const key in values) if (key !== 'CUSTOMER_ID' && typeof values[key] === 'string') return null;
    return 'no_match_key';
  },
  missingColumns(provided) {
    if (!provided.has('customer_id')) return 'newtail needs a customer_id column (CUSTOMER_ID is required)';
    for (const field of provided) if (field !== 'customer_id' && USED_FIELDS.has(field)) return null;
    return 'newtail needs a column besides customer_id (email, phone, CPF, name, gender, age, location or lists)';
  },
  sink: newtailSink,
  encoder: newtailEncoder,
} satisfies DestinationPreset;
