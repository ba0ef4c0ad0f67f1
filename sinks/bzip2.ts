/**
 * Streaming bzip2 through the system's `lbzip2` or `bzip2`, run as a child process with
 * stdin/stdout pipes. Why a child process (benchmarks/bzip2-writers.ts, 1,000,000 DataX rows,
 * 142 MB of CSV, on a busy 2-core machine): bzip2 took 12 s of CPU with a flat ~8 MB child and
 * an ~83 MB Node process; lbzip2 the same CPU spread over both cores; the pure-JS compressjs
 * 497 s (30x the CPU, blocking the event loop); the native node-bzip2 binding 16 s of CPU,
 * compresses whole buffers only, and needs a node-gyp + cmake build that npm 11 skips by default.
 * A child process also runs beside the pipeline, on another core, at no cost to the event loop.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';

export type Bzip2Program = 'lbzip2' | 'bzip2';

export interface Bzip2Options {
  /** Which program: `auto` (default) takes `lbzip2` when installed, else `bzip2`. */
  program?: Bzip2Program | 'auto';
  /** Block size 1..9 (×100 kB); 9 (default) is bzip2's own default and compresses best. */
  level?: number;
  /** lbzip2 only: compressor threads (default: lbzip2's own, one per core). */
  threads?: number;
  /** PATH to search; defaults to `process.env.PATH`. For tests. */
  searchPath?: string;
}

/** The program a compressor runs, found on PATH. */
export interface ResolvedBzip2 {
  program: Bzip2Program;
  path: string;
}

/** Debian packages, for the message that tells the user what to install. */
const PACKAGE_HINT = "install the Debian package 'lbzip2' or 'bzip2' (apt-get install -y lbzip2)";

/** Extra arguments bzip2 and lbzip2 read from the environment would change what they do. */
const ENV_ARGS = ['BZIP', 'BZIP2', 'LBZIP2'];

/** Bounded so a chatty child cannot grow memory; bzip2's messages are short. */
const STDERR_LIMIT = 2048;

const found = new Map<string, string | null>();

/** The executable `name` on `searchPath`, or null. Cached: looked up once per run, not per file. */
function which(name: string, searchPath: string): string | null {
  const cacheKey = `${name}\0${searchPath}`;
  const cached = found.get(cacheKey);
  if (cached !== undefined) return cached;
  let hit: string | null = null;
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      hit = candidate;
      break;
    } catch {
      // not in this directory
    }
  }
  found.set(cacheKey, hit);
  return hit;
}

/**
 * Finds the compressor the options ask for. Throws `IO` naming the Debian package to install
 * when it is missing, so a run fails before it reads its input rather than after.
 */
export function resolveBzip2(options: Bzip2Options = {}): ResolvedBzip2 {
  const program = options.program ?? 'auto';
  if (program !== 'auto' && program !== 'lbzip2' && program !== 'bzip2') {
    throw new AudienceEtlError('BAD_OPTION', `bzip2 program ${JSON.stringify(program)}: expected auto, lbzip2 or bzip2`);
  }
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const order: Bzip2Program[] = program === 'auto' ? ['lbzip2', 'bzip2'] : [program];
  for (const name of order) {
    const path = which(name, searchPath);
    if (path !== null) return { program: name, path };
  }
  const wanted = program === 'auto' ? 'neither lbzip2 nor bzip2 is' : `${program} is not`;
  throw new AudienceEtlError('IO', `cannot read or write .bz2 files: ${wanted} installed on PATH; ${PACKAGE_HINT}`);
}

/** The command line for `program`: stdin to stdout. Checks the options first. */
function argumentsFor(program: Bzip2Program, options: Bzip2Options, mode: 'compress' | 'decompress'): string[] {
  const level = options.level ?? 9;
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new AudienceEtlError('BAD_OPTION', `bzip2 level ${String(options.level)}: expected an integer 1..9`);
  }
  const threads = options.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new AudienceEtlError('BAD_OPTION', `bzip2 threads ${String(threads)}: expected a positive integer`);
  }
  const args = mode === 'compress' ? ['-z', '-c', `-${level}`] : ['-d', '-c'];
  if (program === 'lbzip2' && threads !== undefined) args.push('-n', String(threads));
  return args;
}

