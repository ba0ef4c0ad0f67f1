import { describe, expect, it } from 'vitest';
import { meta } from '../../src/destinations/meta.js';
import { hashValue } from '../../src/hash.js';
import type { Row } from '../../src/model/row.js';
import { RunStats } from '../../src/model/stats.js';
import { RowHasher } from '../../transforms/hash.js';
import { RowValidator } from '../../transforms/validate.js';

const row = (values: Record<string, string | null>): Row => ({ line: 2, fields: {}, values: { ...values } });

describe('RowValidator and the hash stage', () => {
  it('checks hashed keys against the digest pattern when no hash stage ran', () => {
    const stats = new RunStats();
    const validator = new RowValidator({ preset: meta, stats });
    const r = row({ EMAIL: 'mary@example.com', EXTERN_ID: 'C1' });
    expect(validator.validate(r)).toBe(true); // kept by EXTERN_ID
    expect(r.values!.EMAIL).toBeUndefined();
    expect(stats.field('EMAIL').invalid).toBe(1);
  });

  it('trusts the digests of a hash stage that covered every hashed key with the same algorithm', () => {
    const stats = new RunStats();
    const validator = new RowValidator({ preset: meta, stats });
    const r = row({ EMAIL: 'mary@example.com' });
    new RowHasher({ keys: meta }).hashChunk([r]);
    expect(r.values!.EMAIL).toBe(hashValue('mary@example.com'));
    expect(validator.validate(r)).toBe(true);
    expect(stats.field('EMAIL').valid).toBe(1);
  });

  it('re-checks when the hash stage used another encoding or left hashed keys out', () => {
    for (const hasher of [new RowHasher({ keys: meta, encoding: 'base64' }), new RowHasher({ keys: ['PHONE'] })]) {
      const stats = new RunStats();
      const validator = new RowValidator({ preset: meta, stats });
      const r = row({ EMAIL: hasher.signature.encoding === 'base64' ? 'mary@example.com' : 'not hashed', EXTERN_ID: 'C1' });
      hasher.hashChunk([r]);
      expect(validator.validate(r)).toBe(true);
      expect(r.values!.EMAIL).toBeUndefined();
      expect(stats.field('EMAIL').invalid).toBe(1);
    }
  });
});
