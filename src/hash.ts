import { createHash, hash as oneShotHash } from 'node:crypto';

export type HashAlgorithm = 'sha256' | 'sha1' | 'md5';
export type HashEncoding = 'hex' | 'base64';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha256', 'sha1', 'md5'];
export const HASH_ENCODINGS: readonly HashEncoding[] = ['hex', 'base64'];

/**
 * What a hash stage did to a row: which keys now hold digests, of which algorithm and encoding.
 * The validate stage trusts a row stamped with a signature that covers its own hashed keys
 * instead of re-checking every digest against a pattern (6% of a Meta run's time).
 */
export interface HashSignature {
  readonly algorithm: HashAlgorithm;
  readonly encoding: HashEncoding;
  readonly keys: ReadonlySet<string>;
}

/** Length in bytes of each algorithm's digest. */
const DIGEST_BYTES: Record<HashAlgorithm, number> = { sha256: 32, sha1: 20, md5: 16 };

const HEX_RE: Record<HashAlgorithm, RegExp> = {
  sha256: /^[0-9a-fA-F]{64}$/,
  sha1: /^[0-9a-fA-F]{40}$/,
  md5: /^[0-9a-fA-F]{32}$/,
};
const BASE64_RE: Record<HashAlgorithm, RegExp> = {
  sha256: /^[A-Za-z0-9+/]{43}=$/,
  sha1: /^[A-Za-z0-9+/]{27}=$/,
  md5: /^[A-Za-z0-9+/]{22}==$/,
};

/** The pattern a final hash of `algorithm` in `encoding` matches (lowercase hex, or padded base64). */
export function hashPattern(algorithm: HashAlgorithm, encoding: HashEncoding): RegExp {
  if (encoding === 'base64') return BASE64_RE[algorithm];
  return new RegExp(`^[0-9a-f]{${DIGEST_BYTES[algorithm] * 2}}$`);
}

const hasOneShot = typeof oneShotHash === 'function';

/** Hash of a UTF-8 string in the given encoding (lowercase hex by default). */
export function hashValue(value: string, algorithm: HashAlgorithm = 'sha256', encoding: HashEncoding = 'hex'): string {
  // crypto.hash() is the one-shot path (Node >= 20.12): ~2.5x faster than createHash for short values.
  if (hasOneShot) return oneShotHash(algorithm, value, encoding);
  return createHash(algorithm).update(value, 'utf8').digest(encoding);
}

/** The fewest characters a digest of `algorithm` is written in (base64): shorter values are no hash, even trimmed. */
export function shortestDigest(algorithm: HashAlgorithm): number {
  return Math.ceil(DIGEST_BYTES[algorithm] / 3) * 4;
}

/**
 * If `value` already is a hash of `algorithm` (hex of either case, or base64), its digest as
 * lowercase hex; otherwise undefined. Used so that a value is never hashed twice.
 */
export function detectHashed(value: string, algorithm: HashAlgorithm): string | undefined {
  const length = value.length;
  const bytes = DIGEST_BYTES[algorithm];
  if (length === bytes * 2) {
    return HEX_RE[algorithm].test(value) ? value.toLowerCase() : undefined;
  }
  if (length === Math.ceil(bytes / 3) * 4 && BASE64_RE[algorithm].test(value)) {
    return Buffer.from(value, 'base64').toString('hex');
  }
  return undefined;
}

/** A lowercase-hex digest in the wanted encoding. */
export function encodeDigest(hex: string, encoding: HashEncoding): string {
  return encoding === 'hex' ? hex : Buffer.from(hex, 'hex').toString('base64');
}

export function parseHashAlgorithm(name: string): HashAlgorithm | undefined {
  const lower = name.toLowerCase().replace('-', '');
  return (HASH_ALGORITHMS as readonly string[]).includes(lower) ? (lower as HashAlgorithm) : undefined;
}
