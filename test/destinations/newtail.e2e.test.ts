import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { newtailStatePath } from '../../sinks/newtail.js';
import { newtail } from '../../src/destinations/newtail.js';
import { hashValue } from '../../src/hash.js';
import { RunStats } from '../../src/model/stats.js';
import { parserFor } from '../../src/pipeline/format.js';
import { resolveRunOptions } from '../../src/pipeline/options.js';
import { runDestination } from '../../src/pipeline/run.js';
import { openInput } from '../../sources/input.js';
import { batch } from '../../transforms/batch.js';
import { delta } from '../../transforms/delta.js';
import { hash } from '../../transforms/hash.js';
import { mapColumns } from '../../transforms/map.js';
import { normalize } from '../../transforms/normalize.js';
import { validate } from '../../transforms/validate.js';
import { readParquet } from '../sinks/parquet-reader.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const NOW = new Date('2024-05-06T12:00:00Z');
const EPOCH = 1714996800;

const HEADER = 'id,Email,phone,cpf,first_name,last_name,sex,birth_date,cep,country,uf,cidade,bairro,audiences,nbo_products,nbo_categories';
const CSV = [
  HEADER,
  'C1, Allan@Example.com ,(11) 98765-4321,529.982.247-25, Allan ,Silva,Masculino,1990-05-06,01310-100,Brasil,SP,São Paulo,Bela Vista, vip ;new,SKU1;SKU2,Books>Gastronomy;Tablets',
  'C2,,,529.982.247-26,,,,,,,,,,,,',
  'C3,bad-email,,,,,F,,,,,,,,,',
  ',x@y.co,,,,,,,,,,,,,,',
  'C4,c4@example.com,,,,,,,,,,,,,,',
].join('\n');

describe('runDestination newtail', () => {
  it('writes Snappy Parquet at newtail/<PREFIX>/audiences/YYYY/mm/dd/<TIMESTAMP>.parquet.snappy, rows accounted for', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    writeFileSync(input, CSV + '\n');
    const out = join(dir, 'out');
    const result = await runDestination({ destination: newtail, input, out, prefix: 'acme', rowsPerFile: 2, now: () => NOW });
    expect(result.stats).toMatchObject({ rows_in: 5, rows_out: 3, rows_rejected: 2, balanced: true });
    expect(result.stats.rejects).toEqual({ no_match_key: 1, missing_required_key: 1 });
    expect(result.stats.fields.SOCIAL_ID_HASHED).toMatchObject({ valid: 1, invalid: 1 });
    expect(result.files).toEqual([
      `newtail/acme/audiences/2024/05/06/${EPOCH}.parquet.snappy`,
      `newtail/acme/audiences/2024/05/06/${EPOCH + 1}.parquet.snappy`,
    ]);
    const rows = [];
    for (const file of result.files) {
      const back = await readParquet(join(out, file));
      expect(new Set(back.codecs)).toEqual(new Set(['SNAPPY']));
      expect(back.schema.find((c) => c.name === 'AGE')!.type).toBe('INT32');
      rows.push(...back.rows);
    }
    expect(rows.map((r) => r.CUSTOMER_ID)).toEqual(['C1', 'C3', 'C4']);
    expect(rows[0]).toEqual({
      CUSTOMER_ID: 'C1',
      EMAIL_HASHED: hashValue('allan@example.com'),
      PHONE_HASHED: hashValue('+5511987654321'),
      SOCIAL_ID_HASHED: hashValue('52998224725'),
      FIRST_NAME_HASHED: '5fd726bc56c3e86906cba8814a9b97d97f2ab209c48d2441ca5ac9e52b09e630',
      LAST_NAME_HASHED: hashValue('silva'),
      GENDER: 'M',
      AGE: 34,
      CEP: '01310100',
      COUNTRY: 'BR',
      STATE: 'SP',
      CITY: 'São Paulo',
      NEIGHBORHOOD: 'Bela Vista',
      AUDIENCES: 'vip;new',
      NBO_PRODUCTS: 'SKU1;SKU2',
      NBO_CATEGORIES: 'Books > Gastronomy;Tablets',
    });
    expect(rows[1]).toMatchObject({ CUSTOMER_ID: 'C3', EMAIL_HASHED: null, GENDER: 'F', AGE: null });
    // No raw PII in the report or the rejects.
    const side = readFileSync(result.reportPath, 'utf8') + readFileSync(result.rejectsPath, 'utf8');
    for (const pii of ['Allan', 'allan', '98765', '529.982', 'bad-email', 'x@y.co']) expect(side).not.toContain(pii);
  });

  it('refuses a missing or unsafe --prefix with BAD_OPTION and writes no Newtail output', async () => {
    const dir = tempDir();
    const input = join(dir, 'customers.csv');
    writeFileSync(input, CSV + '\n');
    for (const prefix of [undefined, '../escape', 'a b']) {
      const out = join(dir, `out-${String(prefix).replace(/\W/g, '')}`);
      await expect(runDestination({ destination: newtail, input, out, prefix, now: () => NOW })).rejects.toMatchObject({ code: 'BAD_OPTION' });
      expect(existsSync(join(out, 'newtail'))).toBe(false);
      expect(existsSync(join(dir, 'escape'))).toBe(false);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
    }
  });
});

