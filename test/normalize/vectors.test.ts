import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeEmailGoogle } from '../../src/normalize/email.js';
import { normalizeCompactLower } from '../../src/normalize/name.js';
import { normalizePhoneE164, normalizePhoneMeta } from '../../src/normalize/phone.js';
import { makeContext } from '../../src/normalize/types.js';
import type { Normalizer } from '../../src/normalize/types.js';

/** vectors.json, section "normalize", entry for entry (the shared file lives outside the repository). */
const NORMALIZE_VECTORS = [
  { destination: 'google', field: 'phone', input: '(800)555-0100', country: 'US', normalized: '+18005550100', sha256: 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30' },
  { destination: 'datax', field: 'phone', input: '1 (123) 456-7890', country: 'US', normalized: '+11234567890', sha256: '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231' },
  { destination: 'datax', field: 'phone', input: '65 1243 5678', country: 'SG', normalized: '+6512435678', sha256: '95850a41296287dbaf24673ac91688da6945daf7b2150eddfe67ca5217affe31' },
  { destination: 'datax', field: 'phone', input: '(02) 1234 5678', country: 'AU', normalized: '+61212345678', sha256: '276e0b16ec33813e4496c8ccc1ca84e344bc56d52859714266092af8f0d20fe7' },
  { destination: 'newtail', field: 'phone', input: '212 555-1234', country: 'US', normalized: '+12125551234', sha256: 'b7532e84c87df1f9f6bc4097cea3fa27db1b990bdc8d1211e59586349e5cce82' },
  { destination: 'meta', field: 'phone', input: '+1 (555) 987-6543', country: null, normalized: '15559876543', sha256: '1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e' },
  { destination: 'meta', field: 'email', input: '  Mary@Example.COM ', normalized: 'mary@example.com', sha256: 'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79' },
  { destination: 'google', field: 'email', input: ' John.Smith@GMAIL.com', normalized: 'johnsmith@gmail.com', sha256: '3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586' },
  { destination: 'google', field: 'email', input: 'jane.doe@googlemail.com', normalized: 'janedoe@googlemail.com', sha256: '338abf9ef1c8793cadc7bcf51ed595338eb727ed9e06ce3d91d566d60b975937' },
  { destination: 'google', field: 'email', input: 'first.last@example.com', normalized: 'first.last@example.com', sha256: 'ed54043dc26abe52005ca8de7f530026bb4773f53e7a6effc7a520944bab01ad' },
  { destination: 'newtail', field: 'first_name', input: ' Allan ', normalized: 'allan', sha256: '5fd726bc56c3e86906cba8814a9b97d97f2ab209c48d2441ca5ac9e52b09e630' },
  { destination: 'liveintent', field: 'email', input: 'Barry@VerizonMedia.com', normalized: 'barry@verizonmedia.com', sha256: '0518f10ec6f189f5047e16c253feb64f3a64ba3596f9b819be8e8b91d69b3255' },
] as const;

/** The normalizer each destination applies to each field, as the presets will wire them. */
const NORMALIZERS: Record<string, Normalizer> = {
  'google phone': normalizePhoneE164,
  'datax phone': normalizePhoneE164,
  'newtail phone': normalizePhoneE164,
  'meta phone': normalizePhoneMeta,
  'meta email': normalizeEmail,
  'google email': normalizeEmailGoogle,
  'datax email': normalizeEmail,
  'liveintent email': normalizeEmail,
  'newtail email': normalizeEmail,
  'newtail first_name': normalizeCompactLower,
};

describe('vectors.json "normalize"', () => {
  it.each(NORMALIZE_VECTORS)('$destination $field $input → $normalized', (vector) => {
    const normalize = NORMALIZERS[`${vector.destination} ${vector.field}`]!;
    const country = 'country' in vector && vector.country !== null ? vector.country : undefined;
    const ctx = makeContext({ country, today: { year: 2025, month: 6, day: 15 } });
    const normalized = normalize(vector.input, ctx);
    expect(normalized).toBe(vector.normalized);
    // The checked hash confirms the normalized form is the one the vectors were built from.
    expect(createHash('sha256').update(normalized!, 'utf8').digest('hex')).toBe(vector.sha256);
    expect(normalize(normalized!, ctx)).toBe(normalized);
  });
});
