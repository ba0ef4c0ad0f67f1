import { isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

/**
 * Meta EXTERN_ID and Newtail CUSTOMER_ID: exactly as given (SPEC: "EXTERN_ID exactly as given"),
 * so neither trimmed nor NFC-normalized, because it must equal the id the advertiser sends elsewhere
 * byte for byte; `''` when blank or a placeholder.
 */
export function normalizeExternId(value: string, _ctx?: NormalizeContext): string | null {
  return isPlaceholder(value) ? '' : value;
}

/** ASCII 33–126 except the comma (44): what DataX accepts in a PXID. */
const PXID = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * DataX PXID: exact and case-sensitive, ASCII 33–126 except comma, else `null`. Surrounding
 * whitespace is trimmed: it can never be part of a valid PXID, so trimming cannot change one.
 */
export function normalizePxid(value: string, _ctx?: NormalizeContext): string | null {
  const s = value.trim();
  if (isPlaceholder(s)) return '';
  return PXID.test(s) ? s : null;
}
