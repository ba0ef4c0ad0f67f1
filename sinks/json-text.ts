/** Characters a JSON string must escape (and lone surrogates, which JSON.stringify escapes too). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(value)` for a string, without its cost when nothing needs escaping: hashes,
 * ids, region and postal codes almost never do, and this runs for every value of every row.
 */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
}
