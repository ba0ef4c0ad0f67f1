/**
 * Which way to write bzip2: measures each candidate compressor on the same DataX-shaped CSV.
 *
 * Input: a generated file of `--rows` (default 1,000,000) rows `PXID,SHA256EMAIL,SHA256PHONE`,
 * deterministic (row i's PXID is `cust-<i>`, its hashes sha256(`user<i>@example.com`) and
 * sha256(`+1555<i>`)), written once to a temporary folder. Each candidate then runs in its own
 * Node process (so peak memory is its own) and compresses that file, read as a stream, to
 * another file. Reported: wall time, input MB/s, output size, the Node process's peak RSS, and
 * the compressor child's peak RSS (VmHWM, Linux) when there is one. Before any figure is
 * printed, the output is decompressed by the system's `bzip2 -dc` and its bytes compared with
 * the input (SHA-256 and line count), so a fast but wrong writer cannot win.
 *
 * Candidates: `bzip2` and `lbzip2` as child processes (sinks/bzip2.ts), `lbzip2 -n 1`, `lbzip2 -n 1
 * -1` (DataX's level), 7-Zip's own bzip2 encoder on one thread at its fastest (`7zz -tbzip2 -mx1
 * -mmt1`, Debian package 7zip, where installed), and two
 * in-process writers if their packages can be found under `--modules DIR` (they are not project
 * dependencies): `compressjs` (pure JS) and `node-bzip2` (native libbz2 binding). Both compress
 * whole buffers only, so they are driven as a stream of independent ~900 kB bzip2 streams, which
 * bzip2 and unbzip2-stream read as one file. `copy` (no compression) is the baseline.
 *
 * Run after the build:  node dist/benchmarks/bzip2-writers.js [--rows N] [--repeat N] [--only a,b] [--modules DIR]
 *   e.g. (cd /tmp/bz && npm i compressjs node-bzip2) then --modules /tmp/bz/node_modules
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBzip2Compressor } from '../sinks/bzip2.js';

const CANDIDATES = ['copy', 'bzip2', 'lbzip2', 'lbzip2-n1', 'lbzip2-n1-l1', '7zz-mx1', 'node-bzip2', 'compressjs'] as const;
type Candidate = (typeof CANDIDATES)[number];

interface Measurement {
  candidate: Candidate;
  seconds: number;
  outputBytes: number;
  nodePeakRssKiB: number;
  childPeakRssKiB: number | null;
  /** CPU time of the Node process and the compressor child together: steadier than wall time on a busy machine. */
  cpuSeconds: number;
}

/** A bzip2 block's worth of input: each chunk becomes its own bzip2 stream. */
const CHUNK_BYTES = 900_000 - 19;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('PXID,SHA256EMAIL,SHA256PHONE\n');
  for (let i = 0; i < rows; i += 10_000) {
    let text = '';
    for (let j = i; j < Math.min(rows, i + 10_000); j++) {
      const email = createHash('sha256').update(`user${j}@example.com`).digest('hex');
      const phone = createHash('sha256').update(`+1555${String(j).padStart(7, '0')}`).digest('hex');
      text += `cust-${j},${email},${phone}\n`;
    }
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
}

/** Compresses whole chunks with `compress` (possibly async), in order, up to `inFlight` at once. */
function chunked(compress: (chunk: Buffer) => Buffer | Promise<Buffer>, inFlight: number): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const queue: Promise<Buffer>[] = [];
  const drainTo = async (stream: Transform, limit: number) => {
    while (queue.length > limit) stream.push(await queue.shift()!);
  };
  const cut = () => {
    const whole = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    return whole;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      let work = Promise.resolve();
      while (pendingBytes >= CHUNK_BYTES) {
        const whole = cut();
        for (let offset = 0; offset < whole.length; offset += CHUNK_BYTES) {
          const piece = whole.subarray(offset, offset + CHUNK_BYTES);
          if (piece.length < CHUNK_BYTES) {
            pending = [piece];
            pendingBytes = piece.length;
            break;
          }
          queue.push(Promise.resolve(compress(piece)));
        }
        work = drainTo(this, inFlight - 1);
      }
      work.then(() => callback(), callback);
    },
    flush(callback: TransformCallback) {
      if (pendingBytes > 0) queue.push(Promise.resolve(compress(cut())));
      drainTo(this, 0).then(() => callback(), callback);
    },
  });
}

