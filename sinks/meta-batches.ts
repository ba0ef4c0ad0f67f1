import { join } from 'node:path';
import type { DestinationSink, EncodedRows, EncoderContext, KeySpec, ResolvedRunOptions, RowEncoder, SinkContext } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import { appendItems, BatchFileSet, batchSeriesSink, type OpenBody } from './batch-files.js';
import { jsonString } from './json-text.js';

/** `estimated_num_total` is written right-aligned in this many characters and patched at the end. */
const TOTAL_WIDTH = 20;

/** A positive 63-bit session id from the run's random source. */
export function randomSessionId(random: () => number): bigint {
  const high = BigInt(Math.floor(random() * 0x7fffffff));
  const low = BigInt(Math.floor(random() * 0x100000000));
  const id = (high << 32n) | low;
  return id === 0n ? 1n : id;
}

const DPO = 'DATA_PROCESSING_OPTIONS';
const DPO_COUNTRY = 'DATA_PROCESSING_OPTIONS_COUNTRY';
const DPO_STATE = 'DATA_PROCESSING_OPTIONS_STATE';

/** An integer location code from an input column or an option; 0 lets Meta geolocate. */
function locationCode(raw: string | undefined, fallback: number | undefined): number {
  if (raw !== undefined && /^\s*\d+\s*$/.test(raw)) return Number(raw);
  return fallback ?? 0;
}

/** A Meta schema: the keys a batch carries, in the preset's order, plus the LDU columns. */
export interface MetaSchema {
  keys: readonly KeySpec[];
  dpo: boolean;
  country: boolean;
  state: boolean;
  /** Canonical fields this schema covers, to notice a row that provides more. */
  fields: ReadonlySet<string>;
  names: string[];
  /** One row of `data` in this schema (see `metaRowWriter`). */
  row: (row: Row) => string;
}

type Ldu = ResolvedRunOptions['ldu'];

/** The schema for rows that provide `present` canonical fields. */
export function metaSchema(keys: readonly KeySpec[], ldu: Ldu, present: ReadonlySet<string>): MetaSchema {
  const chosen = keys.filter((k) => present.has(k.field) || k.alsoFrom?.some((f) => present.has(f)));
  const dpo = ldu.enabled || present.has('data_processing_options');
  const country = dpo && (ldu.country !== undefined || present.has('data_processing_options_country'));
  const state = dpo && (ldu.state !== undefined || present.has('data_processing_options_state'));
  const names = chosen.map((k) => k.key);
  if (dpo) names.push(DPO);
  if (country) names.push(DPO_COUNTRY);
  if (state) names.push(DPO_STATE);
  const schema: MetaSchema = { keys: chosen, dpo, country, state, fields: present, names, row: () => '' };
  schema.row = metaRowWriter(schema, ldu);
  return schema;
}

/** The LDU columns of a row, each after a comma: `,["LDU"],1,1000` or `,[]`…. */
function lduColumns(schema: MetaSchema, row: Row, ldu: Ldu): string {
  const own = row.fields.data_processing_options;
  const limited = own !== undefined && own.trim() !== '' ? /\bLDU\b/i.test(own) : ldu.enabled;
  let line = limited ? ',["LDU"]' : ',[]';
  if (schema.country) line += ',' + String(limited ? locationCode(row.fields.data_processing_options_country, ldu.country) : 0);
  if (schema.state) line += ',' + String(limited ? locationCode(row.fields.data_processing_options_state, ldu.state) : 0);
  return line;
}

/**
 * One row of `data` in `schema`: `["<hash>","",…]`, by a function made for the schema with
 * `new Function`, so that each key is read by a constant name (a loop over keys went megamorphic).
 * Digests the hash stage made need no escaping, so only the other values go through jsonString;
 * which keys hold digests is looked up once per hash signature, not per row. Each value is one
 * template: V8 then joins its parts in one string, where `+=` part by part built a deeper rope that
 * flattening (to UTF-8, for the sink) walks node by node. Keys are quoted as JSON.
 */
function metaRowWriter(schema: MetaSchema, ldu: Ldu): (row: Row) => string {
  const keys = schema.keys.map((spec) => JSON.stringify(spec.key));
  const flags = keys.map((_, k) => `d${k}`);
  const values = keys.map((key, k) => {
    const comma = k ? ',' : '';
    return `value = values[${key}];
      line += typeof value !== 'string' ? '${comma}""' : d${k} ? \`${comma}"\${value}"\` : \`${comma}\${jsonString(value)}\`;`;
  });
  const body = `let signature = null;
    ${flags.length ? `let ${flags.join(', ')};` : ''}
    return function metaRow(row) {
      const values = row.values ?? {};
      if (row.hashedBy !== signature) {
        signature = row.hashedBy;
        const digests = signature?.keys;
        ${keys.map((key, k) => `d${k} = digests !== undefined && digests.has(${key});`).join('\n')}
      }
      let value;
      let line = '[';
      ${values.join('\n')}
      ${schema.dpo ? `line += ${keys.length ? 'ldu(row)' : 'ldu(row).slice(1)'};` : ''}
      return line + ']';
    };`;
  return new Function('jsonString', 'ldu', body)(jsonString, (row: Row) => lduColumns(schema, row, ldu)) as (row: Row) => string;
}

