/**
 * audience-etl's public entry: the stages, the destination presets, the normalizer and hash
 * functions (usable row by row), and `runDestination()`, which the CLI itself uses.
 */
export { runDestination } from './pipeline/run.js';
export type { RunDestinationOptions, RunResult, RunReport, RunProgress } from './pipeline/run.js';
export { resolveRunOptions } from './pipeline/options.js';
export type { RunOptions } from './pipeline/options.js';
export { detectFormat, parserFor, INPUT_FORMATS } from './pipeline/format.js';
export type { InputFormat } from './pipeline/format.js';

export { DESTINATIONS, getDestination } from './destinations/index.js';
export { meta } from './destinations/meta.js';
export { google } from './destinations/google.js';
export type { DestinationPreset, DestinationName, KeySpec, SinkContext, DestinationSink, ResolvedRunOptions } from './destinations/types.js';

export { AudienceEtlError, ERROR_CODES, isAudienceEtlError } from './errors.js';
export type { ErrorCode, ErrorPosition } from './errors.js';
export { hashValue, detectHashed, encodeDigest, hashPattern, HASH_ALGORITHMS, HASH_ENCODINGS } from './hash.js';
export type { HashAlgorithm, HashEncoding } from './hash.js';
export { CANONICAL_FIELDS, FIELD_ALIASES, fieldForColumn } from './model/fields.js';
export type { CanonicalField } from './model/fields.js';
export type { Row, RowChunk } from './model/row.js';
export { RunStats } from './model/stats.js';
export type { StatsReport, FieldCounts, RejectEntry } from './model/stats.js';
export { REJECT_REASONS } from './model/reasons.js';
export type { RejectReason } from './model/reasons.js';
export * from './normalize/index.js';
export type { Normalizer, NormalizeContext } from './normalize/types.js';
export { makeContext } from './normalize/types.js';

export { openInput } from '../sources/input.js';
export { detectCompression } from '../sources/sniff.js';
export { parseCsv, CsvEngine, detectDelimiter } from '../transforms/parse-csv.js';
export { parseJsonArray, JsonArrayEngine } from '../transforms/parse-json.js';
export { parseNdjson, NdjsonEngine } from '../transforms/parse-ndjson.js';
export { mapColumns, ColumnMapper } from '../transforms/map.js';
export { normalize, RowNormalizer } from '../transforms/normalize.js';
export { hash, RowHasher } from '../transforms/hash.js';
export { validate, RowValidator } from '../transforms/validate.js';
export { batch } from '../transforms/batch.js';
export { metaBatchSink } from '../sinks/meta-batches.js';
export { googleRequestSink, googleMembers } from '../sinks/google-requests.js';
export { AtomicFile, writeFileAtomic } from '../sinks/atomic-file.js';

export { liveintent } from './destinations/liveintent.js';
export { liveIntentSink } from '../sinks/liveintent.js';
export { parseSegment, validateSegment } from './liveintent/segments.js';
export type { LiveIntentSegment } from './liveintent/segments.js';
export { parseLiveIntentStatus, readLiveIntentStatus, describeLiveIntentStatus, LIVEINTENT_ERRORS } from './liveintent/status.js';
export type { LiveIntentStatus } from './liveintent/status.js';

export { uploadDestination, createTransport, DEFAULT_RETRY_POLICY } from './upload/index.js';
export type { UploadOptions, UploadResult, MetaSummary, LiveIntentOutcome, UploadItemResult, RetryPolicy } from './upload/index.js';
export { uploadSink } from '../sinks/transports/upload-sink.js';
export type { UploadSink } from '../sinks/transports/upload-sink.js';
export { s3Sink } from '../sinks/transports/s3.js';
export { liveIntentSftpSink } from '../sinks/transports/sftp.js';
export { metaApiSink, googleApiSink, dataxApiSink } from '../sinks/transports/http.js';
