// Builds the package: tsc emits ESM JavaScript and declarations to dist/, then esbuild bundles a
// CommonJS entry (dist/cjs/index.cjs) for require() users. Runs on `npm install` (prepare).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
rmSync(join(root, 'dist'), { recursive: true, force: true });
// TypeScript 7 exports no bin path; its package folder still holds bin/tsc (a node launcher).
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
// Optional native batch hasher: builds offline against this Node's own headers, only warns when it cannot.
try {
  execFileSync(process.execPath, [join(root, 'native', 'sha-batch', 'build.mjs')], { stdio: 'inherit', cwd: root });
} catch {
  console.warn('warning: native hashing not built; hashing uses crypto.hash() instead.');
}
const esbuild = await import('esbuild');
/** Dependencies that ship only ESM: bundled into the CommonJS entry, since not every Node 20 require()s ESM. */
const ESM_ONLY = new Set(['hyparquet-writer']);
const pkg = require(join(root, 'package.json'));
/** Both bundles: one file for Node 20, from the JavaScript tsc emitted. */
const bundle = (entry, outfile, options) =>
  esbuild.build({ entryPoints: [join(root, entry)], outfile: join(root, outfile), bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', ...options });
await bundle('dist/src/index.js', 'dist/cjs/index.cjs', {
  format: 'cjs',
  // Dependencies stay external, except ESM-only ones that require() cannot load on every Node 20.
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => !ESM_ONLY.has(d)),
});
// The worker threads' module as one file: a worker loads the whole per-block pass at start, and
// resolving and compiling ~90 files cost each worker ~0.1 s of CPU and ~90 ms before its first
// block. archiver stays external: LiveIntent loads it only when it writes a zip, never in a worker;
// so does snappy (a native addon; pages are compressed on the main thread).
await bundle('dist/src/pipeline/worker.js', 'dist/src/pipeline/worker.bundle.js', {
  format: 'esm',
  external: ['archiver', 'snappy'],
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
