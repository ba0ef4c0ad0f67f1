/**
 * The benchmark suite behind `audience-etl bench`: on a seeded messy CRM CSV (benchmarks/generate.ts)
 * it measures the hash stage alone, normalize + hash per field kind, and each destination end to end
 * (rows/s, MB/s, peak memory), with the usual Node way (csv-parse → createHash → csv-stringify) run
 * on the same input in the same run as the baseline. Each scenario checks its row count first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hashValue } from '../src/hash.js';
import { BatchHasher, hashBackend } from '../src/hash-batch.js';
import { normalizeEmail } from '../src/normalize/email.js';
import { normalizeNameMeta } from '../src/normalize/name.js';
import { normalizePhoneE164 } from '../src/normalize/phone.js';
import { makeContext } from '../src/normalize/types.js';
import { generateCsv, generateRow, seeded } from './generate.js';
import { hashOnThreads } from './hash-threads.js';

const run = promisify(execFile);

export interface BenchRow {
  scenario: string;
  rows: number;
  seconds: number;
  per_second: number;
  mb_per_second?: number;
  max_rss_mb?: number;
  /** per_second ÷ the baseline's, for the same unit. */
  ratio?: number;
  baseline?: string;
  /** per_second ÷ the plain-Python script's, when it ran. */
  ratio_python?: number;
  /** per_second ÷ DuckDB's, when it ran. */
  ratio_duckdb?: number;
  /** End to end with `rounds` > 1: the seconds of every round, in order; `seconds` is their median. */
  runs?: number[];
}

