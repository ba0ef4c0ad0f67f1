import { describe, expect, it } from 'vitest';
import { LIVEINTENT_EMAIL_KEY, liveintent } from '../../src/destinations/liveintent.js';
import type { CanonicalField } from '../../src/model/fields.js';
import { hashValue } from '../../src/hash.js';
import { makeContext } from '../../src/normalize/types.js';
import { liveIntentSink } from '../../sinks/liveintent.js';

const ctx = makeContext({ now: new Date('2024-12-12T00:00:00Z') });

describe('liveintent preset', () => {
  it('has one hashed key made from the email', () => {
    expect(liveintent.keys.map((k) => [k.key, k.field, k.hashed])).toEqual([[LIVEINTENT_EMAIL_KEY, 'email', true]]);
    expect(LIVEINTENT_EMAIL_KEY).toBe('EMAIL_HASH');
    expect(liveintent.sink).toBe(liveIntentSink);
  });

  it('takes SHA-256 by default, SHA-1 and MD5 on request, in hex only', () => {
    expect(liveintent.hashAlgorithms).toEqual(['sha256', 'sha1', 'md5']);
    expect(liveintent.encodings).toEqual(['hex']);
  });

  it.each([
    // Vector from vectors.json (destination liveintent, source 003).
    ['Barry@VerizonMedia.com', 'barry@verizonmedia.com', '0518f10ec6f189f5047e16c253feb64f3a64ba3596f9b819be8e8b91d69b3255'],
    ['  mary@example.com ', 'mary@example.com', 'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79'],
    ['MARY@EXAMPLE.COM', 'mary@example.com', 'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79'],
  ])('trims and lower-cases %j before hashing', (input, normalized, sha256) => {
    const value = liveintent.keys[0].normalize(input, ctx);
    expect(value).toBe(normalized);
    expect(hashValue(value!, 'sha256')).toBe(sha256);
  });

  it('keeps a row with an email hash, and only then', () => {
    expect(liveintent.keep({ EMAIL_HASH: 'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79' })).toBeNull();
    expect(liveintent.keep({})).toBe('no_match_key');
    expect(liveintent.keep({ EMAIL_HASH: null })).toBe('no_match_key');
  });

  it('needs an email column', () => {
    expect(liveintent.missingColumns(new Set<CanonicalField>(['email', 'phone']))).toBeNull();
    expect(liveintent.missingColumns(new Set<CanonicalField>(['phone', 'first_name']))).toBe('liveintent needs an email column');
  });
});
