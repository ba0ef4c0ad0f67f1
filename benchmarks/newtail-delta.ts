/**
 * Newtail delta mode at scale: the state's size on disk, each run's peak memory, and the time of a
 * delta run where 1% of the customers changed.
 *
 * Input: `--rows` (default 10,000,000) generated customers, as validated Newtail rows (what the
 * delta stage and the sink receive): customer i has id `C<i>`, five 64-hex "hashes" and the other
 * columns filled from a PRNG seeded by i, so both runs see the same customers. Parsing, normalizing
 * and hashing are left out on purpose: they do not depend on delta mode and are measured by the
 * pipeline benchmarks.
 *
 * Phases, each in its own Node process so that its peak RSS (process.resourceUsage().maxRSS) is
 * its own:
 *   generate  the rows through a sink that drops them: the cost of the generator alone;
 *   full      the first --delta run: no state, so every row is written (Parquet, 1,000,000 rows a
 *             file), then the state is committed;
 *   delta     the same customers with every 100th one changed (its AUDIENCES): only those are
 *             written, then the new state is committed.
 * Each phase checks its row counts (written, unchanged) before a time is reported.
 *
 * Run after the build:  node [node flags] dist/benchmarks/newtail-delta.js [--rows N] [--row-group N] [--dir DIR] [--json]
 *   (--row-group: rows per Parquet row group, default sinks/parquet.ts DEFAULT_ROW_GROUP_SIZE)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { newtailColumns, newtailStatePath, NewtailSink } from '../sinks/newtail.js';
import { newtail } from '../src/destinations/newtail.js';
import type { Row } from '../src/model/row.js';
import { RunStats } from '../src/model/stats.js';
import { delta } from '../transforms/delta.js';

const PHASES = ['generate', 'full', 'delta'] as const;
type Phase = (typeof PHASES)[number];
const CHUNK = 1_000;
const CHANGE_EVERY = 100;
const PREFIX = 'bench';
const NOW = Date.UTC(2024, 4, 6, 12);

interface PhaseResult {
  phase: Phase;
  rows: number;
  seconds: number;
  rowsWritten: number;
  rowsUnchanged: number;
  files: number;
  peakRssMiB: number;
  stateBytes: number | null;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const CITIES = ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Recife', 'Porto Alegre'];
const STATES = ['SP', 'RJ', 'MG', 'PR', 'PE', 'RS'];
const GENDERS = ['F', 'M', 'O', undefined];
const scratch = Buffer.alloc(160);

/** Customer i's output row; `changed` alters its AUDIENCES. Deterministic in i. */
function customer(i: number, changed: boolean): Row {
  // mulberry32 seeded by i: 40 words → five 64-hex values.
  let seed = (i * 0x9e3779b1) | 0;
  for (let w = 0; w < 40; w++) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    scratch.writeUInt32LE((t ^ (t >>> 14)) >>> 0, w * 4);
  }
  const hex = scratch.toString('hex');
  const values: Record<string, string> = {
    CUSTOMER_ID: `C${i}`,
    EMAIL_HASHED: hex.slice(0, 64),
    FIRST_NAME_HASHED: hex.slice(192, 256),
    LAST_NAME_HASHED: hex.slice(256, 320),
    AGE: String(18 + (i % 60)),
    CEP: String(1000000 + ((i * 7919) % 98999999)).padStart(8, '0'),
    COUNTRY: 'BR',
    STATE: STATES[i % 6]!,
    CITY: CITIES[i % 6]!,
    NEIGHBORHOOD: `Bairro ${i % 500}`,
    AUDIENCES: changed ? `aud${i % 10};aud${i % 7};changed` : `aud${i % 10};aud${i % 7}`,
    NBO_PRODUCTS: `SKU${i % 1000};SKU${(i * 31) % 1000}`,
    NBO_CATEGORIES: 'Books > Gastronomy;Tablets',
  };
  if (i % 3 !== 0) values.PHONE_HASHED = hex.slice(64, 128);
  if (i % 2 === 0) values.SOCIAL_ID_HASHED = hex.slice(128, 192);
  const gender = GENDERS[i % 4];
  if (gender) values.GENDER = gender;
  return { line: i + 2, fields: {}, values };
}

