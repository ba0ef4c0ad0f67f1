import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import unbzip2 from 'unbzip2-stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createBzip2Compressor,
  createBzip2Decompressor,
  resolveBzip2,
  type Bzip2Program,
} from '../../sinks/bzip2.js';
import { AudienceEtlError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

/** The programs on this machine: bzip2 always (the CI installs it), lbzip2 where installed. */
const PROGRAMS = (['bzip2', 'lbzip2'] as const).filter((program) => {
  try {
    resolveBzip2({ program });
    return true;
  } catch {
    return false;
  }
});

/** Some megabytes of DataX-shaped lines: more than a pipe and a 900 kB block hold. */
function sample(rows: number): Buffer {
  const lines: string[] = ['PXID,SHA256EMAIL'];
  for (let i = 0; i < rows; i++) lines.push(`cust-${i},${createHash('sha256').update(`u${i}`).digest('hex')}`);
  return Buffer.from(lines.join('\n') + '\n');
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

/** A stand-in program on a private PATH, to make the compressor fail in known ways. */
function fakeProgram(name: Bzip2Program, script: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(PROGRAMS)('createBzip2Compressor with %s', (program) => {
  it('writes a file that bzip2 -t accepts and that both bzip2 and unbzip2-stream read back exactly', async () => {
    const input = sample(15_000); // 1.1 MB: two 900 kB blocks
    const path = join(tempDir(), 'out.bz2');
    const compressor = createBzip2Compressor({ program });
    expect(compressor.program).toBe(program);
    // Small chunks, so writes run into backpressure many times.
    const chunks = Array.from({ length: Math.ceil(input.length / 4096) }, (_, i) => input.subarray(i * 4096, (i + 1) * 4096));
    await pipeline(Readable.from(chunks), compressor, createWriteStream(path));
    execFileSync('bzip2', ['-t', path]);
    expect(execFileSync('bzip2', ['-dc', path], { maxBuffer: 1 << 28 }).equals(input)).toBe(true);
    const parts: Buffer[] = [];
    await pipeline(createReadStream(path), unbzip2(), new Writable({ write: (c: Buffer, _e, cb) => { parts.push(c); cb(); } }));
    expect(Buffer.concat(parts).equals(input)).toBe(true);
  }, 60_000);

  it('turns empty input into a valid empty bzip2 stream', async () => {
    const path = join(tempDir(), 'empty.bz2');
    await pipeline(Readable.from([]), createBzip2Compressor({ program }), createWriteStream(path));
    execFileSync('bzip2', ['-t', path]);
    expect(execFileSync('bzip2', ['-dc', path]).length).toBe(0);
  });

  it('decompresses what it compressed, and fails on a truncated stream with IO', async () => {
    const input = sample(20_000);
    const packed = await collect(Readable.from([input]).pipe(createBzip2Compressor({ program, level: 1 })));
    expect((await collect(Readable.from([packed]).pipe(createBzip2Decompressor({ program })))).equals(input)).toBe(true);
    const cut = Readable.from([packed.subarray(0, packed.length - 50)]);
    await expect(pipeline(cut, createBzip2Decompressor({ program }), new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toMatchObject({
      code: 'IO',
      stage: 'bzip2',
    });
  });

  it('kills the program when destroyed', async () => {
    const compressor = createBzip2Compressor({ program });
    const pid = compressor.pid!;
    compressor.write(sample(1000));
    expect(alive(pid)).toBe(true);
    const closed = new Promise((resolve) => compressor.once('close', resolve));
    compressor.destroy();
    await closed;
    for (let i = 0; i < 500 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(alive(pid)).toBe(false);
  });
});

describe('createBzip2Compressor failures', () => {
  const originalEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...originalEnv };
  });

  it('names the Debian package when no program is on PATH', () => {
    const empty = tempDir();
    for (const program of ['auto', 'bzip2', 'lbzip2'] as const) {
      const attempt = () => createBzip2Compressor({ program, searchPath: empty });
      expect(attempt).toThrow(AudienceEtlError);
      expect(attempt).toThrow(/apt-get install -y lbzip2/);
      expect(attempt).toThrow(/'bzip2'/);
    }
  });

  it('prefers lbzip2 and falls back to bzip2', () => {
    const both = fakeProgram('bzip2', 'exit 0');
    writeFileSync(join(both, 'lbzip2'), '#!/bin/sh\n');
    chmodSync(join(both, 'lbzip2'), 0o755);
    expect(resolveBzip2({ searchPath: both })).toEqual({ program: 'lbzip2', path: join(both, 'lbzip2') });
    const onlyBzip2 = fakeProgram('bzip2', 'exit 0');
    expect(resolveBzip2({ searchPath: onlyBzip2 })).toEqual({ program: 'bzip2', path: join(onlyBzip2, 'bzip2') });
  });

  it.each([
    [{ level: 0 }, /level 0/],
    [{ level: 10 }, /level 10/],
    [{ level: 1.5 }, /level 1.5/],
    [{ threads: 0 }, /threads 0/],
    [{ program: 'gzip' as never }, /"gzip"/],
  ])('refuses option %j with BAD_OPTION', (options, message) => {
    expect(() => createBzip2Compressor(options)).toThrow(message);
    expect(() => createBzip2Compressor(options)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });

  it('turns a non-zero exit into an IO error with the status and the first line of stderr, and never ends cleanly', async () => {
    const dir = fakeProgram('bzip2', 'cat >/dev/null; printf "BZh9partial"; echo "bzip2: I/O or other error, bailing out" >&2; exit 3');
    const compressor = createBzip2Compressor({ program: 'bzip2', searchPath: dir });
    let ended = false;
    compressor.on('end', () => (ended = true));
    const run = pipeline(Readable.from([sample(100)]), compressor, new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(run).rejects.toThrow(/^bzip2 exited with status 3: bzip2: I\/O or other error, bailing out/);
    await expect(run).rejects.toMatchObject({ code: 'IO', stage: 'bzip2' });
    expect(ended).toBe(false);
  });

  it('reports a program killed by a signal', async () => {
    const dir = fakeProgram('bzip2', 'kill -9 $$');
    const run = pipeline(Readable.from([sample(100)]), createBzip2Compressor({ program: 'bzip2', searchPath: dir }), new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(run).rejects.toThrow(/bzip2 was stopped by SIGKILL/);
  });

  it('reports a program that exits without reading its input (broken pipe)', async () => {
    const dir = fakeProgram('bzip2', 'exit 0');
    const run = pipeline(Readable.from([sample(50_000)]), createBzip2Compressor({ program: 'bzip2', searchPath: dir }), new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(run).rejects.toMatchObject({ code: 'IO' });
    await expect(run).rejects.toThrow(/^bzip2 exited before it read all its input/);
  });

  it('ignores BZIP2 and BZIP in the environment, which would add arguments', async () => {
    process.env.BZIP2 = '-d';
    process.env.BZIP = '-d';
    process.env.LBZIP2 = '-d';
    const input = sample(100);
    const packed = await collect(Readable.from([input]).pipe(createBzip2Compressor()));
    expect(execFileSync('bzip2', ['-dc'], { input: packed, env: originalEnv }).equals(input)).toBe(true);
  });

  it('reads what the system bzip2 wrote (independent writer)', async () => {
    const input = sample(5000);
    const packed = execFileSync('bzip2', ['-c'], { input, maxBuffer: 1 << 26 });
    const out = await collect(Readable.from([packed]).pipe(createBzip2Decompressor()));
    expect(out.equals(input)).toBe(true);
  });
});