export interface BenchOptions {
  rows: number;
  /** Destinations to run end to end. */
  destinations?: string[];
  /**
   * Rounds of the end-to-end scenarios (default 1). Each round runs every scenario once, in the
   * same order, so that a slow spell of a shared machine falls on all of them; each scenario then
   * reports its median round.
   */
  rounds?: number;
  /** Aborting stops the scenario running (its process is killed) and removes the generated input. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, scenario: string) => void;
}

/** Every digest there, and a sample of them (first and last included) equal to crypto.hash's, before a figure is reported. */
function checkDigests(values: readonly string[], count: number, digest: (i: number) => string | undefined, what: string): void {
  if (count !== values.length) throw new Error(`${what} gave ${count} digests for ${values.length} values`);
  for (let i = 0; i < values.length; i = i === values.length - 1 ? values.length : Math.min(values.length - 1, i + 9973)) {
    if (digest(i) !== hashValue(values[i]!)) throw new Error(`${what} gave a wrong digest for value ${i}`);
  }
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** Values of one kind from the generator's rows (email, phone, first name). */
function sampleValues(n: number): { email: string[]; phone: string[]; name: string[] } {
  const random = seeded(11);
  const email: string[] = [];
  const phone: string[] = [];
  const name: string[] = [];
  for (let i = 0; i < n; i++) {
    const cells = generateRow(random, i).split(',');
    email.push(cells[1]!);
    phone.push(cells[2]!);
    name.push(cells[3]!);
  }
  return { email, phone, name };
}

export async function runBenchmarks(options: BenchOptions): Promise<BenchRow[]> {
  const destinations = options.destinations ?? ['meta', 'google', 'datax', 'liveintent', 'newtail'];
  const rounds = options.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive whole number, got ${rounds}`);
  // Steps: hash on one core, hash on every core, 3 field kinds, input, then per round naive Node, DuckDB, Python, each destination.
  let total = 2 + 3 + 1 + rounds * (3 + destinations.length);
  let done = 0;
  const step = (name: string) => options.onProgress?.(done++, total, name);
  const rows: BenchRow[] = [];

  // Hash stage alone: one crypto.hash per value (baseline) vs the batch hasher, on one core, then
  // the batch hasher on every core with order kept. Best of 3 rounds after a warm-up (alternating,
  // so both see the same load); digests are checked before anything is reported.
  const values = Array.from({ length: Math.min(options.rows, 1_000_000) }, (_, i) => `user${i}@example.com`);
  const batcher = new BatchHasher('sha256', 'hex');
  const out: string[] = new Array(values.length);
  let sink = 0;
  const perValue = () => {
    for (const v of values) sink += hashValue(v).length;
  };
  const batch = () => {
    for (let i = 0; i < values.length; i += 4096) batcher.hashManyInto(values.slice(i, i + 4096), out, i);
  };
  step('hash: crypto.hash per value and batch, warm-up');
  const warm = values.slice(0, 100_000);
  for (const v of warm) sink += hashValue(v).length;
  for (let i = 0; i < warm.length; i += 4096) batcher.hashManyInto(warm.slice(i, i + 4096), out, i);
  let base = Infinity;
  let batched = Infinity;
  for (let round = 0; round < 3; round++) {
    base = Math.min(base, time(perValue));
    batched = Math.min(batched, time(batch));
  }
  checkDigests(values, out.filter((d) => d !== undefined).length, (i) => out[i], 'batch hasher');
  rows.push({ scenario: 'hash sha256 hex: crypto.hash() per value, 1 core', rows: values.length, seconds: base, per_second: values.length / base });
  rows.push({ scenario: `hash sha256 hex: batch (${hashBackend()}), 1 core`, rows: values.length, seconds: batched, per_second: values.length / batched, ratio: base / batched, baseline: 'crypto.hash() per value' });
  const threads = availableParallelism();
  step(`hash: batch on ${threads} threads, order kept`);
  let parallel = await hashOnThreads(values, threads);
  checkDigests(values, parallel.count, parallel.digest, 'threaded hash stage');
  for (let round = 1; round < 3; round++) {
    const again = await hashOnThreads(values, threads);
    checkDigests(values, again.count, again.digest, 'threaded hash stage');
    if (again.seconds < parallel.seconds) parallel = again;
  }
  rows.push({ scenario: `hash sha256 hex: batch on ${threads} threads, order kept`, rows: values.length, seconds: parallel.seconds, per_second: values.length / parallel.seconds, ratio: base / parallel.seconds, baseline: 'crypto.hash() per value' });
  if (sink === 0) throw new Error('no hashes were made');

  // Normalize + hash per field kind (one thread, row by row).
  const samples = sampleValues(Math.min(options.rows, 300_000));
  const ctx = makeContext({ country: 'US' });
  for (const [kind, list, fn] of [
    ['email', samples.email, normalizeEmail],
    ['phone', samples.phone, normalizePhoneE164],
    ['first name', samples.name, normalizeNameMeta],
  ] as const) {
    step(`normalize + hash: ${kind}`);
    let kept = 0;
    const seconds = time(() => {
      for (const v of list) {
        const n = fn(v, ctx);
        if (n) kept += hashValue(n).length > 0 ? 1 : 0;
      }
    });
    if (kept === 0) throw new Error(`no ${kind} survived normalization`);
    rows.push({ scenario: `normalize + hash: ${kind}`, rows: list.length, seconds, per_second: list.length / seconds });
  }

  // End to end, each in its own process, on one generated file.
  const dir = await mkdtemp(join(tmpdir(), 'audience-etl-bench-'));
  try {
    const input = join(dir, 'crm.csv');
    step('generating input');
    await generateCsv(input, options.rows);
    options.signal?.throwIfAborted();
    const bytes = (await stat(input)).size;
    const script = fileURLToPath(new URL('./scenario.js', import.meta.url));
    /** One run of a scenario; its row count is checked before it counts. */
    const measure = async (name: string, command: string, args: string[], out: string): Promise<Measured> => {
      options.signal?.throwIfAborted();
      const { stdout } = await run(command, args, { maxBuffer: 1 << 20, signal: options.signal });
      const r = JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
      if (r.rows_in !== options.rows) throw new Error(`${name}: read ${r.rows_in} rows, expected ${options.rows}`);
      await rm(out, { recursive: true, force: true });
      return r;
    };
    const node = (name: string) => () => measure(name, process.execPath, [script, name, input, join(dir, `out-${name}`)], join(dir, `out-${name}`));
    // The plain-Python way too, where python3 and the script (beside these sources, not in the package) are there.
    const pythonScript = fileURLToPath(new URL('../../benchmarks/python_baseline.py', import.meta.url));
    const scenarios: { name: string; label: string; optional: boolean; once: () => Promise<Measured> }[] = [
      { name: 'naive', label: 'naive Node baseline', optional: false, once: node('naive') },
      // DuckDB's SQL (the reference), where the devDependency is installed.
      { name: 'duckdb', label: 'DuckDB baseline', optional: true, once: node('duckdb') },
      ...(existsSync(pythonScript)
        ? [{ name: 'python', label: 'plain Python baseline', optional: true, once: () => measure('python', 'python3', [pythonScript, input, join(dir, 'python.csv')], join(dir, 'python.csv')) }]
        : []),
      ...destinations.map((d) => ({ name: d, label: `run ${d}`, optional: false, once: node(d) })),
    ];
    total = 2 + 3 + 1 + rounds * scenarios.length;
    const measured = new Map<string, Measured[]>();
    const missing = new Set<string>();
    for (let round = 1; round <= rounds; round++) {
      for (const s of scenarios) {
        step(rounds > 1 ? `${s.label} (round ${round} of ${rounds})` : s.label);
        if (missing.has(s.name)) continue;
        try {
          const r = await s.once();
          measured.set(s.name, [...(measured.get(s.name) ?? []), r]);
        } catch (error) {
          // A baseline that cannot run here (no DuckDB package, no python3) is left out; ours may not fail.
          if (!s.optional || options.signal?.aborted) throw error;
          missing.add(s.name);
          measured.delete(s.name);
        }
      }
    }
    const row = (name: string, scenario: string): BenchRow | undefined => {
      const runs = measured.get(name);
      if (runs === undefined) return undefined;
      const seconds = median(runs.map((r) => r.seconds));
      return {
        scenario,
        rows: options.rows,
        seconds,
        per_second: options.rows / seconds,
        mb_per_second: bytes / 1e6 / seconds,
        max_rss_mb: Math.max(...runs.map((r) => r.max_rss_mb)),
        ...(runs.length > 1 ? { runs: runs.map((r) => r.seconds) } : {}),
      };
    };
    const naive = row('naive', 'naive Node (csv-parse → createHash → csv-stringify)')!;
    rows.push(naive);
    const versus = (r: BenchRow) => ({ ratio: r.per_second / naive.per_second, baseline: 'naive Node' });
    const duck = row('duckdb', 'DuckDB SQL (read_csv → sha256 → CSV), all cores');
    if (duck) rows.push({ ...duck, ...versus(duck) });
    const python = row('python', 'plain Python (csv → hashlib → csv)');
    if (python) rows.push({ ...python, ...versus(python) });
    for (const d of destinations) {
      const r = row(d, `run ${d}`)!;
      rows.push({
        ...r,
        ...versus(r),
        ...(python ? { ratio_python: r.per_second / python.per_second } : {}),
        ...(duck ? { ratio_duckdb: r.per_second / duck.per_second } : {}),
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  options.onProgress?.(total, total, 'done');
  return rows;
}

/** What a scenario's process prints, as its last line. */
interface Measured {
  rows_in: number;
  seconds: number;
  max_rss_mb: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatTable(rows: readonly BenchRow[]): string {
  const rounds = rows.some((r) => r.runs !== undefined);
  const header = ['scenario', 'rows', rounds ? 'seconds (median)' : 'seconds', 'per second', 'MB/s', 'peak MB', 'ratio', 'vs Python', 'vs DuckDB', ...(rounds ? ['rounds (s)'] : [])];
  const body = rows.map((r) => [
    r.scenario,
    fmt.format(r.rows),
    r.seconds.toFixed(2),
    fmt.format(r.per_second),
    r.mb_per_second === undefined ? '' : r.mb_per_second.toFixed(1),
    r.max_rss_mb === undefined ? '' : String(r.max_rss_mb),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.baseline}`,
    r.ratio_python === undefined ? '' : `${r.ratio_python.toFixed(2)}×`,
    r.ratio_duckdb === undefined ? '' : `${r.ratio_duckdb.toFixed(2)}×`,
    ...(rounds ? [r.runs === undefined ? '' : r.runs.map((x) => x.toFixed(2)).join(' ')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
