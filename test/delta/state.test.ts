import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Delta, DeltaState, fingerprintRow, hashCustomerId } from '../../src/delta/state.js';
import { RunStats } from '../../src/model/stats.js';
import type { Row } from '../../src/model/row.js';
import { delta } from '../../transforms/delta.js';
import { runStage } from '../helpers/streams.js';
import { tempDir } from '../helpers/tmp.js';

const KEYS = ['CUSTOMER_ID', 'EMAIL_HASHED', 'AGE'];
const NOW = () => new Date('2024-05-06T07:08:09Z');

function ids(id: string): Uint32Array {
  const out = new Uint32Array(2);
  hashCustomerId(id, out);
  return out;
}
function fp(values: Record<string, string | null>): Uint32Array {
  const out = new Uint32Array(2);
  fingerprintRow(values, KEYS, out);
  return out;
}
function row(line: number, id: string, email: string | null, age?: string): Row {
  const values: Record<string, string | null> = { CUSTOMER_ID: id };
  if (email !== null) values.EMAIL_HASHED = email;
  if (age !== undefined) values.AGE = age;
  return { line, fields: {}, values };
}

describe('hashes', () => {
  it('are stable across releases (the state on disk depends on them)', () => {
    expect(Array.from(ids('C1'))).toEqual(Array.from(ids('C1')));
    expect(Array.from(ids(''))).not.toEqual([0, 0]);
    // Pinned values: changing the function needs a new state format version.
    expect(Array.from(ids('customer-42')).map((n) => n.toString(16))).toEqual(['5d03b3ee', 'aee2c6f0']);
  });

  it('tell apart absent, empty and moved values', () => {
    const a = Array.from(fp({ CUSTOMER_ID: 'x', EMAIL_HASHED: 'ab' }));
    expect(Array.from(fp({ CUSTOMER_ID: 'x', EMAIL_HASHED: 'ab', AGE: null }))).toEqual(a);
    expect(Array.from(fp({ CUSTOMER_ID: 'x', EMAIL_HASHED: 'ab', AGE: '' }))).not.toEqual(a);
    expect(Array.from(fp({ CUSTOMER_ID: 'x', AGE: 'ab' }))).not.toEqual(a);
    expect(Array.from(fp({ CUSTOMER_ID: 'xa', EMAIL_HASHED: 'b' }))).not.toEqual(a);
  });

  it('do not collide on 200,000 distinct ids', () => {
    const seen = new Set<string>();
    const out = new Uint32Array(2);
    for (let i = 0; i < 200_000; i++) {
      hashCustomerId(`C${i}`, out);
      seen.add(`${out[0]}:${out[1]}`);
    }
    expect(seen.size).toBe(200_000);
  });
});

