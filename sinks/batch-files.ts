import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { encodedRange } from '../src/destinations/encoded.js';
import { isEncoded, type DestinationSink, type EncodedRows, type SinkResult } from '../src/destinations/types.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { moveIntoPlace, tempPathFor } from './atomic-file.js';

/**
 * A numbered series of request bodies (`batch-000001.json`, …) in one folder. Each body is
 * written under a temporary name as it is made; `commit()` renames the whole series into place
 * at once and removes numbered files a previous run left (so an upload never mixes two runs).
 * `abort()` removes the temporary files: a failed run leaves no file that looks finished.
 */
export class BatchFileSet {
  private readonly temps: string[] = [];
  private ready: Promise<unknown> | undefined;
  /** The write under way, so that abort() removes a file only once it is no longer being made. */
  private writing: Promise<unknown> = Promise.resolve();
  private aborted = false;

  constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly extension = '.json',
  ) {}

  /** Final name of the n-th body (1-based). */
  nameOf(n: number): string {
    return `${this.prefix}${String(n).padStart(6, '0')}${this.extension}`;
  }

  get count(): number {
    return this.temps.length;
  }

  /** Writes the next body whole; returns its number (1-based). */
  async add(body: string): Promise<number> {
    const { n, writer } = await this.begin();
    await writer.write(body);
    await writer.close();
    return n;
  }

  /**
   * Starts the next body as a file written piece by piece (large bodies never become one string);
   * returns its number (1-based) and a writer. Pieces are gathered into writes of about 256 KiB.
   */
  async begin(): Promise<{ n: number; writer: BodyWriter }> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    if (this.aborted) throw new Error('the batch series was aborted');
    const n = this.temps.length + 1;
    const temp = tempPathFor(join(this.dir, this.nameOf(n)));
    this.temps.push(temp);
    const opening = open(temp, 'wx');
    this.writing = opening;
    return { n, writer: new BodyWriter(await opening, (p) => (this.writing = p)) };
  }

  /** Overwrites bytes of the n-th body in place (fixed-width fields known only at the end). */
  async patch(n: number, offset: number, text: string): Promise<void> {
    const handle = await open(this.temps[n - 1]!, 'r+');
    try {
      await handle.write(text, offset, 'utf8');
    } finally {
      await handle.close();
    }
  }

  /** Removes stale numbered files, then renames every body into place; returns the final names. */
  async commit(): Promise<string[]> {
    const names = this.temps.map((_, i) => this.nameOf(i + 1));
    const keep = new Set(names);
    const pattern = new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d{6}${this.extension.replace('.', '\\.')}$`);
    let existing: string[] = [];
    try {
      existing = await readdir(this.dir);
    } catch {
      existing = [];
    }
    await Promise.all(existing.filter((f) => pattern.test(f) && !keep.has(f)).map((f) => rm(join(this.dir, f), { force: true })));
    for (let i = 0; i < this.temps.length; i++) await moveIntoPlace(this.temps[i]!, join(this.dir, names[i]!));
    this.temps.length = 0;
    return names;
  }

  async abort(): Promise<void> {
    this.aborted = true;
    await this.writing.catch(() => undefined);
    await Promise.all(this.temps.map((t) => rm(t, { force: true })));
    this.temps.length = 0;
  }
}

/** Appends text or UTF-8 bytes to one body file in large writes; `close()` flushes and closes it. */
export class BodyWriter {
  private pending: (string | Uint8Array)[] = [];
  /** Called once the pending pieces have reached the file (see `afterWrite`). */
  private written: (() => void)[] = [];
  private pendingLength = 0;
  private pendingBytes = false;
  /** Bytes handed to the file so far. */
  bytes = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly track: (p: Promise<unknown>) => void,
  ) {}

  /** Queues text or bytes; resolves once a full write, if one was due, has reached the file. */
  async write(data: string | Uint8Array): Promise<void> {
    this.pending.push(data);
    this.pendingLength += data.length;
    if (typeof data !== 'string') this.pendingBytes = true;
    if (this.pendingLength >= 1 << 18) await this.flush();
  }

  /** Calls `done` once everything written so far has reached the file: now, when nothing waits. */
  afterWrite(done: () => void): void {
    if (this.pending.length === 0) done();
    else this.written.push(done);
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const pending = this.pending;
    const written = this.written;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.written = [];
    this.pendingLength = 0;
    this.pendingBytes = false;
    let p: Promise<unknown>;
    if (bytes) {
      // Bytes (worker threads' encoded rows) go to the file as they are, in one gathered write:
      // copying them into one buffer first cost as much again, and the collections its garbage caused.
      const buffers = pending.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece));
      for (const buffer of buffers) this.bytes += buffer.byteLength;
      p = this.handle.writev(buffers);
    } else {
      const data = Buffer.from((pending as string[]).join(''), 'utf8');
      this.bytes += data.length;
      p = this.handle.write(data);
    }
    this.track(p);
    await p;
    for (const done of written) done();
  }

  async close(): Promise<void> {
    await this.flush();
    const p = this.handle.close();
    this.track(p);
    await p;
  }
}

/** The body being written in a series, and how many items (rows, members) it holds. */
export interface OpenBody {
  writer: BodyWriter;
  count: number;
}

/**
 * Appends the items of `encoded` (each one starting with `,`) to a series of bodies of at most
 * `perBody` items, a run of whole items per write: `open()` starts a body when `current()` has
 * none (its first item drops the comma), `close()` ends one that is full.
 */
export async function appendItems(
  encoded: EncodedRows,
  perBody: number,
  body: { current(): OpenBody | undefined; open(): Promise<OpenBody>; close(): Promise<void> },
): Promise<void> {
  const ends = encoded.ends;
  for (let i = 0, at = 0; i < ends.length; ) {
    const current = body.current() ?? (await body.open());
    const take = Math.min(ends.length - i, perBody - current.count);
    const end = ends[i + take - 1]!;
    await current.writer.write(encodedRange(encoded, current.count === 0 ? at + 1 : at, end));
    current.count += take;
    i += take;
    at = end;
    if (current.count >= perBody) await body.close();
  }
  // Closed bodies are written; the open one may still hold pieces of these bytes.
  const release = encoded.release;
  if (release !== undefined) {
    const open = body.current();
    if (open === undefined) release();
    else open.writer.afterWrite(release);
  }
}

/**
 * The sink around a BatchFileSet: rows go to `writeRows`, `finish` completes the last body (and
 * patches what only the end knows), then the series is renamed into place as `<folder>/<name>`;
 * a destroyed sink removes its temporary bodies.
 */
export function batchSeriesSink(
  files: BatchFileSet,
  folder: string,
  handlers: { writeRows(rows: readonly Row[]): Promise<void>; writeEncoded(chunk: EncodedRows): Promise<void>; finish(): Promise<void> },
): DestinationSink {
  let written: string[] = [];
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(chunk: RowChunk | EncodedRows, _encoding, callback) {
      const written = isEncoded(chunk) ? handlers.writeEncoded(chunk) : handlers.writeRows(Array.isArray(chunk) ? chunk : [chunk]);
      written.then(() => callback(), callback);
    },
    final(callback) {
      (async () => {
        await handlers.finish();
        written = (await files.commit()).map((name) => join(folder, name));
      })().then(() => callback(), callback);
    },
    destroy(err, callback) {
      files.abort().then(() => callback(err), () => callback(err));
    },
  }) as DestinationSink;
  sink.result = (): SinkResult => ({ files: written });
  return sink;
}
