/**
 * Meta's replace API errors (code 2650) and what the document says to do about each, plus the
 * Graph API codes that mean "slow down / try again" rather than "no".
 */

/** A replace session takes batches for 90 minutes after its first one, no longer. */
export const REPLACE_WINDOW_MS = 90 * 60_000;

/** The documented range of replace subcodes. */
export function isReplaceSubcode(subcode: number): boolean {
  return subcode >= 1870144 && subcode <= 1870159;
}

const REPLACE_SUBCODES: Record<number, string> = {
  1870144: 'the audience is too large to replace (100 million or more); use --operation add and --operation remove instead',
  1870145: 'the audience is being updated (subcode 1870145); waiting for it to return to Normal before trying again',
  1870147: 'the replace session has no first batch (subcode 1870147): batch_seq must start at 1',
  1870148: 'the replace failed part-way (subcode 1870148): the customer list was not fully updated; if the audience size is far from what you expect, run the replace again with a new session',
  1870158:
    'the replace session passed its 90-minute limit (subcode 1870158): the audience is replaced by the batches already accepted; once the replace has finished, send the rest with --operation add (adding users already present is harmless)',
  1870159:
    'the replace session is already over (subcode 1870159): a batch with last_batch_flag true was accepted; once the replace has finished, send more with --operation add',
};

/** What a replace subcode means and what to do, in the document's words. */
export function explainReplaceSubcode(subcode: number): string {
  return REPLACE_SUBCODES[subcode] ?? `the replace was refused (subcode ${subcode})`;
}

/**
 * Graph API codes that are throttling or a temporary fault: 1 unknown/temporary, 2 service,
 * 4 app rate limit, 17 user rate limit, 32 page rate limit, 341 application limit,
 * 613 call rate limit, 80003 custom-audience throttling.
 */
export const META_RETRYABLE_CODES: ReadonlySet<number> = new Set([1, 2, 4, 17, 32, 341, 613, 80003]);
