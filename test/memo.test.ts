import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveMemo } from '../src/memo.js';

describe('AdaptiveMemo', () => {
  it('answers repeated keys with what was recorded', () => {
    const memo = new AdaptiveMemo<string | null>();
    expect(memo.get('Mary')).toBeUndefined();
    memo.set('Mary', 'mary');
    memo.set('n/a', null);
    expect(memo.get('Mary')).toBe('mary');
    expect(memo.get('n/a')).toBeNull();
  });

  it('turns itself off when keys rarely repeat, and samples again later', () => {
    const memo = new AdaptiveMemo<number>();
    let i = 0;
    for (; i < 4096; i++) {
      memo.get(`u${i}`);
      memo.set(`u${i}`, i);
    }
    expect(memo.active).toBe(false);
    memo.set('x', 1); // ignored while off
    expect(memo.get('x')).toBeUndefined();
    for (let rest = 1; rest < 1 << 18; rest++) memo.get('x');
    expect(memo.active).toBe(true);
  });

  it('stays on when keys repeat', () => {
    const memo = new AdaptiveMemo<number>();
    for (let i = 0; i < 50_000; i++) {
      const key = `name${i % 300}`;
      if (memo.get(key) === undefined) memo.set(key, i % 300);
    }
    expect(memo.active).toBe(true);
    expect(memo.get('name7')).toBe(7);
  });

  it('stays bounded: cleared when full', () => {
    const memo = new AdaptiveMemo<number>(10);
    for (let i = 0; i < 10; i++) memo.set(`k${i}`, i);
    expect(memo.get('k3')).toBe(3);
    memo.set('k10', 10);
    expect(memo.get('k3')).toBeUndefined();
    expect(memo.get('k10')).toBe(10);
  });

  it('a memoized function gives the function\'s own results, whatever the order of keys', () => {
    const f = (s: string) => s.trim().toLowerCase();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' Ana', 'BO ', 'cy', 'Dé', ''), { maxLength: 3000 }), fc.array(fc.string(), { maxLength: 200 }), (repeated, unique) => {
        const memo = new AdaptiveMemo<string>(50);
        for (const key of [...repeated, ...unique, ...repeated]) {
          const known = memo.get(key);
          const value = known ?? f(key);
          if (known === undefined) memo.set(key, value);
          expect(value).toBe(f(key));
        }
      }),
    );
  });
});
