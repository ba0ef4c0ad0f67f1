import type { DestinationPreset, ResolvedRunOptions } from '../destinations/types.js';
import { AudienceEtlError } from '../errors.js';
import { parseSegment, validateSegment, type LiveIntentSegment } from '../liveintent/segments.js';
import { parseHashAlgorithm, type HashAlgorithm, type HashEncoding } from '../hash.js';

/** Options of a run as a caller gives them (camelCase; the CLI's kebab-case flags map onto these). */
export interface RunOptions {
  hash?: HashAlgorithm | string;
  encoding?: HashEncoding | string;
  defaultCountry?: string;
  dateFormat?: string;
  phoneMode?: 'lenient' | 'strict';
  batchSize?: number;
  rowsPerFile?: number;
  now?: () => Date;
  random?: () => number;
  sessionId?: bigint | number | string;
  ldu?: boolean | { country?: number; state?: number };
  operation?: 'add' | 'remove' | 'replace';
  partnerId?: string;
  subId?: string;
  /** liveintent segments, as objects or `id:name:action` strings; checked before anything is written. */
  segments?: (LiveIntentSegment | string)[];
  digest?: 'md5' | 'sha1';
  compression?: 'none' | 'gzip' | 'zip';
  prefix?: string;
  delta?: boolean;
}

const DATE_TOKENS = /^(?=.*YYYY)(?=.*MM)(?=.*DD)[YMD/.\- ]+$/;

function positiveInteger(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new AudienceEtlError('BAD_OPTION', `${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

function parseSessionId(value: RunOptions['sessionId']): bigint | undefined {
  if (value === undefined) return undefined;
  let id: bigint;
  try {
    id = BigInt(value);
  } catch {
    throw new AudienceEtlError('BAD_OPTION', `--session-id must be a positive 64-bit integer, got "${value}"`);
  }
  if (id <= 0n || id > 0x7fffffffffffffffn) throw new AudienceEtlError('BAD_OPTION', '--session-id must be a positive 64-bit integer');
  return id;
}

/**
 * Checks a run's options once against its destination and fills in defaults. Each bad value is a
 * BAD_OPTION error naming the option.
 */
export function resolveRunOptions(preset: DestinationPreset, options: RunOptions = {}): ResolvedRunOptions {
  const hash = options.hash === undefined ? preset.hashAlgorithms[0]! : parseHashAlgorithm(options.hash);
  if (hash === undefined || !preset.hashAlgorithms.includes(hash)) {
    throw new AudienceEtlError('BAD_OPTION', `--hash ${options.hash}: ${preset.name} accepts ${preset.hashAlgorithms.join(', ')}`);
  }
  const encoding = (options.encoding ?? preset.encodings[0]!) as HashEncoding;
  if (!preset.encodings.includes(encoding)) {
    throw new AudienceEtlError('BAD_OPTION', `--encoding ${options.encoding}: ${preset.name} accepts ${preset.encodings.join(', ')}`);
  }
  if (options.dateFormat !== undefined && !DATE_TOKENS.test(options.dateFormat)) {
    throw new AudienceEtlError('BAD_OPTION', `--date-format ${options.dateFormat}: use DD, MM and YYYY with separators, e.g. DD/MM/YYYY`);
  }
  if (options.phoneMode !== undefined && options.phoneMode !== 'lenient' && options.phoneMode !== 'strict') {
    throw new AudienceEtlError('BAD_OPTION', `--phone ${options.phoneMode}: use lenient or strict`);
  }
  const ldu = options.ldu === undefined || options.ldu === false ? { enabled: false } : options.ldu === true ? { enabled: true } : { enabled: true, ...options.ldu };
  const operation = options.operation ?? 'add';
  if (!['add', 'remove', 'replace'].includes(operation)) throw new AudienceEtlError('BAD_OPTION', `--operation ${operation}: use add, remove or replace`);
  const digest = options.digest ?? 'md5';
  if (digest !== 'md5' && digest !== 'sha1') throw new AudienceEtlError('BAD_OPTION', `--digest ${digest}: use md5 or sha1`);
  const compression = options.compression ?? 'none';
  if (!['none', 'gzip', 'zip'].includes(compression)) throw new AudienceEtlError('BAD_OPTION', `--compression ${compression}: use none, gzip or zip`);
  return {
    hash,
    encoding,
    defaultCountry: options.defaultCountry,
    dateFormat: options.dateFormat,
    phoneMode: options.phoneMode ?? 'lenient',
    batchSize: positiveInteger('--batch-size', options.batchSize, preset.batchSize.default, preset.batchSize.max),
    rowsPerFile: positiveInteger('--rows-per-file', options.rowsPerFile, preset.rowsPerFile?.default ?? 1_000_000),
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    sessionId: parseSessionId(options.sessionId),
    ldu,
    operation,
    partnerId: options.partnerId,
    subId: options.subId,
    segments: (options.segments ?? []).map((s) => (typeof s === 'string' ? parseSegment(s) : validateSegment(s))),
    digest,
    compression,
    prefix: options.prefix,
    delta: options.delta ?? false,
  };
}
