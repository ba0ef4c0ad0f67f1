/**
 * One end-to-end scenario in a process of its own, so its peak memory is its own:
 *   node dist/benchmarks/scenario.js <meta|google|datax|liveintent|newtail|naive> <input.csv> <outDir> [threads]
 * Prints one JSON line: {rows_in, rows_out, seconds, max_rss_mb}.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { runDestination } from '../src/pipeline/run.js';

/** The usual way: csv-parse with columns → createHash per value → csv-stringify. */
export async function naive(input: string, output: string): Promise<{ rowsIn: number; rowsOut: number }> {
  let rows = 0;
  const sha = (v: string | undefined) => (v ? createHash('sha256').update(v.trim().toLowerCase()).digest('hex') : '');
  await pipeline(
    createReadStream(input),
    parse({ columns: true }),
    new Transform({
      objectMode: true,
      transform(r: Record<string, string>, _e, cb) {
        rows++;
        cb(null, { id: r.customer_id, email: sha(r.email), phone: sha(r.phone?.replace(/\D/g, '')), fn: sha(r.first_name), ln: sha(r.last_name) });
      },
    }),
    stringify({ header: true }),
    createWriteStream(output),
  );
  return { rowsIn: rows, rowsOut: rows };
}

const invokedDirectly = process.argv[1]?.endsWith('scenario.js') ?? false;
if (invokedDirectly) {
  const [name, input, out, threads] = process.argv.slice(2) as [string, string, string, string | undefined];
  const started = performance.now();
  let rowsIn: number;
  let rowsOut: number;
  if (name === 'naive') {
    await mkdir(out, { recursive: true });
    ({ rowsIn, rowsOut } = await naive(input, `${out}/naive.csv`));
  } else {
    const extra = name === 'liveintent' ? { partnerId: '1', segments: ['1:bench:add'] } : name === 'newtail' ? { prefix: 'bench' } : {};
    const result = await runDestination({ destination: name, input, out, defaultCountry: 'US', threads: threads ? Number(threads) : undefined, ...extra });
    rowsIn = result.stats.rows_in;
    rowsOut = result.stats.rows_out;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ rows_in: rowsIn, rows_out: rowsOut, seconds, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}
