/**
 * The one error class of the product, with a closed set of codes and a typed position.
 * Messages stand on their own and never carry a record, a field value or raw input bytes.
 */
export const ERROR_CODES = [
  'BAD_OPTION', // an option or flag with a wrong value, or an unknown one
  'UNKNOWN_DESTINATION',
  'MISSING_COLUMN', // the input lacks a column the destination needs
  'INPUT_NOT_FOUND',
  'TRUNCATED_INPUT', // a .gz / .bz2 / .zip that ends early or fails its checksum
  'BAD_COMPRESSION', // compressed data that cannot be decoded
  'CSV_SYNTAX', // a malformed quote, an unclosed quoted field
  'JSON_SYNTAX',
  'BAD_ENCODING', // bytes that are not UTF-8
  'IO', // a read, write or rename that failed
  'INVARIANT', // rows_in != rows_out + rows_rejected: a bug, never expected
  'UPLOAD', // a transport refused or failed for good
  'VALIDATION', // a file refused by a destination's validator
  'INTERRUPTED', // a run stopped by its AbortSignal (the CLI's: SIGINT or SIGTERM)
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPosition {
  file?: string;
  line?: number;
  column?: number;
  /** Byte offset from the start of the (decompressed) input, 0-based. */
  byte?: number;
  stage?: string;
}

export class AudienceEtlError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly byte: number | undefined;
  readonly stage: string | undefined;

  constructor(code: ErrorCode, message: string, position: ErrorPosition = {}, options?: { cause?: unknown }) {
    super(message + describePosition(position), options);
    this.name = 'AudienceEtlError';
    this.code = code;
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
    this.byte = position.byte;
    this.stage = position.stage;
  }
}

/** " at line 2, column 3 (byte 41) of customers.csv" — empty when nothing is known. */
export function describePosition(p: ErrorPosition): string {
  const parts: string[] = [];
  if (p.line !== undefined) parts.push(`line ${p.line}` + (p.column !== undefined ? `, column ${p.column}` : ''));
  if (p.byte !== undefined) parts.push(parts.length ? `(byte ${p.byte})` : `byte ${p.byte}`);
  let out = parts.length ? ` at ${parts.join(' ')}` : '';
  if (p.file !== undefined) out += `${out ? ' of' : ' in'} ${p.file}`;
  return out;
}

export function isAudienceEtlError(err: unknown): err is AudienceEtlError {
  return err instanceof AudienceEtlError;
}

/** Wraps any error as one of ours, keeping only its message (which must not hold PII). */
export function asAudienceEtlError(err: unknown, code: ErrorCode, position: ErrorPosition = {}): AudienceEtlError {
  if (err instanceof AudienceEtlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AudienceEtlError(code, message, position, { cause: err });
}
