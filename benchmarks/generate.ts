/**
 * A seeded generator of messy CRM exports, the input of every benchmark: mixed-case emails with
 * stray spaces, phones in a dozen written forms, names with accents and titles, placeholders,
 * a few already-hashed emails and a few broken values. The same seed gives the same bytes.
 *
 *   node dist/benchmarks/generate.js --rows 1000000 --out /tmp/crm.csv [--seed 42]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

/** mulberry32: a small, fast, seedable PRNG (the benchmark must not depend on Math.random). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Mary', 'John', 'José', 'Ana', 'Li', 'Peter', 'Émilie', 'Wei Ling', 'Carla', 'Tom', 'Mrs. Jane', 'Dr. Ahmed', "D'Arcy", 'Zoë', 'Björn', 'María José'];
const LAST = ["O'Brien", 'Smith Jr.', 'Álvarez', 'Souza', 'Wei', 'Müller', 'Dubois', 'Tan', 'Pereira', 'Nguyen', 'van der Berg', 'Kowalski', 'García III', 'Ødegaard'];
const DOMAINS = ['gmail.com', 'Example.COM', 'yahoo.com', 'hotmail.com', 'googlemail.com', 'outlook.com', 'uol.com.br', 'web.de'];
const COUNTRIES = ['US', 'US', 'US', 'USA', 'United States', 'BR', 'Brazil', 'GB', 'DE', 'CA', ''];
const PLACEHOLDERS = ['', 'n/a', 'null', '-', 'none'];

export const HEADER = 'customer_id,email,phone,first_name,last_name,country,loyalty_tier,created_at,source';

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function digits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
  return s;
}

function phone(random: () => number, country: string): string {
  const r = random();
  const area = String(200 + Math.floor(random() * 700));
  const line = digits(random, 7);
  if (r < 0.05) return pick(random, PLACEHOLDERS);
  if (r < 0.07) return '0000000000';
  if (country === 'BR' || country === 'Brazil') return r < 0.5 ? `(11) 9${digits(random, 4)}-${digits(random, 4)}` : `+55 11 9${digits(random, 8)}`;
  if (country === 'GB') return r < 0.5 ? `020 7946 ${digits(random, 4)}` : `+44 (0)20 7946 ${digits(random, 4)}`;
  if (country === 'DE') return `030 ${digits(random, 8)}`;
  if (r < 0.3) return `(${area}) ${line.slice(0, 3)}-${line.slice(3)}`;
  if (r < 0.5) return `${area}-${line.slice(0, 3)}-${line.slice(3)}`;
  if (r < 0.65) return `+1 ${area} ${line.slice(0, 3)} ${line.slice(3)}`;
  if (r < 0.8) return `1${area}${line}`;
  return `${area}.${line.slice(0, 3)}.${line.slice(3)}`;
}

function email(random: () => number, i: number, first: string, last: string): string {
  const r = random();
  if (r < 0.04) return pick(random, PLACEHOLDERS);
  if (r < 0.05) return 'not-an-email';
  const local = `${first.split(' ').pop()!}.${last.split(' ')[0]!}${i % 1000}`.replace(/[^A-Za-z0-9.]/g, '');
  const address = `${local}@${pick(random, DOMAINS)}`;
  if (r < 0.07) return createHash('sha256').update(address.toLowerCase()).digest('hex').toUpperCase();
  return r < 0.3 ? `  ${address} ` : address;
}

/** One CSV line (no newline) of generated row `i`. */
export function generateRow(random: () => number, i: number): string {
  const country = pick(random, COUNTRIES);
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const cells = [`C${String(i).padStart(8, '0')}`, email(random, i, first, last), phone(random, country), first, last, country, pick(random, ['gold', 'silver', 'bronze', '']),
    `20${10 + Math.floor(random() * 15)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}T10:${digits(random, 2)}:00Z`,
    pick(random, ['web-signup', 'store-pos', 'newsletter', 'import-2021'])];
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** Writes `rows` generated rows plus a header to `path`; resolves with the byte count. */
export async function generateCsv(path: string, rows: number, seed = 42): Promise<number> {
  const random = seeded(seed);
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = HEADER + '\n';
  for (let i = 0; i < rows; i++) {
    chunk += generateRow(random, i) + '\n';
    if (chunk.length > 1 << 16) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

// Run as a script only when it is the program itself (not when imported, bundled or not).
const invokedDirectly = /(^|\/)generate\.js$/.test(process.argv[1] ?? '') && import.meta.url.endsWith('/generate.js');
if (invokedDirectly) {
  const arg = (name: string, fallback: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1]! : fallback;
  };
  const rows = Number(arg('rows', '1000000'));
  const path = arg('out', '/tmp/audience-etl-crm.csv');
  const bytes = await generateCsv(path, rows, Number(arg('seed', '42')));
  process.stdout.write(`${path}: ${rows} rows, ${bytes} bytes (${(bytes / rows).toFixed(0)} bytes a row)\n`);
}
