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
/** Bundled CommonJS dependencies call require(); an ES module has none of its own. */
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
/** The bundles: one file for Node 20, from the JavaScript tsc emitted. */
const bundle = (entry, outfile, options) =>
  esbuild.build({ entryPoints: [join(root, entry)], outfile: join(root, outfile), bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', ...options });
await bundle('dist/src/index.js', 'dist/cjs/index.cjs', {
  format: 'cjs',
  // import.meta.url is the bundle's own file, as in ESM: modules find the package root from it
  // (the worker threads' bundle, the native hasher), so require() users get workers too.
  define: { 'import.meta.url': '__audienceEtlModuleUrl' },
  banner: { js: "const __audienceEtlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Dependencies stay external, except ESM-only ones that require() cannot load on every Node 20.
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => !ESM_ONLY.has(d)),
});
// The CLI as one file: importing dist/src/cli/main.js loads ~225 ES modules (77 of ours, 93 of
// libphonenumber-js) in ~180 ms at every command's start; the one file loads in ~60 ms. Left
// outside: packages loaded only by commands that need them (uploads, LiveIntent's zip, the bench,
// which finds its scenario script next to its own module) and the native snappy addon. The bundle
// sits beside main.js, so its relative paths (package.json, ../../benchmarks/run.js) mean what
// they meant there.
await bundle('dist/src/cli/main.js', 'dist/src/cli/main.bundle.js', {
  format: 'esm',
  external: ['archiver', 'snappy', 'ssh2', '@aws-sdk/*', 'parquetjs-lite', '@duckdb/*'],
  plugins: [{ name: 'bench-outside', setup: (build) => build.onResolve({ filter: /\/benchmarks\/run\.js$/ }, (args) => ({ path: args.path, external: true })) }],
  banner: { js: REQUIRE_BANNER },
});
// The worker threads' module as one file: a worker loads the whole per-block pass at start, and
// resolving and compiling ~90 files cost each worker ~0.1 s of CPU and ~90 ms before its first
// block. archiver stays external: LiveIntent loads it only when it writes a zip, never in a worker;
// so does snappy (a native addon; pages are compressed on the main thread).
await bundle('dist/src/pipeline/worker.js', 'dist/src/pipeline/worker.bundle.js', {
  format: 'esm',
  external: ['archiver', 'snappy'],
  banner: { js: REQUIRE_BANNER },
});