function compressorFor(candidate: Candidate, modules: string): Duplex & { pid?: number | undefined } {
  const load = (name: string): any => createRequire(join(modules, 'noop.js'))(name);
  switch (candidate) {
    case 'copy':
      return new PassThrough();
    case 'bzip2':
      return createBzip2Compressor({ program: 'bzip2' });
    case 'lbzip2':
      return createBzip2Compressor({ program: 'lbzip2' });
    case 'lbzip2-n1':
      return createBzip2Compressor({ program: 'lbzip2', threads: 1 });
    case 'lbzip2-n1-l1':
      return createBzip2Compressor({ program: 'lbzip2', threads: 1, level: 1 });
    case '7zz-mx1': {
      // stdin to stdout (-si -so); the archive name is required but unused.
      const child = spawn('7zz', ['a', '-tbzip2', '-mx1', '-mmt1', '-si', '-so', 'stdout.bz2'], { stdio: ['pipe', 'pipe', 'ignore'] });
      const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout }) as Duplex & { pid?: number };
      child.on('error', (error) => duplex.destroy(error));
      child.on('close', (code) => {
        if (code !== 0) duplex.destroy(new Error(`7zz exited with ${code}`));
      });
      duplex.pid = child.pid;
      return duplex;
    }
    case 'node-bzip2': {
      const binding = load('node-bzip2');
      // compressAsync runs on libuv's pool: two chunks in flight use both cores.
      return chunked((chunk) => binding.compressAsync(chunk, { level: 9 }).then((out: Uint8Array) => Buffer.from(out)), 2);
    }
    case 'compressjs': {
      const { Bzip2 } = load('compressjs');
      return chunked((chunk) => Buffer.from(Bzip2.compressFile(chunk, undefined, 9)), 1);
    }
  }
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux build Node supports. */
const CLOCK_TICKS = 100;

/**
 * Peak resident set (KiB) and CPU seconds of a child process, sampled every 50 ms while it runs
 * (Linux only; the last sample is at most 50 ms old when the child exits).
 */
function watchChild(pid: number | undefined): { stop(): { peakKiB: number | null; cpuSeconds: number } } {
  let peakKiB: number | null = null;
  let cpuSeconds = 0;
  const sample = () => {
    if (pid === undefined) return;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKiB = Math.max(peakKiB ?? 0, Number(match[1]));
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
      cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // the process has exited; keep the last sample
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      return { peakKiB, cpuSeconds };
    },
  };
}

function selfPeakKiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : process.resourceUsage().maxRSS;
}

