import { AudienceEtlError } from '../errors.js';

/** How hard a transport tries before giving up on one request. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The backoff before the second attempt, doubled for each later one (before jitter). */
  baseDelayMs: number;
  /** No single backoff is longer than this (a `Retry-After` is still honoured up to the budget). */
  maxDelayMs: number;
  /** Total time, first attempt to last, after which no new attempt starts. */
  maxElapsedMs: number;
}

/** Time and randomness, injected so that tests neither sleep nor depend on chance. */
export interface RetryClock {
  now(): number;
  random(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  maxElapsedMs: 10 * 60_000,
};

export const systemClock: RetryClock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A failure worth another attempt: a 5xx, a 429, a dropped connection, a timeout, or a
 * platform's own "try again later". `retryAfterMs` carries the server's `Retry-After`.
 */
export class TransientError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Checks a policy once, naming the bad field. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined, base = DEFAULT_RETRY_POLICY): RetryPolicy {
  const policy = { ...base, ...partial };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new AudienceEtlError('BAD_OPTION', `retry ${name} must be a non-negative number`);
    }
  }
  if (policy.maxAttempts < 1 || !Number.isInteger(policy.maxAttempts)) {
    throw new AudienceEtlError('BAD_OPTION', 'retry maxAttempts must be a whole number of at least 1');
  }
  return policy;
}

/**
 * "Full jitter" backoff: a uniform pick in [0, min(cap, base·2^retry)], which spreads clients
 * that failed together instead of having them retry in lockstep.
 * `retry` is 0 before the second attempt.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `nowMs`; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month; bare numbers like "-5" would otherwise parse as years.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  reason: string;
}

/**
 * Runs `attempt` until it succeeds, throws something other than a TransientError, or the
 * policy's count or time budget is spent. A server's `Retry-After` replaces the computed
 * backoff (plus a little jitter), and a wait that would end past the budget is not started.
 */
export async function withRetry<T>(
  what: string,
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  clock: RetryClock = systemClock,
  options: { signal?: AbortSignal; onRetry?: (event: RetryEvent) => void } = {},
): Promise<T> {
  const started = clock.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    let failure: TransientError;
    try {
      return await attempt(attemptNumber);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      failure = err;
    }
    if (attemptNumber >= policy.maxAttempts) {
      throw new AudienceEtlError('UPLOAD', `${what}: gave up after ${attemptNumber} attempts: ${failure.message}`, {}, { cause: failure });
    }
    const jitter = backoffDelay(attemptNumber - 1, policy, clock.random);
    const delayMs =
      failure.retryAfterMs !== undefined ? failure.retryAfterMs + Math.floor(clock.random() * policy.baseDelayMs) : jitter;
    const elapsed = clock.now() - started;
    if (elapsed + delayMs > policy.maxElapsedMs) {
      const budget = Math.round(policy.maxElapsedMs / 1000);
      throw new AudienceEtlError(
        'UPLOAD',
        `${what}: gave up after ${attemptNumber} attempts, the next wait (${Math.ceil(delayMs / 1000)} s) would pass the ${budget} s retry budget: ${failure.message}`,
        {},
        { cause: failure },
      );
    }
    options.onRetry?.({ retry: attemptNumber, delayMs, reason: failure.message });
    await clock.sleep(delayMs, options.signal);
  }
}
