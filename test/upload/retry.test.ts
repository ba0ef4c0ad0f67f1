import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import { backoffDelay, parseRetryAfter, resolveRetryPolicy, systemClock, TransientError, withRetry, type RetryPolicy } from '../../src/upload/retry.js';
import { fakeClock } from './helpers.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 };

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base·2^retry)] for any random draw (full jitter)', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const delay = backoffDelay(retry, policy, () => r);
        return delay >= 0 && delay <= Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
      }),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = (retry: number) => backoffDelay(retry, policy, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
  ])('reads %j', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
  it.each([[null], [undefined], ['soon'], ['-5']])('ignores %j', (value) => expect(parseRetryAfter(value, now)).toBeUndefined());
});

describe('resolveRetryPolicy', () => {
  it('names a bad field', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
    expect(() => resolveRetryPolicy({ maxElapsedMs: Number.NaN })).toThrow(/maxElapsedMs/);
  });
});

describe('withRetry', () => {
  it('retries transient failures and returns the first success', async () => {
    const clock = fakeClock();
    let calls = 0;
    const value = await withRetry('t', async () => (++calls < 3 ? Promise.reject(new TransientError('busy')) : 'ok'), policy, clock);
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('never retries a final error', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(withRetry('t', async () => (calls++, Promise.reject(new AudienceEtlError('UPLOAD', 'no'))), policy, clock)).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('honours Retry-After instead of its own backoff', async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetry('t', async () => (++calls === 1 ? Promise.reject(new TransientError('429', 30_000)) : 'ok'), policy, clock);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(30_000);
    expect(clock.sleeps[0]).toBeLessThan(30_000 + policy.baseDelayMs);
  });

  it('stops at maxAttempts', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(withRetry('upload x', async () => (calls++, Promise.reject(new TransientError('HTTP 503'))), policy, clock)).rejects.toThrow(
      /upload x: gave up after 5 attempts: HTTP 503/,
    );
    expect(calls).toBe(5);
  });

  it('does not start a wait that would end past the time budget', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await withRetry('t', async () => (calls++, Promise.reject(new TransientError('429', 120_000))), policy, clock).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/next wait \(121 s\) would pass the 60 s retry budget/);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('bounds total time over many retries: attempts and waits never pass maxElapsedMs', () =>
    fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.nat(30_000), { nil: undefined }), { minLength: 1, maxLength: 30 }), fc.nat(50_000), async (retryAfters, budget) => {
        const clock = fakeClock();
        const start = clock.now();
        let i = 0;
        const p = { maxAttempts: 1000, baseDelayMs: 10, maxDelayMs: 5000, maxElapsedMs: budget };
        await withRetry('t', async () => Promise.reject(new TransientError('x', retryAfters[i++ % retryAfters.length])), p, clock).catch(() => undefined);
        return clock.now() - start <= budget;
      }),
    ));

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    const slow = { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const clock = { ...systemClock, random: () => 0.5 };
    const pending = withRetry('t', async () => Promise.reject(new TransientError('busy')), slow, clock, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