describe('DeltaState', () => {
  it('classifies new, changed, unchanged and duplicate, and round-trips through its file', async () => {
    const path = join(tempDir(), 'state.bin');
    const first = await DeltaState.load(path);
    expect(first.loaded).toBe(0);
    expect(first.classify(ids('a'), fp({ CUSTOMER_ID: 'a', AGE: '1' }))).toBe(Delta.New);
    expect(first.classify(ids('b'), fp({ CUSTOMER_ID: 'b', AGE: '2' }))).toBe(Delta.New);
    expect(first.classify(ids('c'), fp({ CUSTOMER_ID: 'c', AGE: '3' }))).toBe(Delta.New);
    expect(first.classify(ids('a'), fp({ CUSTOMER_ID: 'a', AGE: '9' }))).toBe(Delta.Duplicate);
    await first.save(path, NOW());
    expect(statSync(path).size).toBe(32 + 3 * 16);

    const second = await DeltaState.load(path);
    expect(second.loaded).toBe(3);
    expect(second.classify(ids('a'), fp({ CUSTOMER_ID: 'a', AGE: '1' }))).toBe(Delta.Unchanged);
    expect(second.classify(ids('b'), fp({ CUSTOMER_ID: 'b', AGE: '20' }))).toBe(Delta.Changed);
    expect(second.classify(ids('d'), fp({ CUSTOMER_ID: 'd' }))).toBe(Delta.New);
    expect(second.classify(ids('b'), fp({ CUSTOMER_ID: 'b', AGE: '20' }))).toBe(Delta.Duplicate);
    expect(second.classify(ids('d'), fp({ CUSTOMER_ID: 'd' }))).toBe(Delta.Duplicate);
    // c is absent from this export: it leaves the state.
    expect(second.size).toBe(3);
    await second.save(path, NOW());

    const third = await DeltaState.load(path);
    expect(third.loaded).toBe(3);
    expect(third.classify(ids('b'), fp({ CUSTOMER_ID: 'b', AGE: '20' }))).toBe(Delta.Unchanged);
    expect(third.classify(ids('c'), fp({ CUSTOMER_ID: 'c', AGE: '3' }))).toBe(Delta.New);
    expect(third.classify(ids('a'), fp({ CUSTOMER_ID: 'a', AGE: '1' }))).toBe(Delta.Unchanged);
    expect(third.classify(ids('d'), fp({ CUSTOMER_ID: 'd' }))).toBe(Delta.Unchanged);
  });

  it('agrees with a Map model over any sequence of runs', async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 })), { maxLength: 80 }), { minLength: 1, maxLength: 4 }),
        async (runs) => {
          const path = join(dir, `s${n++}.bin`);
          let model = new Map<number, number>();
          for (const run of runs) {
            const state = await DeltaState.load(path);
            const next = new Map<number, number>();
            for (const [customer, version] of run) {
              const got = state.classify(ids(`id${customer}`), fp({ CUSTOMER_ID: `id${customer}`, AGE: String(version) }));
              const want = next.has(customer) ? Delta.Duplicate : !model.has(customer) ? Delta.New : model.get(customer) === version ? Delta.Unchanged : Delta.Changed;
              expect(got).toBe(want);
              if (!next.has(customer)) next.set(customer, version);
            }
            expect(state.size).toBe(next.size);
            await state.save(path, NOW());
            model = next;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps lookups right when the state is large enough for many buckets', async () => {
    const path = join(tempDir(), 'big.bin');
    const state = await DeltaState.load(path);
    for (let i = 0; i < 50_000; i++) state.classify(ids(`C${i}`), fp({ CUSTOMER_ID: `C${i}`, AGE: '1' }));
    await state.save(path, NOW());
    const next = await DeltaState.load(path);
    let unchanged = 0;
    for (let i = 0; i < 50_000; i++) if (next.classify(ids(`C${i}`), fp({ CUSTOMER_ID: `C${i}`, AGE: '1' })) === Delta.Unchanged) unchanged++;
    expect(unchanged).toBe(50_000);
    expect(next.classify(ids('C50000'), fp({ CUSTOMER_ID: 'C50000' }))).toBe(Delta.New);
  });

  it('refuses a damaged file with an IO error naming what is wrong, never a silent full load', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.bin');
    const state = await DeltaState.load(path);
    for (const id of ['a', 'b', 'c']) state.classify(ids(id), fp({ CUSTOMER_ID: id }));
    await state.save(path, NOW());
    const good = readFileSync(path);

    writeFileSync(path, good.subarray(0, good.length - 4));
    await expect(DeltaState.load(path)).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/wrong size/) });
    const flipped = Buffer.from(good);
    flipped[40] = flipped[40]! ^ 1;
    writeFileSync(path, flipped);
    await expect(DeltaState.load(path)).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/checksum/) });
    writeFileSync(path, Buffer.from('not a state file at all, not at all'));
    await expect(DeltaState.load(path)).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/not a state file/) });
    const future = Buffer.from(good);
    future.writeUInt32LE(99, 8);
    writeFileSync(path, future);
    await expect(DeltaState.load(path)).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/version 99/) });
  });

  it('writes atomically: no temporary file is left and the old state survives a failed save', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.bin');
    const state = await DeltaState.load(path);
    state.classify(ids('a'), fp({ CUSTOMER_ID: 'a' }));
    await state.save(path, NOW());
    const before = readFileSync(path);
    expect(readdirSync(dir)).toEqual(['state.bin']);

    const next = await DeltaState.load(path);
    next.classify(ids('b'), fp({ CUSTOMER_ID: 'b' }));
    // The target is a folder that is not empty: the rename fails after the temporary file was written.
    mkdirSync(join(dir, 'occupied'));
    writeFileSync(join(dir, 'occupied', 'x'), 'x');
    await expect(next.save(join(dir, 'occupied'), NOW())).rejects.toMatchObject({ code: 'IO' });
    expect(readdirSync(dir).sort()).toEqual(['occupied', 'state.bin']);
    expect(readFileSync(path)).toEqual(before);
  });
});

