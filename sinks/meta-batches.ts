import { join } from 'node:path';
import type { DestinationSink, KeySpec, SinkContext } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import { BatchFileSet, batchSeriesSink, type BodyWriter } from './batch-files.js';

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

interface Schema {
  keys: readonly KeySpec[];
  dpo: boolean;
  country: boolean;
  state: boolean;
  /** Canonical fields this schema covers, to notice a row that provides more. */
  fields: ReadonlySet<string>;
  names: string[];
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
  let schema: Schema | undefined;

  const schemaFor = (present: ReadonlySet<string>): Schema => {
    const chosen = keys.filter((k) => present.has(k.field) || k.alsoFrom?.some((f) => present.has(f)));
    const dpo = options.ldu.enabled || present.has('data_processing_options');
    const country = dpo && (options.ldu.country !== undefined || present.has('data_processing_options_country'));
    const state = dpo && (options.ldu.state !== undefined || present.has('data_processing_options_state'));
    const names = chosen.map((k) => k.key);
    if (dpo) names.push(DPO);
    if (country) names.push(DPO_COUNTRY);
    if (state) names.push(DPO_STATE);
    return { keys: chosen, dpo, country, state, fields: present, names };
  };

  const covers = (s: Schema, fields: Readonly<Record<string, string>>): boolean => {
    for (const field in fields) if (!s.fields.has(field)) return false;
    return true;
  };

  const serialize = (s: Schema, row: Row): string => {
    const values = row.values ?? {};
    let line = '[';
    for (let k = 0; k < s.keys.length; k++) {
      const value = values[s.keys[k]!.key];
      // Hashes, MADIDs and most ids need no escaping; JSON.stringify handles the rest.
      line += (k ? ',' : '') + (typeof value === 'string' ? JSON.stringify(value) : '""');
    }
    if (s.dpo) {
      const own = row.fields.data_processing_options;
      const ldu = own !== undefined && own.trim() !== '' ? /\bLDU\b/i.test(own) : options.ldu.enabled;
      line += (s.keys.length ? ',' : '') + (ldu ? '["LDU"]' : '[]');
      if (s.country) line += ',' + String(ldu ? locationCode(row.fields.data_processing_options_country, options.ldu.country) : 0);
      if (s.state) line += ',' + String(ldu ? locationCode(row.fields.data_processing_options_state, options.ldu.state) : 0);
    }
    return line + ']';
  };

  /** The batch being written: its file, its row count. */
  let current: { writer: BodyWriter; rows: number } | undefined;

  const openBatch = async (s: Schema) => {
    const { n, writer } = await files.begin();
    const head = `{"session":{"session_id":${sessionId},"batch_seq":${n},"last_batch_flag":`;
    const mid = 'false,"estimated_num_total":';
    offsets.push({ flag: head.length, total: head.length + mid.length });
    await writer.write(`${head}${mid}${' '.repeat(TOTAL_WIDTH)}},"payload":{"schema":${JSON.stringify(s.names)},"data":[`);
    current = { writer, rows: 0 };
  };

  const closeBatch = async () => {
    if (current === undefined) return;
    const { writer, rows } = current;
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
        schema = schemaFor(present);
      }
      if (current === undefined) await openBatch(schema);
      text += (current!.rows++ ? ',' : '') + serialize(schema, row);
      if (current!.rows >= batchSize) {
        await current!.writer.write(text);
        text = '';
        await closeBatch();
      }
    }
    if (text && current) await current.writer.write(text);
  };

  return batchSeriesSink(files, 'meta', {
    writeRows,
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
