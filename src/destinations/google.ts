import { googleRequestSink, googleEncoder } from '../../sinks/google-requests.js';
import { regionCodeGoogle } from '../normalize/country.js';
import { normalizeEmailGoogle } from '../normalize/email.js';
import { normalizeMadid } from '../normalize/madid.js';
import { normalizeFamilyNameGoogle, normalizeGivenNameGoogle } from '../normalize/name.js';
import { normalizePhoneE164 } from '../normalize/phone.js';
import { postalCodeGoogle } from '../normalize/zip.js';
import type { DestinationPreset } from './types.js';

const has = (values: Readonly<Record<string, string | null>>, key: string) => typeof values[key] === 'string';

/** The four parts an address needs; it is sent only when all four are valid. */
export const GOOGLE_ADDRESS_KEYS = ['givenName', 'familyName', 'regionCode', 'postalCode'] as const;

/** Google Data Manager API (seed 001): UserData identifiers, SHA-256 hex or base64. */
export const google = {
  name: 'google',
  title: 'Google Data Manager API',
  keys: [
    { key: 'emailAddress', field: 'email', normalize: normalizeEmailGoogle, hashed: true },
    { key: 'phoneNumber', field: 'phone', normalize: normalizePhoneE164, hashed: true },
    { key: 'givenName', field: 'first_name', normalize: normalizeGivenNameGoogle, hashed: true },
    { key: 'familyName', field: 'last_name', normalize: normalizeFamilyNameGoogle, hashed: true },
    {
      key: 'regionCode',
      field: 'country',
      normalize: regionCodeGoogle,
      // The row's own country, else the run's --default-country.
      derive: (fields, ctx) => {
        const own = fields.country;
        if (own !== undefined && own.trim() !== '') return regionCodeGoogle(own, ctx);
        return ctx.country ?? '';
      },
      hashed: false,
      pattern: /^[A-Z]{2}$/,
    },
    { key: 'postalCode', field: 'zip', normalize: postalCodeGoogle, hashed: false },
    { key: 'mobileId', field: 'madid', normalize: normalizeMadid, hashed: false },
  ],
  hashAlgorithms: ['sha256'],
  encodings: ['hex', 'base64'],
  batchSize: { default: 10_000, max: 10_000 },
  keep(values) {
    if (has(values, 'emailAddress') || has(values, 'phoneNumber') || has(values, 'mobileId')) return null;
    if (GOOGLE_ADDRESS_KEYS.every((k) => has(values, k))) return null;
    return 'no_match_key';
  },
  missingColumns(provided) {
    if (provided.has('email') || provided.has('phone') || provided.has('madid')) return null;
    if (provided.has('first_name') && provided.has('last_name') && provided.has('zip')) return null;
    return 'google needs an email, phone or madid column, or first_name, last_name, zip (and a country column or --default-country)';
  },
  sink: googleRequestSink,
  encoder: googleEncoder,
} satisfies DestinationPreset;
