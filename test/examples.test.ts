import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCsv } from '../benchmarks/generate.js';
import { defaultThreads } from '../src/pipeline/parallel.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..');

/** The README's snippets live in examples/ and run here against the built package. */
describe('examples', () => {
  it('composes the stages with pipeline() (ESM, by package name)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples', 'compose.mjs')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79',
      '1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e',
    ]);
  });

  it('works from CommonJS', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples', 'require.cjs')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    const [hash, names] = r.stdout.trim().split('\n');
    expect(hash).toBe('f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79');
    expect(names!.split(',')).toEqual(expect.arrayContaining(['meta', 'google']));
  });

  it('from CommonJS, runs a large CSV on worker threads, with the same output as ESM', async () => {
    const dir = tempDir();
    const input = join(dir, 'crm.csv');
    await generateCsv(input, 50_000); // ~5 MB: past the size where runs go to the workers
    const run = (entry: string, out: string) => {
      const load = entry.endsWith('.cjs') ? `Promise.resolve(require(${JSON.stringify(entry)}))` : `import(${JSON.stringify(pathToFileURL(entry).href)})`;
      const script =
        `${load}.then(({ runDestination }) => runDestination({ destination: 'meta', input: ${JSON.stringify(input)}, out: ${JSON.stringify(out)}, defaultCountry: 'US', sessionId: '77' }))` +
        `.then((r) => console.log(JSON.stringify(r.report.options)), (e) => { console.error(e); process.exit(1); });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { threads: number };
    };
    const cjs = run(join(ROOT, 'dist', 'cjs', 'index.cjs'), join(dir, 'cjs'));
    const esm = run(join(ROOT, 'dist', 'src', 'index.js'), join(dir, 'esm'));
    expect(cjs.threads).toBe(defaultThreads());
    expect(esm.threads).toBe(defaultThreads());
    const batch = (out: string) => readFileSync(join(out, 'meta', 'batch-000001.json'), 'utf8');
    expect(batch(join(dir, 'cjs'))).toBe(batch(join(dir, 'esm')));
  });
});