async function runWorker(candidate: Candidate, input: string, output: string, modules: string): Promise<void> {
  const started = process.hrtime.bigint();
  const compressor = compressorFor(candidate, modules);
  const watcher = watchChild(compressor.pid);
  const cpuBefore = process.cpuUsage();
  await pipeline(createReadStream(input, { highWaterMark: 256 * 1024 }), compressor, createWriteStream(output));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const child = watcher.stop();
  const measurement: Measurement = {
    candidate,
    seconds,
    outputBytes: statSync(output).size,
    // VmHWM, not resourceUsage().maxRSS: on Linux ru_maxrss carries the parent's peak across exec.
    nodePeakRssKiB: selfPeakKiB(),
    childPeakRssKiB: child.peakKiB,
    cpuSeconds: (cpu.user + cpu.system) / 1e6 + child.cpuSeconds,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

/** SHA-256 and newline count of a stream, read in chunks: the parent stays small too. */
async function digestOf(stream: NodeJS.ReadableStream): Promise<{ digest: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { digest: hash.digest('hex'), lines };
}

/** Decompresses with the system's bzip2 (an independent reader) and checks bytes and rows. */
async function check(output: string, inputDigest: string, rows: number): Promise<void> {
  const child = spawn('bzip2', ['-dc', output], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const { digest, lines } = await digestOf(child.stdout);
  if ((await exited) !== 0) throw new Error(`${output}: bzip2 -dc failed`);
  if (lines !== rows + 1) throw new Error(`${output}: ${lines - 1} rows after decompression, expected ${rows}`);
  if (digest !== inputDigest) throw new Error(`${output}: decompressed bytes differ from the input`);
}

function runCandidate(candidate: Candidate, input: string, output: string, modules: string): Promise<Measurement> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--worker', candidate, input, output, modules], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (part: string) => (text += part));
    child.on('error', reject);
    child.on('close', (code) => {
      // A native module may print lines of its own (node-bzip2 prints one at exit).
      const last = text.split('\n').find((line) => line.startsWith('{')) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`worker exited with ${code}`));
      else resolve(JSON.parse(last) as Measurement);
    });
  });
}

function row(cells: string[]): string {
  const widths = [12, 8, 7, 10, 7, 10, 9, 10];
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' ');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') {
    const [, , , candidate, input, output, modules] = process.argv;
    await runWorker(candidate as Candidate, input!, output!, modules!);
    return;
  }
  const rows = Number(argument('--rows') ?? 1_000_000);
  if (!Number.isInteger(rows) || rows < 1) throw new Error('--rows: expected a positive integer');
  const modules = argument('--modules') ?? process.cwd();
  const only = argument('--only')?.split(',');
  const repeat = Number(argument('--repeat') ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat: expected a positive integer');
  const dir = mkdtempSync(join(tmpdir(), 'bzip2-writers-'));
  try {
    const input = join(dir, 'input.csv');
    await generate(input, rows);
    const inputBytes = statSync(input).size;
    const { digest: inputDigest } = await digestOf(createReadStream(input));
    console.log(`${rows} rows, ${(inputBytes / 1e6).toFixed(1)} MB of CSV; one Node process per run, best of ${repeat}\n`);
    console.log(row(['candidate', 'seconds', 'MB/s', 'rows/s', 'CPU s', 'output MB', 'node RSS', 'child RSS']));
    for (const candidate of CANDIDATES) {
      if (only && !only.includes(candidate)) continue;
      const output = join(dir, `${candidate}.out`);
      let best: Measurement | undefined;
      try {
        for (let run = 0; run < repeat; run++) {
          const m = await runCandidate(candidate, input, output, modules);
          if (candidate !== 'copy') await check(output, inputDigest, rows);
          // Best wall time (a busy machine only ever adds to it); the highest memory seen.
          if (best === undefined || m.seconds < best.seconds) best = { ...m, nodePeakRssKiB: Math.max(m.nodePeakRssKiB, best?.nodePeakRssKiB ?? 0) };
        }
      } catch (err) {
        console.log(row([candidate, `unavailable: ${(err as Error).message.split('\n')[0]}`]));
        continue;
      }
      const m = best!;
      console.log(
        row([
          candidate,
          m.seconds.toFixed(2),
          (inputBytes / 1e6 / m.seconds).toFixed(1),
          Math.round(rows / m.seconds).toLocaleString('en-US'),
          m.cpuSeconds.toFixed(1),
          (m.outputBytes / 1e6).toFixed(1),
          `${(m.nodePeakRssKiB / 1024).toFixed(0)} MB`,
          m.childPeakRssKiB === null ? '-' : `${(m.childPeakRssKiB / 1024).toFixed(1)} MB`,
        ]),
      );
      rmSync(output, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
