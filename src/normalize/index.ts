/** The normalizers: pure functions from a raw input value to a destination's form of it. */
export type { NormalizeContext, Normalizer } from './types.js';
export { makeContext } from './types.js';
export { clean, foldDiacritics, hasNonAscii, isPlaceholder, nfc, unlessPlaceholder } from './text.js';
export { normalizeEmail, normalizeEmailGoogle } from './email.js';
export { normalizePhoneE164, normalizePhoneMeta } from './phone.js';
export {
  firstInitialMeta,
  normalizeCompactLower,
  normalizeFamilyNameGoogle,
  normalizeGivenNameGoogle,
  normalizeNameMeta,
} from './name.js';
export { genderMetaMF, genderNewtail } from './gender.js';
export type { CalendarDate, DateLayout } from './date.js';
export {
  ageFromBirthDate,
  birthDayMeta,
  birthMonthMeta,
  birthYearMeta,
  normalizeAge,
  parseDate,
  parseDateFormat,
} from './date.js';
export { normalizeCep, padUsZip, postalCodeGoogle, zipMeta } from './zip.js';
export { stateMeta } from './state.js';
export { cityMeta } from './city.js';
export { ISO_ALPHA2, countryAlpha2, countryMeta, regionCodeGoogle } from './country.js';
export { normalizeCpf } from './cpf.js';
export { normalizeMadid } from './madid.js';
export { normalizeExternId, normalizePxid } from './customer-id.js';