describe('delta stage', () => {
  it('passes new and changed rows, counts unchanged ones as out and rejects duplicates', async () => {
    const statePath = join(tempDir(), 'state.bin');
    const run = async (rows: Row[]) => {
      const stats = new RunStats();
      stats.rowsIn = rows.length;
      const stage = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats, now: NOW });
      const out = await runStage(stage, [rows.slice(0, 2), rows[2]!, rows.slice(3)], true);
      stats.rowsOut += out.length;
      return { stage, stats, out };
    };
    const first = await run([row(2, 'a', 'e1'), row(3, 'b', 'e2'), row(4, 'c', null, '30'), row(5, 'a', 'e9')]);
    expect(first.out.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(first.stage.counts()).toEqual({ new: 3, changed: 0, unchanged: 0, duplicate: 1 });
    expect(first.stats.rejectReasons).toEqual({ duplicate_customer: 1 });
    expect(first.stats.balanced()).toBe(true);
    await first.stage.commit();

    const second = await run([row(2, 'a', 'e1'), row(3, 'b', 'e2-new'), row(4, 'c', null, '31'), row(5, 'd', 'e4'), row(6, 'e', null, '5')]);
    expect(second.out.map((r) => r.values!.CUSTOMER_ID)).toEqual(['b', 'c', 'd', 'e']);
    expect(second.stage.counts()).toEqual({ new: 2, changed: 2, unchanged: 1, duplicate: 0 });
    expect(second.stage.loaded).toBe(3);
    expect(second.stats.rowsOut).toBe(5);
    expect(second.stats.balanced()).toBe(true);
  });

  it('leaves the previous state valid when commit() is never reached (a crash after the files)', async () => {
    const statePath = join(tempDir(), 'state.bin');
    const stats = new RunStats();
    const first = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats, now: NOW });
    await runStage(first, [[row(2, 'a', 'e1')]], true);
    await first.commit();
    const saved = readFileSync(statePath);

    const crashed = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats, now: NOW });
    const sent = await runStage(crashed, [[row(2, 'a', 'e1-changed'), row(3, 'b', 'e2')]], true);
    expect(sent).toHaveLength(2);
    expect(readFileSync(statePath)).toEqual(saved);

    const again = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats, now: NOW });
    const resent = await runStage(again, [[row(2, 'a', 'e1-changed'), row(3, 'b', 'e2')]], true);
    expect(resent.map((r) => r.values!.CUSTOMER_ID)).toEqual(['a', 'b']);
  });

  it('refuses commit() before the stage finished, and a row without the id key', async () => {
    const statePath = join(tempDir(), 'state.bin');
    const stage = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats: new RunStats() });
    await expect(stage.commit()).rejects.toMatchObject({ code: 'INVARIANT' });
    stage.destroy();
    const bad = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats: new RunStats() });
    await expect(runStage(bad, [[{ line: 7, fields: {}, values: { AGE: '3' } }]], true)).rejects.toMatchObject({ code: 'INVARIANT', line: 7 });
    expect(() => delta({ statePath, idKey: 'ID', keys: KEYS, stats: new RunStats() })).toThrow(/ID/);
  });

  it('fails the stream with an IO error when the state is damaged', async () => {
    const statePath = join(tempDir(), 'state.bin');
    writeFileSync(statePath, 'garbage');
    const stage = delta({ statePath, idKey: 'CUSTOMER_ID', keys: KEYS, stats: new RunStats() });
    await expect(runStage(stage, [[row(2, 'a', 'e1')]], true)).rejects.toMatchObject({ code: 'IO' });
  });
});
