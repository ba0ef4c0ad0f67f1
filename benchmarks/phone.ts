/**
 * Phone normalization: values per second of the E.164 reading (src/normalize/phone.ts) against the
 * full reading as it ran before its fast path and phone-plan's shortcuts, on the same values.
 *
 * Input: the phone column of --values (default 300,000) rows of benchmarks/generate.ts, seeded
 * with 11 as `audience-etl bench` seeds its samples: placeholders, `0000000000`, US numbers written
 * five ways, and Brazilian, British and German ones, mostly unique. Scenarios:
 *   US lenient    every value read with country US, lenient (what `audience-etl bench` times);
 *   row lenient   every value read in its row's country (US when the row has none), lenient;
 *   row strict    the same, strict.
 * Functions, all in this process and alternated pass by pass so that they share the machine's load:
 *   reference     toE164Reference() on phone-plan without its memos and joined patterns
 *                 (usePlanShortcuts(false)): the code before them, and the ratios' base;
 *   + plan        toE164Reference() with phone-plan's shortcuts: what they alone give;
 *   new           toE164(): the fast path, with the full reading behind it;
 *   public        normalizePhoneE164(): `new` behind its result memo.
 * Each pass starts after a full garbage collection; a scenario reports the median of --rounds (5)
 * rounds, after a warm-up pass of each function, and only once every pass gave the reference's
 * output for every value.
 *
 * Run after the build:  node dist/benchmarks/phone.js [--values N] [--rounds R]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { countryAlpha2 } from '../src/normalize/country.js';
import { normalizePhoneE164, toE164, toE164Reference } from '../src/normalize/phone.js';
import { usePlanShortcuts } from '../src/normalize/phone-plan.js';
import { makeContext } from '../src/normalize/types.js';
import type { NormalizeContext } from '../src/normalize/types.js';
import { generateRow, seeded } from './generate.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface Sample {
  phone: string;
  /** The row's country, as the run resolves it: its alpha-2 code, else the run's default (US). */
  country: string;
}

/** The phone and country columns of generated rows (benchmarks/run.ts's sampleValues, plus the country). */
function sampleValues(n: number): Sample[] {
  const random = seeded(11);
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const cells = generateRow(random, i).split(',');
    samples.push({ phone: cells[2]!, country: countryAlpha2(cells[5]!) ?? 'US' });
  }
  return samples;
}

type Read = (value: string, ctx: NormalizeContext, strict: boolean) => string | null;

interface Contender {
  name: string;
  read: Read;
  /** Whether phone-plan's memos and joined patterns are on during its passes. */
  shortcuts: boolean;
}

const CONTENDERS: readonly Contender[] = [
  { name: 'reference', read: (v, ctx, strict) => toE164Reference(v, ctx.country, strict), shortcuts: false },
  { name: '+ plan', read: (v, ctx, strict) => toE164Reference(v, ctx.country, strict), shortcuts: true },
  { name: 'new', read: (v, ctx, strict) => toE164(v, ctx.country, strict), shortcuts: true },
  { name: 'public', read: (v, ctx) => normalizePhoneE164(v, ctx), shortcuts: true },
];

interface Scenario {
  name: string;
  strict: boolean;
  contexts: NormalizeContext[];
}

/** One timed pass over every value; returns values/s and writes the outputs to `out`. */
function pass(contender: Contender, values: readonly string[], scenario: Scenario, out: (string | null)[]): number {
  const { read, shortcuts } = contender;
  const { contexts, strict } = scenario;
  usePlanShortcuts(shortcuts);
  collectGarbage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < values.length; i++) out[i] = read(values[i]!, contexts[i]!, strict);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  usePlanShortcuts(true);
  return values.length / seconds;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function run(scenario: Scenario, values: readonly string[], rounds: number): number[] {
  const expected: (string | null)[] = new Array(values.length);
  const out: (string | null)[] = new Array(values.length);
  const warmUp = values.slice(0, 20_000);
  for (const contender of CONTENDERS) pass(contender, warmUp, scenario, out);
  const rates: number[][] = CONTENDERS.map(() => []);
  for (let round = 0; round < rounds; round++) {
    CONTENDERS.forEach((contender, c) => {
      rates[c]!.push(pass(contender, values, scenario, c === 0 ? expected : out));
      if (c === 0) return;
      for (let i = 0; i < values.length; i++) {
        if (out[i] !== expected[i]) throw new Error(`${scenario.name}: ${contender.name}(${JSON.stringify(values[i])}) = ${out[i]}, reference ${expected[i]}`);
      }
    });
  }
  return rates.map(median);
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const values = option('values', 300_000);
const rounds = option('rounds', 5);
const samples = sampleValues(values);
const phones = samples.map((s) => s.phone);
const context = (country: string, phoneMode: 'lenient' | 'strict') => makeContext({ country, phoneMode, today: { year: 2025, month: 6, day: 15 } });
const byCountry = (phoneMode: 'lenient' | 'strict') => {
  const contexts = new Map<string, NormalizeContext>();
  return samples.map((s) => contexts.get(s.country) ?? contexts.set(s.country, context(s.country, phoneMode)).get(s.country)!);
};
const us = context('US', 'lenient');
const scenarios: Scenario[] = [
  { name: 'US lenient', strict: false, contexts: phones.map(() => us) },
  { name: 'row lenient', strict: false, contexts: byCountry('lenient') },
  { name: 'row strict', strict: true, contexts: byCountry('strict') },
];

process.stdout.write(`${fmt.format(values)} phone values, median values/s of ${rounds} rounds, every output checked against the reference\n`);
for (const scenario of scenarios) {
  const rates = run(scenario, phones, rounds);
  const cells = CONTENDERS.map((contender, c) => {
    const rate = `${contender.name} ${fmt.format(rates[c]!).padStart(9)}`;
    return c === 0 ? rate : `${rate} (${(rates[c]! / rates[0]!).toFixed(2)}×)`;
  });
  process.stdout.write(`${scenario.name.padEnd(12)} ${cells.join('  ')}\n`);
}
