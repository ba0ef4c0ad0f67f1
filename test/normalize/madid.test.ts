import { describe, expect, it } from 'vitest';
import { normalizeMadid } from '../../src/normalize/madid.js';

describe('normalizeMadid (MADID, never hashed)', () => {
  it.each([
    ['6D92078A-8246-4BA4-AE5B-76104861E7DC', '6d92078a-8246-4ba4-ae5b-76104861e7dc'], // IDFA: lowercase, hyphens kept
    ['38400000-8cf0-11bd-b23e-10b96e40000d', '38400000-8cf0-11bd-b23e-10b96e40000d'], // GAID
    [' 6d92078a-8246-4ba4-ae5b-76104861e7dc ', '6d92078a-8246-4ba4-ae5b-76104861e7dc'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMadid(input)).toBe(expected);
  });

  it.each(['00000000-0000-0000-0000-000000000000', '', 'null', 'n/a'])('%j is empty (limited ad tracking, blank)', (input) => {
    expect(normalizeMadid(input)).toBe('');
  });

  it.each([
    '6d92078a82464ba4ae5b76104861e7dc', // no hyphens: the shape of an MD5, not an advertising id
    '6d92078a-8246-4ba4-ae5b-76104861e7d',
    '6d92078a-8246-4ba4-ae5b-76104861e7dcx',
    'g d92078a-8246-4ba4-ae5b-76104861e7dc',
    '{6d92078a-8246-4ba4-ae5b-76104861e7dc}',
    'not-a-madid',
  ])('%j is invalid', (input) => {
    expect(normalizeMadid(input)).toBeNull();
  });
});