/** What `createBzip2Compressor` and `createBzip2Decompressor` return: a Duplex that also tells which program it runs. */
export type Bzip2Stream = Duplex & { readonly program: Bzip2Program; readonly pid: number | undefined };

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * A Duplex over the child's stdin and stdout. The readable side ends only after the
 * child has exited with status 0, so a reader never takes a failed compression for a finished
 * one; a non-zero exit, a signal or a broken pipe destroys the stream with an `IO` error.
 * Destroying it kills the child.
 */
class Bzip2Process extends Duplex {
  readonly program: Bzip2Program;
  /** The child's process id (for measuring it), undefined when it could not start. */
  readonly pid: number | undefined;
  private readonly child: Child;
  private stderr = '';
  private pipeError: Error | undefined;
  private exited = false;
  private inputEnded = false;
  private finalCallback: ((error?: Error | null) => void) | undefined;

  constructor(resolved: ResolvedBzip2, args: string[]) {
    super();
    this.program = resolved.program;
    const env = { ...process.env };
    for (const name of ENV_ARGS) delete env[name];
    this.child = spawn(resolved.path, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const { child } = this;
    this.pid = child.pid;
    child.on('error', (err: NodeJS.ErrnoException) => this.onSpawnError(err));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += text.slice(0, STDERR_LIMIT - this.stderr.length);
    });
    // A broken pipe is reported once the child's exit status is known: it says more.
    const onPipeError = (err: Error) => {
      this.pipeError ??= err;
      if (!this.exited) child.kill('SIGTERM');
    };
    child.stdin.on('error', onPipeError);
    child.stdout.on('error', onPipeError);
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => this.onClose(code, signal));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // On a write error the callback is held: onClose destroys the stream with the better message.
    this.child.stdin.write(chunk, (err) => {
      if (!err) callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inputEnded = true;
    this.finalCallback = callback;
    this.child.stdin.end();
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.exited && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    callback(error);
  }

  private onSpawnError(err: NodeJS.ErrnoException): void {
    this.exited = true;
    const message =
      err.code === 'ENOENT'
        ? `cannot run ${this.program}: not found; ${PACKAGE_HINT}`
        : `cannot run ${this.program}: ${err.message}`;
    this.destroy(new AudienceEtlError('IO', message, { stage: 'bzip2' }, { cause: err }));
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    if (this.destroyed) return;
    // Status 0 is success only once the child was given all its input: `close` waits for its
    // stdout and stderr, not for its stdin, so an early exit can be seen before the broken pipe.
    if (code === 0 && this.pipeError === undefined && this.inputEnded) {
      this.push(null);
      const callback = this.finalCallback;
      this.finalCallback = undefined;
      callback?.();
      return;
    }
    const status =
      code === 0
        ? 'exited before it read all its input'
        : code !== null
          ? `exited with status ${code}`
          : `was stopped by ${signal ?? 'a signal'}`;
    const detail = this.stderr.trim() || this.pipeError?.message;
    const message = `${this.program} ${status}${detail ? `: ${detail.split('\n')[0]}` : ''}`;
    this.destroy(new AudienceEtlError('IO', message, { stage: 'bzip2' }));
  }
}

/**
 * A streaming bzip2 compressor (see the file's header for why a child process). Throws at once,
 * naming the package to install, when no compressor is on PATH.
 */
export function createBzip2Compressor(options: Bzip2Options = {}): Bzip2Stream {
  const resolved = resolveBzip2(options);
  return new Bzip2Process(resolved, argumentsFor(resolved.program, options, 'compress'));
}

/**
 * The same child process the other way: a `.bz2` byte stream in, its data out, ending only when
 * the program has checked every block's CRC and exited with status 0. About five times faster
 * than unbzip2-stream (pure JS) on DataX files; a damaged or truncated input destroys the stream
 * with an `IO` error carrying the program's own message.
 */
export function createBzip2Decompressor(options: Omit<Bzip2Options, 'level'> = {}): Bzip2Stream {
  const resolved = resolveBzip2(options);
  return new Bzip2Process(resolved, argumentsFor(resolved.program, options, 'decompress'));
}
