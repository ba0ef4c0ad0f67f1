import type { DestinationName } from '../destinations/types.js';
import type { JournalEntry, UploadJournal } from './journal.js';
import type { RetryClock, RetryPolicy } from './retry.js';
import type { Env } from './secrets.js';

export type MetaOperation = 'add' | 'remove' | 'replace' | 'remove-any';
export type GoogleOperation = 'add' | 'remove';
export type CustomerFileSource = 'USER_PROVIDED_ONLY' | 'PARTNER_PROVIDED_ONLY' | 'BOTH_USER_AND_PARTNER_PROVIDED';

/** Everything `upload` can be told. Each transport reads the part that concerns it and checks it once. */
export interface UploadOptions {
  /** Where secrets come from; `process.env` by default. */
  env?: Env;
  /** Show what would be sent (files, bytes, row counts), send nothing, write no journal. */
  dryRun?: boolean;
  /** Progress lines (for stderr); never given a value from the data. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  clock?: RetryClock;
  /** Per-request timeout for HTTP APIs. */
  requestTimeoutMs?: number;

  /** HTTP destinations: the API root, so that a test or a proxy can stand in for the platform. */
  apiBase?: string;

  /** meta: the custom audience; google: the product destination id (the audience). */
  audienceId?: string;
  /** meta: add (default), remove, replace, remove-any (from every audience of the ad account); google: add, remove. */
  operation?: MetaOperation;
  /** meta: `act_<id>` or `<id>`, for `remove-any` and for creating the audience. */
  adAccountId?: string;
  /** meta: create an empty CUSTOM audience first (once: the journal remembers it). */
  createAudience?: { name: string; description?: string; customerFileSource?: CustomerFileSource };

  /** google: the operating account (the one that owns the audience). */
  accountId?: string;
  /** google: GOOGLE_ADS (default), DISPLAY_VIDEO_PARTNER, DISPLAY_VIDEO_ADVERTISER, DATA_PARTNER. */
  accountType?: string;
  loginAccountId?: string;
  loginAccountType?: string;
  /** google: the Customer Match terms of service were accepted in the operating account. */
  acceptTerms?: boolean;

  /** liveintent (SFTP). */
  host?: string;
  port?: number;
  user?: string;
  keyFile?: string;
  knownHosts?: string;
  remoteDir?: string;
  /** Wait for each `.status` file at most this long. */
  statusTimeoutMs?: number;
  /** First pause between looks for a `.status` file (it grows up to a minute). */
  statusPollMs?: number;
  /** false: upload and return without waiting for `.status` files. */
  wait?: boolean;
  /** SSH connection timeout. */
  connectTimeoutMs?: number;

  /** newtail (S3). */
  bucket?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Path-style addressing; on by default when an endpoint is given. */
  forcePathStyle?: boolean;
  /** Multipart part size (at least 5 MiB, the S3 minimum). */
  partSizeBytes?: number;
}

/** One destination file as the uploader sees it. */
export interface UploadItem {
  /** Path below `<dir>/<destination>/`, with `/` separators (the S3 key for newtail). */
  file: string;
  path: string;
  bytes: number;
  /** sha256 of the bytes, hex. */
  digest: string;
}

export type ItemStatus = 'sent' | 'already-sent' | 'would-send' | 'would-skip';

export interface UploadItemResult {
  file: string;
  status: ItemStatus;
  bytes: number;
  /** Rows in the file, where cheap to count (always in dry runs). */
  rows?: number;
  /** Sent again because the previous run died with it in flight, unacknowledged. */
  resent?: boolean;
  /** What the platform answered (counts and ids, never values). */
  ack?: Record<string, unknown>;
}

export interface MetaSummary {
  sessionId: string;
  operation: MetaOperation;
  audienceId?: string;
  batches: number;
  /** Last `num_received` (the platform counts it over the session). */
  numReceived: number;
  /** Sum of every batch's `num_invalid_entries`. */
  numInvalidEntries: number;
  /** Up to 100 samples, as the platform returned them (hashes or ids that we sent). */
  invalidEntrySamples: unknown[];
}

/** What LiveIntent's `.status` file said about one data file. */
export interface LiveIntentOutcome {
  file: string;
  state: 'success' | 'error' | 'pending' | 'not-waited';
  transactionId?: string;
  errorCode?: number;
  errorName?: string;
  segments?: { id: string; action?: string; code?: string; records?: number }[];
}

export interface UploadResult {
  destination: DestinationName;
  /** Where it went (endpoint, audience, operation), as the journal keys it; never a secret. */
  target: string;
  dir: string;
  dryRun: boolean;
  files: UploadItemResult[];
  sent: number;
  alreadySent: number;
  /** Files in the folder that are not the destination's own (journal, temp files, strays). */
  ignored: string[];
  meta?: MetaSummary;
  google?: { requestIds: string[] };
  liveintent?: LiveIntentOutcome[];
}

export interface SendContext {
  journal: UploadJournal;
  clock: RetryClock;
  policy: RetryPolicy;
  log: (line: string) => void;
  signal?: AbortSignal;
  dryRun: boolean;
}

/** Checks a sequence of files as they come (a session in order…), before each is sent. */
export interface ItemChecker {
  add(item: UploadItem): Promise<void>;
  /** No more files will come: checks what only the whole set can tell (a last batch…). */
  end(): void;
}

/** What one destination's transport does; the Uploader drives it, with the journal. */
export interface Transport {
  readonly destination: DestinationName;
  /** Secrets held, so that any text printed can be scrubbed of them. */
  readonly secrets: readonly string[];
  /** The journal's target key; valid after `prepare()`. */
  target(): string;
  /** The destination's own files below `root`, in sending order, and the rest. */
  list(root: string): Promise<{ items: string[]; ignored: string[] }>;
  checker(): ItemChecker;
  /** Work before the first file (create the audience, open the connection). */
  prepare(ctx: SendContext): Promise<void>;
  /** Rows in a file, for dry runs and the report, when cheap to tell. */
  countRows(item: UploadItem): Promise<number | undefined>;
  /** Sends one file, retrying inside; resolves with the acknowledgement to journal. */
  send(item: UploadItem, ctx: SendContext, previous: { inFlight: boolean }): Promise<Record<string, unknown>>;
  /** Work after the last file (wait for status files); may add to the result. */
  finish(ctx: SendContext, result: UploadResult): Promise<void>;
  /** Fills in the destination's part of the result from the acknowledgements. */
  summarize(result: UploadResult, acks: readonly JournalEntry[]): void;
  close(): Promise<void>;
}
