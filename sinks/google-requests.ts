import { join } from 'node:path';
import type { DestinationSink, SinkContext } from '../src/destinations/types.js';
import type { Row } from '../src/model/row.js';
import { BatchFileSet, batchSeriesSink } from './batch-files.js';

const ADDRESS = ['givenName', 'familyName', 'regionCode', 'postalCode'] as const;

/**
 * One row's audience members: a `userData` member with its identifiers (the address only when
 * all four parts are valid), and a `mobileData` member for a mobile id — the API takes exactly one
 * kind of data per member.
 */
export function googleMembers(row: Row): string[] {
  const v = row.values ?? {};
  const ids: string[] = [];
  if (typeof v.emailAddress === 'string') ids.push(`{"emailAddress":${JSON.stringify(v.emailAddress)}}`);
  if (typeof v.phoneNumber === 'string') ids.push(`{"phoneNumber":${JSON.stringify(v.phoneNumber)}}`);
  if (ADDRESS.every((k) => typeof v[k] === 'string')) {
    ids.push(`{"address":{${ADDRESS.map((k) => `"${k}":${JSON.stringify(v[k])}`).join(',')}}}`);
  }
  const members: string[] = [];
  if (ids.length) members.push(`{"userData":{"userIdentifiers":[${ids.join(',')}]}}`);
  if (typeof v.mobileId === 'string') members.push(`{"mobileData":{"mobileIds":[${JSON.stringify(v.mobileId)}]}}`);
  return members;
}

/**
 * Google's sink: request bodies `{"audienceMembers": [...], "encoding": "HEX"|"BASE64"}` of at most
 * `batchSize` members each, as `<out>/google/request-000001.json`, …
 */
export function googleRequestSink(context: SinkContext): DestinationSink {
  const { options, stats, preset } = context;
  const files = new BatchFileSet(join(context.outDir, 'google'), 'request-');
  const perRequest = Math.min(options.batchSize, preset.batchSize.max);
  const encoding = options.encoding === 'base64' ? 'BASE64' : 'HEX';
  let members: string[] = [];

  const flushRequest = async (count: number) => {
    const part = members.slice(0, count);
    members = members.slice(count);
    await files.add(`{"audienceMembers":[${part.join(',')}],"encoding":"${encoding}"}\n`);
  };

  const writeRows = async (rows: readonly Row[]) => {
    for (const row of rows) {
      for (const m of googleMembers(row)) members.push(m);
      stats.rowsOut++;
    }
    while (members.length >= perRequest) await flushRequest(perRequest);
  };

  return batchSeriesSink(files, 'google', {
    writeRows,
    finish: async () => {
      if (members.length) await flushRequest(members.length);
    },
  });
}
