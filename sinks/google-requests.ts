import { join } from 'node:path';
import type { DestinationSink, EncodedRows, EncoderContext, RowEncoder, SinkContext } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import { appendItems, BatchFileSet, batchSeriesSink, type OpenBody } from './batch-files.js';
import { jsonString } from './json-text.js';

const ADDRESS = ['givenName', 'familyName', 'regionCode', 'postalCode'] as const;

/** A value as JSON: digests the hash stage made need no escaping, only other values go through jsonString. */
function jsonValue(digests: ReadonlySet<string> | undefined, key: string, value: string): string {
  return digests !== undefined && digests.has(key) ? `"${value}"` : jsonString(value);
}

/**
 * One row's audience members: a `userData` member with its identifiers (the address only when
 * all four parts are valid), and a `mobileData` member for a mobile id — the API takes exactly one
 * kind of data per member.
 */
export function googleMembers(row: Row): string[] {
  const v = row.values ?? {};
  const digests = row.hashedBy?.keys;
  const ids: string[] = [];
  if (typeof v.emailAddress === 'string') ids.push(`{"emailAddress":${jsonValue(digests, 'emailAddress', v.emailAddress)}}`);
  if (typeof v.phoneNumber === 'string') ids.push(`{"phoneNumber":${jsonValue(digests, 'phoneNumber', v.phoneNumber)}}`);
  if (ADDRESS.every((k) => typeof v[k] === 'string')) {
    ids.push(`{"address":{${ADDRESS.map((k) => `"${k}":${jsonValue(digests, k, v[k]!)}`).join(',')}}}`);
  }
  const members: string[] = [];
  if (ids.length) members.push(`{"userData":{"userIdentifiers":[${ids.join(',')}]}}`);
  if (typeof v.mobileId === 'string') members.push(`{"mobileData":{"mobileIds":[${jsonValue(digests, 'mobileId', v.mobileId)}]}}`);
  return members;
}

/** Google's format as an encoder (see `EncodedRows`): each item is `,` + one audience member. */
export function googleEncoder(_context: EncoderContext): RowEncoder {
  return (rows) => {
    if (rows.length === 0) return undefined;
    const ends: number[] = [];
    let text = '';
    for (let r = 0; r < rows.length; r++) {
      for (const member of googleMembers(rows[r]!)) {
        text += ',' + member;
        ends.push(text.length);
      }
    }
    return { encoded: 'google', rows: rows.length, text, ends: Uint32Array.from(ends) };
  };
}

/**
 * Google's sink: request bodies `{"audienceMembers": [...], "encoding": "HEX"|"BASE64"}` of at most
 * `batchSize` members each, as `<out>/google/request-000001.json`, … written as members arrive.
 */
export function googleRequestSink(context: SinkContext): DestinationSink {
  const { options, stats, preset } = context;
  const files = new BatchFileSet(join(context.outDir, 'google'), 'request-');
  const perRequest = Math.min(options.batchSize, preset.batchSize.max);
  const tail = `],"encoding":"${options.encoding === 'base64' ? 'BASE64' : 'HEX'}"}\n`;
  /** The request being written: its file, its member count. */
  let current: OpenBody | undefined;
  const body = {
    current: () => current,
    open: async () => {
      const { writer } = await files.begin();
      await writer.write('{"audienceMembers":[');
      return (current = { writer, count: 0 });
    },
    close: async () => {
      if (current === undefined) return;
      const { writer } = current;
      current = undefined;
      await writer.write(tail);
      await writer.close();
    },
  };
  /** Members as `EncodedRows` holds them, cut into requests of at most `perRequest`. */
  const append = (encoded: EncodedRows) => appendItems(encoded, perRequest, body);

  const encode = googleEncoder({ preset, options, fields: [], reject: () => undefined });

  return batchSeriesSink(files, 'google', {
    writeRows: async (rows) => {
      const encoded = encode(rows);
      if (encoded) await append(encoded);
      stats.rowsOut += rows.length;
    },
    writeEncoded: async (chunk: EncodedRows) => {
      if (chunk.encoded !== 'google') throw new AudienceEtlError('INVARIANT', `the google sink got rows encoded for ${chunk.encoded}`);
      await append(chunk);
      stats.rowsOut += chunk.rows;
    },
    finish: body.close,
  });
}
