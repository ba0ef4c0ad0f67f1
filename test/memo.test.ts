import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveMemo, MemoGauge } from '../src/memo.js';

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

  describe('memos sharing a MemoGauge (one field, one memo per country)', () => {
    it('turn off together, learning from the lookups of all of them', () => {
      const gauge = new MemoGauge();
      const us = new AdaptiveMemo<number>(undefined, gauge);
      const br = new AdaptiveMemo<number>(undefined, gauge);
      br.set('kept before', 1);
      // Unique keys, split between the two: neither alone reaches a window, together they do.
      for (let i = 0; i < 4096; i++) {
        const memo = i % 2 ? us : br;
        memo.get(`u${i}`);
        memo.set(`u${i}`, i);
      }
      expect(us.active).toBe(false);
      expect(br.active).toBe(false);
      br.set('x', 1); // ignored while off
      expect(br.get('x')).toBeUndefined();
    });

    it('keep no entry from before they turned off, once they sample again', () => {
      const gauge = new MemoGauge();
      const us = new AdaptiveMemo<number>(undefined, gauge);
      const br = new AdaptiveMemo<number>(undefined, gauge);
      br.set('stale', 1);
      expect(br.get('stale')).toBe(1);
      for (let i = 0; i < 4095; i++) us.get(`u${i}`);
      expect(us.active).toBe(false);
      for (let rest = 0; rest < 1 << 18; rest++) us.get('x');
      expect(br.active).toBe(true);
      // br was not touched while off: its map still held 'stale' until now.
      expect(br.get('stale')).toBeUndefined();
    });

    it('stay on when keys repeat across them', () => {
      const gauge = new MemoGauge();
      const memos = [0, 1, 2].map(() => new AdaptiveMemo<number>(undefined, gauge));
      for (let i = 0; i < 50_000; i++) {
        const memo = memos[i % 3]!;
        const key = `name${i % 300}`;
        if (memo.get(key) === undefined) memo.set(key, i % 300);
      }
      expect(memos.every((m) => m.active)).toBe(true);
      expect(memos[1]!.get('name7')).toBe(7);
    });

    it('each give its own function\'s results, whatever the order of keys and memos', () => {
      const fs = [(s: string) => s.trim().toLowerCase(), (s: string) => s.toUpperCase(), (s: string) => `${s.length}`];
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.oneof(fc.constantFrom(' Ana', 'BO ', 'cy', 'Dé', ''), fc.string())), { maxLength: 6000 }),
          (lookups) => {
            const gauge = new MemoGauge();
            const memos = fs.map(() => new AdaptiveMemo<string>(40, gauge));
            for (const [m, key] of lookups) {
              const known = memos[m]!.get(key);
              const value = known ?? fs[m]!(key);
              if (known === undefined) memos[m]!.set(key, value);
              expect(value).toBe(fs[m]!(key));
            }
          },
        ),
        { numRuns: 50 },
      );
    });
  });
});
