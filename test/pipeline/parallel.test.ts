import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRow, HEADER, seeded } from '../../benchmarks/generate.js';
import { defaultThreads, workerModule } from '../../src/pipeline/parallel.js';
import { runDestination } from '../../src/pipeline/run.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const NOW = () => new Date('2026-11-25T12:00:00Z');

/** Everything a run wrote, with the random session id taken out. */
function outputs(out: string): string {
  return listFiles(out)
    .map((f) => `${f}\n${readFileSync(join(out, f), 'utf8').replace(/"session_id":\d+/g, '').replace(/"(started_at|finished_at|seconds)": [^,]+,/g, '').replace(/"threads": \d+/, '')}`)
    .join('\n');
}

describe('worker threads', () => {
  it('are built (npm test builds before the suite)', () => expect(workerModule()).toBeDefined());

  // Workers encode rows in the sink's format (EncodedRows); small batches make the sinks cut
  // requests inside encoded chunks, and LDU adds Meta's derived columns.
  it.each([
    ['meta', {}],
    ['meta', { batchSize: 700, ldu: { country: 1, state: 1000 } }],
    ['google', {}],
    ['google', { batchSize: 333, encoding: 'base64' as const }],
    ['datax', {}],
    ['liveintent', {}],
    // Files (and so row groups) of 2,500 rows: boundaries fall inside encoded blocks.
    ['newtail', { prefix: 'p', rowsPerFile: 2500 }],
  ])('give %s %j the same files, rejects and report as one thread, in order', async (destination, options) => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    const random = seeded(7);
    const lines = [HEADER];
    for (let i = 0; i < 6000; i++) lines.push(generateRow(random, i));
    // A quoted line break, a short row and a malformed-free multi-line record mid-file.
    lines.splice(1234, 0, 'Q1,"multi\nline@x.com",+1 212 555 0100,Ann,Lee,US,gold,2020-01-01T00:00:00Z,"web\nsignup"');
    lines.splice(4321, 0, 'SHORT,only-three,cells');
    // An id that needs escaping in JSON, kept by Meta as EXTERN_ID.
    lines.splice(5000, 0, '"Q""5\\x",,,Bo,Li,US,,,');
    // An id of 2-, 3- and 4-byte UTF-8: encoded items cross threads as bytes, their ends in bytes.
    lines.splice(5500, 0, 'Jöse-Ω-😀,,,Cy,Wu,US,,,');
    writeFileSync(input, lines.join('\n') + '\n');
    const extra = { ...(destination === 'liveintent' ? { partnerId: '42', segments: ['1:All:add'] } : {}), ...options };
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const a = await runDestination({ destination, input, out: one, threads: 1, defaultCountry: 'US', now: NOW, random: () => 0.5, ...extra });
    const b = await runDestination({ destination, input, out: two, threads: 2, defaultCountry: 'US', now: NOW, random: () => 0.5, ...extra });
    expect(a.report.options.threads).toBe(1);
    expect(b.report.options.threads).toBe(2);
    expect(b.stats).toEqual(a.stats);
    expect(b.stats.rows_in).toBe(6004);
    expect(outputs(two)).toBe(outputs(one));
    // Every body is JSON an independent parser reads back; Meta keeps the escaped id exactly.
    const bodies = listFiles(two).filter((f) => f.endsWith('.json') && f.includes('/')).map((f) => JSON.parse(readFileSync(join(two, f), 'utf8')));
    if (destination === 'meta') {
      const ids = bodies.flatMap((body: { payload: { data: string[][] } }) => body.payload.data.map((row) => row[0]));
      expect(ids).toContain('Q"5\\x');
      expect(ids).toContain('Jöse-Ω-😀');
      expect(ids.length).toBe(b.stats.rows_out);
    }
  });

  it('run by default on one thread per core for inputs of 4 MB or more; newtail --delta on one', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.csv');
    const random = seeded(11);
    const lines = [HEADER];
    for (let i = 0; i < 42_000; i++) lines.push(generateRow(random, i));
    writeFileSync(input, lines.join('\n') + '\n');
    const small = join(dir, 'small.csv');
    writeFileSync(small, lines.slice(0, 1000).join('\n') + '\n');
    const run = (destination: string, file: string) =>
      runDestination({ destination, input: file, out: join(dir, destination + file.length), defaultCountry: 'US', now: NOW, prefix: 'p' });
    expect((await run('meta', input)).report.options.threads).toBe(defaultThreads());
    expect((await run('meta', small)).report.options.threads).toBe(1);
    expect((await run('newtail', input)).report.options.threads).toBe(defaultThreads());
    // --delta compares rows on the main thread, so its rows are not encoded: one thread.
    const delta = await runDestination({ destination: 'newtail', input, out: join(dir, 'delta'), defaultCountry: 'US', now: NOW, prefix: 'p', delta: true });
    expect(delta.report.options.threads).toBe(1);
    // DataX too, though its bzip2 compressor shares the cores.
    expect((await run('datax', input)).report.options.threads).toBe(defaultThreads());
  }, 60_000);

  it('name the line of a malformed quote found on a worker', async () => {
    const dir = tempDir();
    const input = join(dir, 'bad.csv');
    const random = seeded(3);
    const lines = [HEADER];
    for (let i = 0; i < 3000; i++) lines.push(generateRow(random, i));
    lines.push('X,"a@b.com"z,1,A,B,US,,,');
    writeFileSync(input, lines.join('\n') + '\n');
    await expect(runDestination({ destination: 'meta', input, out: join(dir, 'out'), threads: 2 })).rejects.toMatchObject({ code: 'CSV_SYNTAX', line: 3002 });
    expect(listFiles(join(dir, 'out'))).toEqual([]);
  });
});
