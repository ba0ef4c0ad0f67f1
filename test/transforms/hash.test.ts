import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashValue, type HashAlgorithm, type HashEncoding } from '../../src/hash.js';
import type { Row } from '../../src/model/row.js';
import { RowHasher } from '../../transforms/hash.js';

describe('RowHasher.hashChunk', () => {
  it('gives every value its own digest, repeated or not, whatever the chunking (memo on and off)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('ana', 'bo', 'josé', ''), fc.string({ unit: 'grapheme' })), { minLength: 1, maxLength: 400 }),
        fc.constantFrom<HashAlgorithm>('sha256', 'sha1', 'md5'),
        fc.constantFrom<HashEncoding>('hex', 'base64'),
        fc.integer({ min: 1, max: 50 }),
        (values, algorithm, encoding, chunk) => {
          const hasher = new RowHasher({ keys: ['FN'], algorithm, encoding });
          // Many repeats first, so the memo is on when the random values arrive.
          const all = [...Array.from({ length: 5000 }, (_, i) => ['ana', 'bo', 'cy'][i % 3]!), ...values];
          const rows: Row[] = all.map((v, i) => ({ line: i + 2, fields: {}, values: { FN: v } }));
          for (let i = 0; i < rows.length; i += chunk) hasher.hashChunk(rows.slice(i, i + chunk));
          rows.forEach((r, i) => expect(r.values!.FN).toBe(hashValue(all[i]!, algorithm, encoding)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('re-encodes a value that arrived hashed instead of hashing it again', () => {
    const hex = hashValue('mary@example.com');
    const r: Row = { line: 2, fields: {}, values: { EMAIL: hex }, prehashed: { EMAIL: hex } };
    new RowHasher({ keys: ['EMAIL'], encoding: 'base64' }).hashChunk([r]);
    expect(r.values!.EMAIL).toBe(Buffer.from(hex, 'hex').toString('base64'));
    expect(r.hashedBy?.keys.has('EMAIL')).toBe(true);
  });
});