/**
 * Meta's format as an encoder (see `EncodedRows`): each item is `,` + one row of `data`, so the
 * sink writes a whole run of rows as one slice, dropping the comma of a batch's first row.
 */
export function metaEncoder(context: EncoderContext): RowEncoder {
  const schema = metaSchema(context.preset.keys, context.options.ldu, new Set(context.fields));
  return (rows) => {
    if (rows.length === 0) return undefined;
    const ends = new Uint32Array(rows.length);
    let text = '';
    for (let r = 0; r < rows.length; r++) {
      text += ',' + schema.row(rows[r]!);
      ends[r] = text.length;
    }
    return { encoded: 'meta', rows: rows.length, text, ends, fields: context.fields };
  };
}

/**
 * Meta's sink: one request body per batch of at most `batchSize` rows,
 * `{"session": {...}, "payload": {"schema": [...], "data": [[...]]}}`, in `<out>/meta/`.
 * The schema holds the keys the input provides, in the preset's order. Rows are serialized as they
 * arrive (so they die young); a row that provides a key the current schema lacks (JSON inputs with
 * varying keys) closes the batch early and starts one with the wider schema. The total and the
 * last-batch flag are only known at the end, so they are written fixed-width and patched in place
 * before the series is renamed into place.
 */
export function metaBatchSink(context: SinkContext): DestinationSink {
  const { options, stats, preset } = context;
  const files = new BatchFileSet(join(context.outDir, 'meta'), 'batch-');
  const sessionId = options.sessionId ?? randomSessionId(options.random);
  if (sessionId <= 0n || sessionId > 0x7fffffffffffffffn) {
    throw new AudienceEtlError('BAD_OPTION', '--session-id must be a positive 64-bit integer');
  }
  const batchSize = Math.min(options.batchSize, preset.batchSize.max);
  const keys: readonly KeySpec[] = preset.keys;
  /** Byte offsets, per batch, of the `false` flag and of the padded total. */
  const offsets: { flag: number; total: number }[] = [];
  let total = 0;
  let schema: MetaSchema | undefined;

  const covers = (s: MetaSchema, fields: Readonly<Record<string, string>>): boolean => {
    for (const field in fields) if (!s.fields.has(field)) return false;
    return true;
  };

  /** The batch being written: its file, its row count. */
  let current: OpenBody | undefined;

  const openBatch = async (s: MetaSchema) => {
    const { n, writer } = await files.begin();
    const head = `{"session":{"session_id":${sessionId},"batch_seq":${n},"last_batch_flag":`;
    const mid = 'false,"estimated_num_total":';
    offsets.push({ flag: head.length, total: head.length + mid.length });
    await writer.write(`${head}${mid}${' '.repeat(TOTAL_WIDTH)}},"payload":{"schema":${JSON.stringify(s.names)},"data":[`);
    current = { writer, count: 0 };
    return current;
  };

  const closeBatch = async () => {
    if (current === undefined) return;
    const { writer, count: rows } = current;
    current = undefined;
    await writer.write(']}}\n');
    await writer.close();
    total += rows;
    stats.rowsOut += rows;
  };

  const writeRows = async (rows: readonly Row[]) => {
    let text = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (schema === undefined || !covers(schema, row.fields)) {
        const present = new Set(schema?.fields ?? []);
        for (const field in row.fields) present.add(field);
        if (current) await current.writer.write(text);
        text = '';
        await closeBatch();
        schema = metaSchema(keys, options.ldu, present);
      }
      if (current === undefined) await openBatch(schema);
      text += (current!.count++ ? ',' : '') + schema.row(row);
      if (current!.count >= batchSize) {
        await current!.writer.write(text);
        text = '';
        await closeBatch();
      }
    }
    if (text && current) await current.writer.write(text);
  };

  /** Encoded rows: runs of whole rows sliced straight into the batches. */
  let encodedSchema: { fields: string; schema: MetaSchema } | undefined;
  const writeEncoded = async (chunk: EncodedRows) => {
    if (chunk.encoded !== 'meta' || chunk.fields === undefined) throw new AudienceEtlError('INVARIANT', `the meta sink got rows encoded for ${chunk.encoded}`);
    // Chunks from worker threads carry copies of the same fields: compare them by value.
    const fields = chunk.fields.join(',');
    if (encodedSchema?.fields !== fields) encodedSchema = { fields, schema: metaSchema(keys, options.ldu, new Set(chunk.fields)) };
    const wanted = encodedSchema.schema;
    if (schema !== wanted) {
      // A batch holds one schema: a different one (rows from another input) starts a new batch.
      if (schema === undefined || schema.names.join() !== wanted.names.join()) await closeBatch();
      schema = wanted;
    }
    await appendItems(chunk, batchSize, { current: () => current, open: () => openBatch(wanted), close: closeBatch });
  };

  return batchSeriesSink(files, 'meta', {
    writeRows,
    writeEncoded,
    finish: async () => {
      await closeBatch();
      const count = files.count;
      const padded = String(total).padStart(TOTAL_WIDTH, ' ');
      for (let n = 1; n <= count; n++) {
        await files.patch(n, offsets[n - 1]!.total, padded);
        if (n === count) await files.patch(n, offsets[n - 1]!.flag, 'true ');
      }
    },
  });
}
