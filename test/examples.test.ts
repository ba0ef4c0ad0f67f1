import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
});
