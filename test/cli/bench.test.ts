import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'audience-etl.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  scenario: string;
  rows: number;
  seconds: number;
  per_second: number;
  ratio?: number;
  ratio_duckdb?: number;
  ratio_python?: number;
  runs?: number[];
}

describe('audience-etl bench (built CLI, a small input)', { timeout: 120_000 }, () => {
  it('runs rounds in turn and reports each end-to-end scenario at its median round', () => {
    const r = cli(['bench', '--rows', '2000', '--destinations', 'meta,liveintent', '--rounds', '3', '--json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const { rows, rounds, results } = JSON.parse(r.stdout) as { rows: number; rounds: number; results: Row[] };
    expect([rows, rounds]).toEqual([2000, 3]);
    // Progress names each round of each scenario.
    expect(r.stderr).toMatch(/run liveintent \(round 3 of 3\)/);

    const endToEnd = results.filter((row) => row.runs !== undefined);
    const names = endToEnd.map((row) => row.scenario);
    expect(names[0]).toMatch(/^naive Node/);
    expect(names.slice(-2)).toEqual(['run meta', 'run liveintent']);
    const naive = endToEnd[0]!;
    for (const row of endToEnd) {
      expect(row.rows).toBe(2000);
      expect(row.runs).toHaveLength(3);
      const sorted = [...row.runs!].sort((a, b) => a - b);
      expect(row.seconds).toBe(sorted[1]);
      expect(row.per_second).toBeCloseTo(2000 / row.seconds, 6);
      if (row !== naive) expect(row.ratio).toBeCloseTo(row.per_second / naive.per_second, 6);
    }
    const duck = endToEnd.find((row) => row.scenario.startsWith('DuckDB'));
    const meta = endToEnd.find((row) => row.scenario === 'run meta')!;
    if (duck) expect(meta.ratio_duckdb).toBeCloseTo(meta.per_second / duck.per_second, 6);
    const python = endToEnd.find((row) => row.scenario.startsWith('plain Python'));
    if (python) expect(meta.ratio_python).toBeCloseTo(meta.per_second / python.per_second, 6);
    // The hash and per-field scenarios run once, as before.
    expect(results.filter((row) => row.runs === undefined).map((row) => row.scenario)).toEqual([
      'hash sha256 hex: crypto.hash() per value, 1 core',
      expect.stringMatching(/^hash sha256 hex: batch \((native|js)\), 1 core$/),
      expect.stringMatching(/^hash sha256 hex: batch on \d+ threads, order kept$/),
      'normalize + hash: email',
      'normalize + hash: phone',
      'normalize + hash: first name',
    ]);
  });

  it('one round by default: no rounds column, no runs', () => {
    const r = cli(['bench', '--rows', '500', '--destinations', 'google']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run google\s+500\s/);
    expect(r.stdout).not.toMatch(/rounds/);
  });

  it('refuses a round count that is not a positive whole number', () => {
    const r = cli(['bench', '--rounds', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rounds must be a positive whole number, got "0"/);
  });

  it('stops on Ctrl-C: the scenario running is killed and the generated input removed, exit 130', async () => {
    const tmp = tempDir(); // the bench's temporary folder goes here (TMPDIR)
    const child = spawn(process.execPath, [BIN, 'bench', '--rows', '200000', '--destinations', 'meta'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        // The input is generated; the first end-to-end scenario has started.
        if (/naive Node baseline/.test(stderr)) resolve();
      });
      child.on('close', () => resolve());
    });
    expect(readdirSync(tmp).some((name) => name.startsWith('audience-etl-bench-'))).toBe(true);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr).toMatch(/bench interrupted by SIGINT; its generated input was removed/);
    expect(readdirSync(tmp).filter((name) => name.startsWith('audience-etl-bench-'))).toEqual([]);
  });
});
