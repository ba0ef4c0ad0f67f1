import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectHashed, encodeDigest, hashPattern, hashValue, parseHashAlgorithm, type HashAlgorithm } from '../src/hash.js';
import { vectors } from './vectors.js';

describe('SHA-256 vectors (shared/vectors/vectors.json)', () => {
  it('has vectors to check', () => expect(vectors.sha256.length).toBeGreaterThanOrEqual(14));
  it.each(vectors.sha256.map((v) => [v.input, v.sha256, v.source] as const))('sha256(%j) = %s (%s)', (input, expected) => {
    expect(hashValue(input)).toBe(expected);
  });
  it.each(vectors.normalize.map((v) => [v.normalized, v.sha256, v.source] as const))('sha256 of normalized %j = %s (%s)', (input, expected) => {
    expect(hashValue(input)).toBe(expected);
  });
  it('corrects the DataX document: barry@verizonmedia.com hashes to 0518f10e…', () => {
    expect(hashValue('barry@verizonmedia.com')).toMatch(/^0518f10e/);
    expect(hashValue('barry@oath.com')).not.toMatch(/^0518f10e/);
  });
});

describe('hashValue', () => {
  it.each<[HashAlgorithm, string]>([
    ['sha1', createHash('sha1').update('mary@example.com').digest('hex')],
    ['md5', createHash('md5').update('mary@example.com').digest('hex')],
  ])('%s in hex', (algorithm, expected) => expect(hashValue('mary@example.com', algorithm)).toBe(expected));

  it('base64 is the same digest', () => {
    const b64 = hashValue('mary@example.com', 'sha256', 'base64');
    expect(Buffer.from(b64, 'base64').toString('hex')).toBe(vectors.sha256[0]!.sha256);
    expect(b64).toMatch(hashPattern('sha256', 'base64'));
  });

  it('hashes UTF-8 bytes', () => {
    expect(hashValue('josé')).toBe(createHash('sha256').update(Buffer.from('josé', 'utf8')).digest('hex'));
  });
});

describe('detectHashed (a value is never hashed twice)', () => {
  const hex = vectors.sha256[0]!.sha256;
  it.each([
    ['lowercase hex', hex, hex],
    ['uppercase hex', hex.toUpperCase(), hex],
    ['base64', Buffer.from(hex, 'hex').toString('base64'), hex],
  ])('recognises %s', (_n, value, expected) => expect(detectHashed(value, 'sha256')).toBe(expected));

  it.each([
    ['63 hex chars', hex.slice(1)],
    ['non-hex 64 chars', 'g'.repeat(64)],
    ['an email', 'mary@example.com'],
    ['a sha1 for sha256', 'a'.repeat(40)],
  ])('does not take %s for a sha256', (_n, value) => expect(detectHashed(value, 'sha256')).toBeUndefined());

  it.each<[HashAlgorithm, number]>([
    ['sha1', 40],
    ['md5', 32],
  ])('knows the %s length', (algorithm, length) => expect(detectHashed('A'.repeat(length), algorithm)).toBe('a'.repeat(length)));

  it('property: any digest, in any encoding or case, is recognised as itself', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom<HashAlgorithm>('sha256', 'sha1', 'md5'), fc.boolean(), (s, algorithm, upper) => {
        const digest = hashValue(s, algorithm);
        expect(detectHashed(upper ? digest.toUpperCase() : digest, algorithm)).toBe(digest);
        expect(detectHashed(hashValue(s, algorithm, 'base64'), algorithm)).toBe(digest);
        expect(encodeDigest(digest, 'base64')).toBe(hashValue(s, algorithm, 'base64'));
      }),
    );
  });
});

describe('parseHashAlgorithm', () => {
  it.each([
    ['sha256', 'sha256'],
    ['SHA-256', 'sha256'],
    ['sha1', 'sha1'],
    ['MD5', 'md5'],
    ['sha512', undefined],
  ])('%s → %s', (name, expected) => expect(parseHashAlgorithm(name)).toBe(expected));
});