function customers(rows: number, changeEvery: number): Readable {
  let next = 0;
  return new Readable({
    objectMode: true,
    highWaterMark: 2,
    read() {
      if (next >= rows) {
        this.push(null);
        return;
      }
      const chunk: Row[] = [];
      const end = Math.min(rows, next + CHUNK);
      for (; next < end; next++) chunk.push(customer(next, changeEvery > 0 && next % changeEvery === 0));
      this.push(chunk);
    },
  });
}

async function runPhase(phase: Phase, rows: number, dir: string, rowGroupSize: number | undefined): Promise<PhaseResult> {
  const stats = new RunStats();
  stats.rowsIn = rows;
  const started = performance.now();
  let files = 0;
  let unchanged = 0;
  if (phase === 'generate') {
    await pipeline(customers(rows, 0), new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
  } else {
    const statePath = newtailStatePath(dir, PREFIX);
    const stage = delta({ statePath, idKey: 'CUSTOMER_ID', keys: newtail.keys.map((k) => k.key), stats, now: () => new Date(NOW) });
    const sink = new NewtailSink({
      outDir: dir,
      prefix: PREFIX,
      columns: newtailColumns(newtail.keys),
      rowsPerFile: 1_000_000,
      now: () => new Date(NOW),
      stats,
      ...(rowGroupSize ? { rowGroupSize } : {}),
    });
    await pipeline(customers(rows, phase === 'delta' ? CHANGE_EVERY : 0), stage, sink);
    await stage.commit();
    files = sink.result().files.length;
    unchanged = stage.counts().unchanged;
    const changed = phase === 'delta' ? Math.ceil(rows / CHANGE_EVERY) : rows;
    if (stats.rowsOut - unchanged !== changed || unchanged !== rows - changed || !stats.balanced()) {
      throw new Error(`${phase}: wrote ${stats.rowsOut - unchanged} rows and skipped ${unchanged}, expected ${changed} and ${rows - changed}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  let stateBytes: number | null = null;
  if (phase !== 'generate') stateBytes = statSync(newtailStatePath(dir, PREFIX)).size;
  return {
    phase,
    rows,
    seconds: Math.round(seconds * 100) / 100,
    rowsWritten: phase === 'generate' ? 0 : stats.rowsOut - unchanged,
    rowsUnchanged: unchanged,
    files,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    stateBytes,
  };
}

async function main(): Promise<void> {
  const rows = Number(argument('--rows') ?? 10_000_000);
  if (!Number.isInteger(rows) || rows < CHANGE_EVERY) throw new Error(`--rows must be an integer of at least ${CHANGE_EVERY}`);
  const rowGroupSize = argument('--row-group') === undefined ? undefined : Number(argument('--row-group'));
  const phase = argument('--phase') as Phase | undefined;
  if (phase !== undefined) {
    // A child: one phase, its result as JSON on stdout.
    const result = await runPhase(phase, rows, argument('--dir')!, rowGroupSize);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const given = argument('--dir');
  const dir = given ?? mkdtempSync(join(tmpdir(), 'newtail-delta-bench-'));
  const results: PhaseResult[] = [];
  try {
    for (const p of PHASES) {
      // Node flags given to this process (e.g. --max-semi-space-size) apply to each phase too.
      const args = [...process.execArgv, fileURLToPath(import.meta.url), '--phase', p, '--rows', String(rows), '--dir', dir];
      if (rowGroupSize !== undefined) args.push('--row-group', String(rowGroupSize));
      const child = spawnSync(process.execPath, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`phase ${p} failed (exit ${child.status})`);
      const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as PhaseResult;
      results.push(result);
      if (!process.argv.includes('--json')) {
        console.log(
          `${p.padEnd(8)} ${result.seconds.toFixed(1).padStart(8)} s  written ${String(result.rowsWritten).padStart(9)}  unchanged ${String(result.rowsUnchanged).padStart(9)}  files ${result.files}  peak RSS ${result.peakRssMiB} MiB` +
            (result.stateBytes === null ? '' : `  state ${(result.stateBytes / 1e6).toFixed(1)} MB`),
        );
      }
    }
    if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, results }, null, 2));
    else console.log(`newtail folder: ${readdirSync(join(dir, 'newtail', PREFIX)).join(', ')}`);
  } finally {
    if (given === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
