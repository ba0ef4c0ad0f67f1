import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { AudienceEtlError } from '../errors.js';

/** The journal's file name inside `<dir>/<destination>/`; the leading dot keeps it out of every upload. */
export const JOURNAL_NAME = '.upload-journal.ndjson';

/**
 * One line of the journal. `intent` is written before a request goes out and `ack` once the
 * platform accepted it, so a resumed upload knows which batch was in flight when it died.
 * `target` names where the upload goes (endpoint, audience, operation…), so the same files
 * sent somewhere else are not skipped; `digest` (sha256 of the bytes) makes a file that a new
 * `run` rewrote under the same name count as new.
 */
export interface JournalEntry {
  v: 1;
  type: 'intent' | 'ack';
  target: string;
  file: string;
  digest: string;
  at: string;
  /** What the platform answered (counts and ids only, never values). */
  ack?: Record<string, unknown>;
}

/** The sha256 of a file's bytes, hex; streamed, so any size is fine. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function keyOf(target: string, file: string, digest: string): string {
  return `${target}\u0000${file}\u0000${digest}`;
}

/**
 * An append-only record of what the platform acknowledged, fsync'd after every line. Reading
 * tolerates a torn last line (a process killed mid-write), which is simply ignored: its batch
 * was not acknowledged as far as the journal knows, and is sent again.
 */
export class UploadJournal {
  readonly path: string;
  private readonly acks = new Map<string, JournalEntry>();
  private readonly intents = new Set<string>();
  private handle: FileHandle | undefined;
  private readonly now: () => Date;

  private constructor(path: string, now: () => Date) {
    this.path = path;
    this.now = now;
  }

  /** Reads the journal at `path` if there is one; nothing is created until the first write. */
  static async open(path: string, now: () => Date = () => new Date()): Promise<UploadJournal> {
    const journal = new UploadJournal(path, now);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AudienceEtlError('IO', `cannot read the upload journal: ${(err as Error).message}`, { file: path });
      }
    }
    for (const line of text.split('\n')) {
      const entry = parseEntry(line);
      if (entry === undefined) continue;
      const key = keyOf(entry.target, entry.file, entry.digest);
      if (entry.type === 'ack') {
        journal.acks.set(key, entry);
        journal.intents.delete(key);
      } else if (!journal.acks.has(key)) {
        journal.intents.add(key);
      }
    }
    return journal;
  }

  /** The acknowledgement recorded for this file at this target, if any. */
  acknowledged(target: string, file: string, digest: string): JournalEntry | undefined {
    return this.acks.get(keyOf(target, file, digest));
  }

  /** True when a request for this file went out but its acknowledgement was never recorded. */
  inFlight(target: string, file: string, digest: string): boolean {
    return this.intents.has(keyOf(target, file, digest));
  }

  /** Every acknowledgement recorded for a target, in journal order. */
  acknowledgementsFor(target: string): JournalEntry[] {
    return [...this.acks.values()].filter((entry) => entry.target === target);
  }

  async recordIntent(target: string, file: string, digest: string): Promise<void> {
    await this.append({ v: 1, type: 'intent', target, file, digest, at: this.now().toISOString() });
    this.intents.add(keyOf(target, file, digest));
  }

  async recordAck(target: string, file: string, digest: string, ack: Record<string, unknown> = {}): Promise<JournalEntry> {
    const entry: JournalEntry = { v: 1, type: 'ack', target, file, digest, at: this.now().toISOString(), ack };
    await this.append(entry);
    const key = keyOf(target, file, digest);
    this.acks.set(key, entry);
    this.intents.delete(key);
    return entry;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async append(entry: JournalEntry): Promise<void> {
    try {
      if (this.handle === undefined) {
        this.handle = await open(this.path, 'a');
        // A journal the directory does not durably list is no journal after a power cut.
        await syncDirectory(dirname(this.path));
      }
      await this.handle.write(JSON.stringify(entry) + '\n');
      await this.handle.sync();
    } catch (err) {
      throw new AudienceEtlError('IO', `cannot write the upload journal: ${(err as Error).message}`, { file: basename(this.path) });
    }
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<JournalEntry>;
  if (entry.v !== 1 || (entry.type !== 'ack' && entry.type !== 'intent')) return undefined;
  if (typeof entry.target !== 'string' || typeof entry.file !== 'string' || typeof entry.digest !== 'string') return undefined;
  return entry as JournalEntry;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds.
  } finally {
    await handle?.close();
  }
}
