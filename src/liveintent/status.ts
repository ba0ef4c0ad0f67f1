/**
 * The `<filename>.status` file LiveIntent writes to the SFTP directory after it has validated the
 * metadata and after it has processed the data file. This module reads it into a typed result.
 *
 * Stable API (the SFTP uploader and `audience-etl status liveintent FILE` use it):
 * `parseLiveIntentStatus(text, file?)`, `readLiveIntentStatus(path)`, `describeLiveIntentStatus()`,
 * the `LiveIntentStatus` union and `LIVEINTENT_ERRORS`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AudienceEtlError } from '../errors.js';

/** The error codes of the document's table, in order; 5 is "reserved". */
export const LIVEINTENT_ERRORS = [
  { code: 0, name: 'INTERNAL_ERROR', meaning: 'Internal error' },
  { code: 1, name: 'REQUEST_NOT_WELL_FORMED', meaning: 'Request not well formed' },
  { code: 2, name: 'PARTNER_ID_INVALID', meaning: 'Partner id invalid or missing' },
  { code: 3, name: 'SUB_ID_INVALID', meaning: 'Sub id invalid or missing' },
  { code: 4, name: 'FILENAME_HAS_SLASH', meaning: 'Filename contains slash characters' },
  { code: 5, name: 'RESERVED', meaning: 'reserved' },
  { code: 6, name: 'FILE_NOT_FOUND', meaning: 'File not found' },
  { code: 7, name: 'CHECKSUM_FAILED', meaning: 'File checksum validation failed' },
  { code: 8, name: 'NO_VALID_RECORDS', meaning: 'File has no valid records' },
] as const;

export type LiveIntentErrorCode = (typeof LIVEINTENT_ERRORS)[number]['code'];
export type LiveIntentErrorName = (typeof LIVEINTENT_ERRORS)[number]['name'];

/** The `file` object echoed back on success (the metadata the partner sent). */
export interface LiveIntentStatusFile {
  name: string;
  hash: string;
  digest: string;
  date: string;
  records: number;
}

/** One segment's outcome on success. `code` is kept as LiveIntent wrote it: its values are not documented. */
export interface LiveIntentSegmentStatus {
  id: string;
  action: string | undefined;
  code: string;
  records: number;
}

export interface LiveIntentSuccess {
  ok: true;
  transactionId: string;
  partnerId: string | undefined;
  subId: string | undefined;
  file: LiveIntentStatusFile | undefined;
  segments: LiveIntentSegmentStatus[];
}

export interface LiveIntentFailure {
  ok: false;
  code: LiveIntentErrorCode;
  /** A stable name for the code, for programs and logs. */
  name: LiveIntentErrorName;
  /** The documented meaning of the code. */
  meaning: string;
  /** The `description` LiveIntent wrote, which may differ in wording from `meaning`. */
  description: string | undefined;
}

export type LiveIntentStatus = LiveIntentSuccess | LiveIntentFailure;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the text of a status file. Follows the document's two shapes: `{"error": {"code",
 * "description"}}`, and the success object with `transaction_id`, `file` and `segments`.
 * Numbers written as strings are accepted (the document's own example has `"code" : " 8"`).
 * Throws `JSON_SYNTAX` on text that is not JSON and `VALIDATION` on JSON of neither shape or
 * an error code outside 0–8; messages never repeat the file's content.
 */
export function parseLiveIntentStatus(text: string, file?: string): LiveIntentStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // V8's message quotes the text itself; the error says only what was wrong.
    throw new AudienceEtlError('JSON_SYNTAX', 'LiveIntent status is not valid JSON', { file });
  }
  const bad = (what: string): AudienceEtlError =>
    new AudienceEtlError('VALIDATION', `LiveIntent status ${what}`, { file });
  if (!isObject(doc)) throw bad('is not a JSON object');

  if (doc.error !== undefined) {
    if (!isObject(doc.error)) throw bad('has an "error" that is not an object');
    const code = toInteger(doc.error.code);
    const known = LIVEINTENT_ERRORS.find((e) => e.code === code);
    if (known === undefined) throw bad(`has an unknown error code ${describeValue(doc.error.code)} (documented: 0–8)`);
    const description = typeof doc.error.description === 'string' ? doc.error.description : undefined;
    return { ok: false, code: known.code, name: known.name, meaning: known.meaning, description };
  }

  const transactionId = toText(doc.transaction_id);
  if (transactionId === undefined) throw bad('has neither "error" nor "transaction_id"');
  if (doc.segments !== undefined && !Array.isArray(doc.segments)) throw bad('has "segments" that is not an array');
  const segments = ((doc.segments ?? []) as unknown[]).map((raw, i): LiveIntentSegmentStatus => {
    if (!isObject(raw)) throw bad(`segment ${i + 1} is not an object`);
    const id = toText(raw.id);
    const code = toText(raw.code);
    const records = toInteger(raw.records);
    if (id === undefined) throw bad(`segment ${i + 1} has no "id"`);
    if (code === undefined) throw bad(`segment ${id} has no "code"`);
    if (records === undefined) throw bad(`segment ${id} has no integer "records"`);
    return { id, action: toText(raw.action), code, records };
  });
  return {
    ok: true,
    transactionId,
    partnerId: toText(doc.partner_id),
    subId: toText(doc.sub_id),
    file: parseFile(doc.file),
    segments,
  };
}

/** Reads and parses a status file; the error position names the file by its base name. */
export async function readLiveIntentStatus(path: string): Promise<LiveIntentStatus> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'INPUT_NOT_FOUND' : 'IO';
    throw new AudienceEtlError(code, `cannot read LiveIntent status file (${(err as Error).message})`, {}, { cause: err });
  }
  return parseLiveIntentStatus(text, basename(path));
}

/** Readable lines for a terminal or a log: no PII is ever in a status file, only ids and counts. */
export function describeLiveIntentStatus(status: LiveIntentStatus): string[] {
  if (!status.ok) {
    const lines = [`LiveIntent error ${status.code} ${status.name}: ${status.meaning}`];
    if (status.description !== undefined && status.description.trim() !== status.meaning) {
      lines.push(`  description: ${status.description.trim()}`);
    }
    return lines;
  }
  const lines = [`LiveIntent success, transaction ${status.transactionId}`];
  if (status.file !== undefined) {
    lines.push(`  file ${status.file.name} (${status.file.hash} ${status.file.digest}, ${status.file.date}): ${status.file.records} records`);
  }
  for (const s of status.segments) {
    lines.push(`  segment ${s.id}${s.action === undefined ? '' : ` ${s.action}`}: code ${s.code}, ${s.records} records`);
  }
  return lines;
}

function parseFile(raw: unknown): LiveIntentStatusFile | undefined {
  if (!isObject(raw)) return undefined;
  return {
    name: toText(raw.name) ?? '',
    hash: toText(raw.hash) ?? '',
    digest: toText(raw.digest) ?? '',
    date: toText(raw.date) ?? '',
    records: toInteger(raw.records) ?? 0,
  };
}

/** A string, or a number written without quotes, trimmed; undefined when absent or empty. */
function toText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** A non-negative integer given as a number or as digits in a string (`" 8"`). */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** Names an unexpected value briefly, without echoing long content. */
function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}
