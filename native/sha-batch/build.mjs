// Builds the optional sha_batch addon (batch SHA-256/SHA-1/MD5, see sha_batch.c) offline, against
// the headers of the Node that runs this script. It never fails the package build: without
// headers, compiler or node-gyp it prints one warning and exits 0, and src/hash-batch.ts then
// uses its crypto.hash() loop (same digests, ~3x slower).
//
// Usage: node native/sha-batch/build.mjs [--force]   (skips work when the addon is up to date)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = join(here, 'build', 'Release', 'sha_batch.node');
const sources = ['sha_batch.c', 'binding.gyp', 'build.mjs'].map((f) => join(here, f));
const force = process.argv.includes('--force');

function warn(message) {
  console.warn(`warning: native hashing not built (${message}); hashing uses crypto.hash() instead.`);
}

/** Node's own headers: npm's nodedir setting, or the install prefix of this very node binary. */
function findNodedir() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')];
  return candidates.find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h')) && existsSync(join(dir, 'include', 'node', 'common.gypi')));
}

/** The node-gyp that ships inside npm, found without network or PATH lookups. */
function findNodeGyp() {
  const bin = dirname(process.execPath);
  const candidates = [
    process.env.npm_config_node_gyp, // set by npm for lifecycle scripts
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(bin, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), // Unix layout
    join(bin, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), // Windows layout
  ];
  return candidates.find((file) => file && file.endsWith('.js') && existsSync(file));
}

function loads() {
  try {
    process.dlopen({ exports: {} }, addon, constants.dlopen.RTLD_NOW);
    return true;
  } catch (error) {
    return error;
  }
}

function upToDate() {
  if (!existsSync(addon)) return false;
  const built = statSync(addon).mtimeMs;
  return sources.every((f) => statSync(f).mtimeMs <= built) && loads() === true;
}

/** The few lines of a failed command that say why, not node-gyp's banner. */
function why(error) {
  if (error.code === 'ENOENT') return `${error.path} not found`;
  const lines = `${error.stderr ?? ''}${error.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const stack = lines.find((l) => l.startsWith('gyp ERR! stack Error:'));
  if (stack) return stack.slice('gyp ERR! stack '.length);
  const errors = lines.filter((l) => /error/i.test(l) && !l.startsWith('gyp ERR!'));
  return (errors.length ? errors : lines).slice(0, 3).join('\n') || String(error.message);
}

function viaNodeGyp(nodeGyp, nodedir) {
  // --nodedir keeps node-gyp from downloading headers; rebuild = clean + configure + build.
  execFileSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=error'], { cwd: here, stdio: 'pipe' });
}

/** Without node-gyp or Python: the one compiler line node-gyp would run (Linux and macOS). */
function viaCompiler(nodedir) {
  if (process.platform === 'win32') throw new Error('node-gyp not found');
  const cc = process.env.CC || 'cc';
  mkdirSync(dirname(addon), { recursive: true });
  const link = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  execFileSync(cc, ['-O3', '-fPIC', '-Wall', `-I${join(nodedir, 'include', 'node')}`, ...link, '-o', addon, join(here, 'sha_batch.c')], { stdio: 'pipe' });
}

function main() {
  if (!force && upToDate()) return;
  const nodedir = findNodedir();
  if (!nodedir) return warn('Node headers not found beside this node binary; set npm_config_nodedir');
  const nodeGyp = findNodeGyp();
  const failures = [];
  if (nodeGyp) {
    try {
      viaNodeGyp(nodeGyp, nodedir);
    } catch (error) {
      failures.push(`node-gyp: ${why(error)}`);
    }
  }
  if (!nodeGyp || failures.length) {
    try {
      viaCompiler(nodedir);
      failures.length = 0;
    } catch (error) {
      failures.push(`compiler: ${why(error)}`);
    }
  }
  if (failures.length) return warn(failures.join('; '));
  const loaded = loads();
  if (loaded !== true) return warn(`built, but it does not load: ${loaded.message}`);
  console.log('native hashing built: native/sha-batch/build/Release/sha_batch.node');
}

main();
