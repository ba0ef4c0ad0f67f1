import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRow, HEADER, seeded } from '../../benchmarks/generate.js';
import { workerModule } from '../../src/pipeline/parallel.js';
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

  it.each(['meta', 'google', 'datax', 'liveintent'])('give %s the same files, rejects and report as one thread, in order', async (destination) => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    const random = seeded(7);
    const lines = [HEADER];
    for (let i = 0; i < 6000; i++) lines.push(generateRow(random, i));
    // A quoted line break, a short row and a malformed-free multi-line record mid-file.
    lines.splice(1234, 0, 'Q1,"multi\nline@x.com",+1 212 555 0100,Ann,Lee,US,gold,2020-01-01T00:00:00Z,"web\nsignup"');
    lines.splice(4321, 0, 'SHORT,only-three,cells');
    writeFileSync(input, lines.join('\n') + '\n');
    const extra = destination === 'liveintent' ? { partnerId: '42', segments: ['1:All:add'] } : {};
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const a = await runDestination({ destination, input, out: one, threads: 1, defaultCountry: 'US', now: NOW, random: () => 0.5, ...extra });
    const b = await runDestination({ destination, input, out: two, threads: 2, defaultCountry: 'US', now: NOW, random: () => 0.5, ...extra });
    expect(a.report.options.threads).toBe(1);
    expect(b.report.options.threads).toBe(2);
    expect(b.stats).toEqual(a.stats);
    expect(b.stats.rows_in).toBe(6002);
    expect(outputs(two)).toBe(outputs(one));
  });

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
