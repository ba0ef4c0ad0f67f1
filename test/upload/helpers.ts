import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RetryClock } from '../../src/upload/retry.js';

/** A clock whose sleeps return at once and move its time forward: retries and waits without waiting. */
export interface FakeClock extends RetryClock {
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.parse('2026-03-01T12:00:00Z')): FakeClock {
  let now = start;
  const clock: FakeClock = {
    sleeps: [],
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A session id past 2^53: a JSON.parse round trip would change it, so bodies must go out as written. */
export const BIG_SESSION_ID = '9007199254740993';

/**
 * Meta batch bodies in `<dir>/meta/` as `run` writes them; `rows[i]` rows in batch i+1. One
 * row of the first batch has an invalid EMAIL hash, for the num_invalid_entries check.
 */
export function writeMetaBatches(dir: string, rows: number[], sessionId = BIG_SESSION_ID): string[] {
  const folder = join(dir, 'meta');
  mkdirSync(folder, { recursive: true });
  const total = rows.reduce((a, b) => a + b, 0);
  const names: string[] = [];
  let n = 0;
  rows.forEach((count, i) => {
    const data: string[][] = [];
    for (let r = 0; r < count; r++, n++) data.push([`C${n}`, i === 0 && r === 0 ? 'not-a-hash' : sha256(`user${n}@example.com`)]);
    const name = `batch-${String(i + 1).padStart(6, '0')}.json`;
    const session = `{"session_id":${sessionId},"batch_seq":${i + 1},"last_batch_flag":${i === rows.length - 1},"estimated_num_total":${total}}`;
    writeFileSync(join(folder, name), `{"session":${session},"payload":${JSON.stringify({ schema: ['EXTERN_ID', 'EMAIL'], data })}}`);
    names.push(name);
  });
  return names;
}

/** Google request bodies in `<dir>/google/`. */
export function writeGoogleRequests(dir: string, members: number[]): string[] {
  const folder = join(dir, 'google');
  mkdirSync(folder, { recursive: true });
  let n = 0;
  return members.map((count, i) => {
    const audienceMembers = Array.from({ length: count }, () => ({ userData: { userIdentifiers: [{ emailAddress: sha256(`g${n++}@example.com`) }] } }));
    const name = `request-${String(i + 1).padStart(6, '0')}.json`;
    writeFileSync(join(folder, name), JSON.stringify({ audienceMembers, encoding: 'HEX' }));
    return name;
  });
}

export function bzip2(text: string): Buffer {
  return execFileSync('bzip2', ['-c'], { input: text });
}

/** A DataX file: the header line, then `rows` lines of PXID and hashes. */
export function dataxCsv(schema: string, rows: number, pxid: (i: number) => string = (i) => `PX-${i}`): string {
  const fields = schema.split(',');
  const lines = [schema];
  for (let i = 0; i < rows; i++) {
    lines.push(fields.map((f) => (f === 'PXID' ? pxid(i) : sha256(`${f}${i}`))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function writeDataxFiles(dir: string, files: Record<string, string | Buffer>): void {
  const folder = join(dir, 'datax');
  mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), typeof content === 'string' ? bzip2(content) : content);
}

/** Files a run leaves beside a destination's own, none of which may ever be uploaded. */
export function writeStrays(dir: string, destination: string): string[] {
  const folder = join(dir, destination);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(dir, 'report.json'), '{"rows_in":1}');
  writeFileSync(join(dir, 'rejects.ndjson'), '{"line":2,"reason":"no_match_key"}\n');
  const strays = ['.tmp-0a1b2c3d-leftover.json', '.state.json', 'notes.txt'];
  for (const name of strays) writeFileSync(join(folder, name), 'not for upload');
  return strays;
}

/** Waits for a condition, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