/**
 * The delta wiring the pipeline uses when `delta` is set: the delta stage after validate, before
 * batch and the sink; `commit()` once the sink has finished.
 */
async function runDelta(input: string, out: string, now: Date, crashBeforeCommit = false) {
  const stats = new RunStats();
  const options = resolveRunOptions(newtail, { prefix: 'acme', delta: true, now: () => now });
  const opened = await openInput(input);
  const stage = delta({ statePath: newtailStatePath(out, 'acme'), idKey: 'CUSTOMER_ID', keys: newtail.keys.map((k) => k.key), stats, now: options.now });
  const sink = newtail.sink({ outDir: out, preset: newtail, options, stats });
  await pipeline(
    opened.stream,
    parserFor('csv', { file: opened.name, stats }),
    mapColumns({}),
    normalize({ preset: newtail, now: options.now }),
    hash({ keys: newtail }),
    validate({ preset: newtail, stats }),
    stage,
    batch({ size: 2 }),
    sink,
  );
  if (!crashBeforeCommit) await stage.commit();
  return { stats, files: sink.result().files, counts: stage.counts() };
}

async function idsIn(out: string, files: string[]): Promise<unknown[]> {
  const ids = [];
  for (const file of files) ids.push(...(await readParquet(join(out, file))).rows.map((r) => r.CUSTOMER_ID));
  return ids;
}

describe('newtail delta runs', () => {
  const export1 = ['customer_id,email,gender,audiences', 'A,a@x.co,F,one', 'B,b@x.co,M,one', 'C,c@x.co,,two', 'D,d@x.co,F,'].join('\n');
  // B changed its audiences, C unchanged (spacing differs, output equal), D left, E is new, A twice.
  const export2 = ['customer_id,email,gender,audiences', 'A,a@x.co,F,one', 'B,b@x.co,M,one;vip', 'C, C@X.co ,,two ', 'E,e@x.co,O,', 'A,a2@x.co,F,one'].join('\n');

  it('loads everything first, then writes only new and changed rows; rows accounted for', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    writeFileSync(join(dir, '1.csv'), export1);
    writeFileSync(join(dir, '2.csv'), export2);

    const first = await runDelta(join(dir, '1.csv'), out, NOW);
    expect(first.counts).toEqual({ new: 4, changed: 0, unchanged: 0, duplicate: 0 });
    expect(await idsIn(out, first.files)).toEqual(['A', 'B', 'C', 'D']);
    expect(existsSync(newtailStatePath(out, 'acme'))).toBe(true);

    const second = await runDelta(join(dir, '2.csv'), out, new Date(NOW.getTime() + 86_400_000));
    expect(second.counts).toEqual({ new: 1, changed: 1, unchanged: 2, duplicate: 1 });
    expect(second.files).toEqual([`newtail/acme/audiences/2024/05/07/${EPOCH + 86_400}.parquet.snappy`]);
    expect(await idsIn(out, second.files)).toEqual(['B', 'E']);
    expect(second.stats.rowsIn).toBe(5);
    expect(second.stats.rowsOut).toBe(4);
    expect(second.stats.rejectReasons).toEqual({ duplicate_customer: 1 });
    expect(second.stats.balanced()).toBe(true);

    // The state never shows among the files to upload.
    expect(listFiles(out).filter((f) => f.endsWith('.parquet.snappy'))).toEqual([...first.files, ...second.files].sort());
    const third = await runDelta(join(dir, '2.csv'), out, new Date(NOW.getTime() + 2 * 86_400_000));
    expect(third.files).toEqual([]);
    expect(third.counts).toEqual({ new: 0, changed: 0, unchanged: 4, duplicate: 1 });
  });

  it('a crash after the files but before the state update sends the same rows again next time', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    writeFileSync(join(dir, '1.csv'), export1);
    writeFileSync(join(dir, '2.csv'), export2);
    await runDelta(join(dir, '1.csv'), out, NOW);
    const state = readFileSync(newtailStatePath(out, 'acme'));

    const crashed = await runDelta(join(dir, '2.csv'), out, NOW, true);
    expect(await idsIn(out, crashed.files)).toEqual(['B', 'E']);
    expect(readFileSync(newtailStatePath(out, 'acme'))).toEqual(state);

    const retried = await runDelta(join(dir, '2.csv'), out, NOW);
    expect(await idsIn(out, retried.files)).toEqual(['B', 'E']);
    expect(retried.files).not.toEqual(crashed.files);
  });
});
