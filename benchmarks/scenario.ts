/**
 * One end-to-end scenario in a process of its own, so its peak memory is its own:
 *   node dist/benchmarks/scenario.js <meta|google|datax|liveintent|newtail|naive|duckdb> <input.csv> <outDir> [threads]
 * Prints one JSON line: {rows_in, rows_out, seconds, max_rss_mb}.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

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

/**
 * DuckDB's SQL for the same work as `naive` (the reference): read_csv → sha256(lower(trim()))
 * → CSV, on every core. `@duckdb/node-api` is a devDependency: where it is not installed this
 * throws, and the bench leaves the scenario out.
 */
export async function duckdb(input: string, output: string): Promise<{ rowsIn: number; rowsOut: number }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: String(availableParallelism()) });
  const connection = await db.connect();
  const quote = (path: string) => `'${path.replace(/'/g, "''")}'`;
  await connection.run(
    `COPY (SELECT customer_id AS id, sha256(lower(trim(email))) AS email, sha256(regexp_replace(phone, '\\D', '', 'g')) AS phone, ` +
      `sha256(lower(trim(first_name))) AS fn, sha256(lower(trim(last_name))) AS ln FROM read_csv(${quote(input)}, all_varchar = true)) TO ${quote(output)} (HEADER)`,
  );
  const counted = await connection.runAndReadAll(`SELECT count(*) FROM read_csv(${quote(output)}, all_varchar = true)`);
  const rows = Number(counted.getRows()[0]![0]);
  connection.closeSync();
  return { rowsIn: rows, rowsOut: rows };
}

/**
 * `audience-etl run <name>` as a user runs it: the CLI's bundle (bin/audience-etl.js loads the same
 * file) is imported inside the timing, so its start-up counts, as DuckDB's module load counts in
 * `duckdb`. The row counts come from the report the run writes.
 */
export async function cli(name: string, input: string, out: string, threads: string | undefined): Promise<{ rowsIn: number; rowsOut: number }> {
  const { main } = (await import(new URL('../src/cli/main.bundle.js', import.meta.url).href)) as { main(argv: string[]): Promise<number> };
  const extra = name === 'liveintent' ? ['--partner-id', '1', '--segment', '1:bench:add'] : name === 'newtail' ? ['--prefix', 'bench'] : [];
  const args = ['run', name, '--input', input, '--out', out, '--default-country', 'US', '--quiet', ...extra, ...(threads ? ['--threads', threads] : [])];
  const code = await main([process.execPath, 'audience-etl', ...args]);
  if (code !== 0) throw new Error(`audience-etl ${args.join(' ')}: exit status ${code}`);
  const report = JSON.parse(await readFile(`${out}/report.json`, 'utf8')) as { rows_in: number; rows_out: number };
  return { rowsIn: report.rows_in, rowsOut: report.rows_out };
}

const invokedDirectly = process.argv[1]?.endsWith('scenario.js') ?? false;
if (invokedDirectly) {
  const [name, input, out, threads] = process.argv.slice(2) as [string, string, string, string | undefined];
  const started = performance.now();
  let rowsIn: number;
  let rowsOut: number;
  if (name === 'naive' || name === 'duckdb') {
    await mkdir(out, { recursive: true });
    ({ rowsIn, rowsOut } = await (name === 'naive' ? naive : duckdb)(input, `${out}/${name}.csv`));
  } else {
    ({ rowsIn, rowsOut } = await cli(name, input, out, threads));
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ rows_in: rowsIn, rows_out: rowsOut, seconds, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}
