import { clean, isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

/** IDFA and GAID are UUIDs in the 8-4-4-4-12 form. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What iOS and Android report when the user limits ad tracking: no identifier at all. */
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * MADID (mobile advertiser id), never hashed: lowercase, hyphens kept, valid only as a UUID
 * (IDFA / GAID); the all-zero UUID is empty. 32 hex digits without hyphens are refused rather
 * than reformatted: that is the shape of an MD5 hash, not of an advertising id.
 */
export function normalizeMadid(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const madid = s.toLowerCase();
  if (!UUID.test(madid)) return null;
  return madid === ZERO_UUID ? '' : madid;
}
