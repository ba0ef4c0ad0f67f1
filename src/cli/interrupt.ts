import { AudienceEtlError } from '../errors.js';

/** How a command that a signal stopped ends: its message and, as a shell reports it, 128 + the signal's number. */
export class Interrupted {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly message: string,
  ) {}

  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts, its reason an
 * INTERRUPTED error with `describe(signal)` as message. When a signal came and `work` then failed
 * (whatever it made of the abort), the result is an `Interrupted`; other failures are thrown. The
 * handlers are taken once, so a second signal kills at once, and removed when `work` ends.
 */
export async function untilInterrupted<T>(describe: (signal: NodeJS.Signals) => string, work: (signal: AbortSignal) => Promise<T>): Promise<T | Interrupted> {
  const controller = new AbortController();
  let caught: Interrupted | undefined;
  const stop = (signal: NodeJS.Signals) => {
    caught = new Interrupted(signal, describe(signal));
    controller.abort(new AudienceEtlError('INTERRUPTED', caught.message));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (caught === undefined) throw error;
    return caught;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
