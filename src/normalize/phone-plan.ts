// `core` + the `max` JSON rather than `max`'s own Metadata, which its CommonJS build does not export.
import { Metadata } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { detach } from './text.js';

/*
 * libphonenumber-js's own parse and validation, replayed on its `max` metadata with every regular
 * expression compiled once. The library builds a new RegExp from a metadata string on each check
 * (helpers/matchesEntirely.js), which made a phone cost 10–70 µs; this is the hot path of every run
 * that has phones. Each function names the library function it mirrors, and the tests compare the
 * two on generated numbers of every country, so a metadata or logic change shows up there.
 */

/** The parts of the library's `Metadata` / `NumberingPlan` API this file reads (typed loosely upstream). */
interface TypeApi {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanApi {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: string): TypeApi | undefined;
}
interface MetadataApi {
  numberingPlan?: PlanApi;
  selectNumberingPlan(countryOrCallingCode: string): unknown;
  hasCallingCode(callingCode: string): boolean | undefined;
  hasCountry(country: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
}

/** getNumberType's order: fixed line first, then the rest. */
const TYPE_NAMES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

interface TypeRule {
  source: string;
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

interface Plan {
  callingCode: string;
  nationalNumber: RegExp;
  possibleLengths: readonly number[] | undefined;
  leadingDigits: RegExp | undefined;
  /** `undefined` when the plan has no number types: validity is then the national pattern alone. */
  types: readonly TypeRule[] | undefined;
  nationalPrefix: string | undefined;
  nationalPrefixForParsing: RegExp | undefined;
  /** nationalPrefixForParsing when it is plain digits (`0`, `1`; 106 of 150 plans): a startsWith, not a match. */
  nationalPrefixDigits: string | undefined;
  nationalPrefixTransformRule: string | undefined;
  idd: RegExp | undefined;
  /** The exit code when it is plain digits (`011`, `00`; 210 of 245 plans). */
  iddDigits: string | undefined;
  /** hasNumberType as one pattern per number length (see `typeCheckOf`), built on first use. */
  typeChecks: Map<number, RegExp | null>;
  /** hasNumberType's last question and answer on this plan (see `remember`). */
  typedNumber: string | undefined;
  typed: boolean;
}

/** A parsed number: what the library's PhoneNumber holds. */
export interface PhoneParts {
  callingCode: string;
  nationalNumber: string;
  country: string | undefined;
}

const metadata = new Metadata(maxMetadata) as unknown as MetadataApi;
const plans = new Map<string, Plan>();
const NUMERIC = /^\d+$/;

function entirely(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * The compiled plan of a country, or of a calling code's main country (`selectNumberingPlan`): the
 * same object for both, so that the memos below serve a number read either way.
 */
function planOf(countryOrCallingCode: string): Plan {
  let plan = plans.get(countryOrCallingCode);
  if (plan === undefined) {
    const main = NUMERIC.test(countryOrCallingCode) ? countriesOf(countryOrCallingCode)?.[0] : undefined;
    plan = main !== undefined ? planOf(main) : compilePlan(countryOrCallingCode);
    plans.set(countryOrCallingCode, plan);
  }
  return plan;
}

function compilePlan(countryOrCallingCode: string): Plan {
  metadata.selectNumberingPlan(countryOrCallingCode);
  const api = metadata.numberingPlan!;
  const prefixForParsing = api.nationalPrefixForParsing();
  const idd = api.IDDPrefix();
  const leadingDigits = api.leadingDigits();
  let types: TypeRule[] | undefined;
  if (api.hasTypes()) {
    types = [];
    for (const name of TYPE_NAMES) {
      const type = api.type(name);
      const source = type?.pattern();
      if (source) types.push({ source, pattern: entirely(source), lengths: type!.possibleLengths() });
    }
  }
  return {
    callingCode: api.callingCode(),
    nationalNumber: entirely(api.nationalNumberPattern()),
    possibleLengths: api.possibleLengths(),
    leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
    types,
    nationalPrefix: api.nationalPrefix(),
    nationalPrefixForParsing: prefixForParsing ? new RegExp(`^(?:${prefixForParsing})`) : undefined,
    nationalPrefixDigits: prefixForParsing && NUMERIC.test(prefixForParsing) ? prefixForParsing : undefined,
    nationalPrefixTransformRule: api.nationalPrefixTransformRule(),
    idd: idd ? new RegExp(`^(?:${idd})`) : undefined,
    iddDigits: idd && NUMERIC.test(idd) ? idd : undefined,
    typeChecks: new Map(),
    typedNumber: undefined,
    typed: false,
  };
}

const callingCodeCountries = new Map<string, readonly string[] | null>();

/** Countries sharing a calling code, main one first; `null` for an unknown code (memoized). */
function countriesOf(callingCode: string): readonly string[] | null {
  let countries = callingCodeCountries.get(callingCode);
  if (countries === undefined) {
    countries = metadata.hasCallingCode(callingCode) ? (metadata.getCountryCodesForCallingCode(callingCode) ?? []) : null;
    callingCodeCountries.set(callingCode, countries);
  }
  return countries;
}

const countryCallingCodes = new Map<string, string | null>();

/** The calling code of a country the metadata knows, else `null` (memoized: few countries per run). */
export function callingCodeOfCountry(country: string): string | null {
  let callingCode = countryCallingCodes.get(country);
  if (callingCode === undefined) {
    callingCode = metadata.hasCountry(country) ? planOf(country).callingCode : null;
    countryCallingCodes.set(country, callingCode);
  }
  return callingCode;
}

/**
 * A memo key that pins no input: the numbers asked about are often slices of a row's value, itself
 * often a slice of a 64 KiB parser chunk. V8 copies slices shorter than 13 characters, so only
 * longer ones need detach()'s copy.
 */
function remember(s: string): string {
  return s.length < 13 ? s : detach(s);
}

/*
 * Shortcuts: the memos and joined patterns below give the answers of the library's loops, which
 * stay here. Off, every question runs the loops, pattern by pattern, as before the shortcuts: the
 * reference that test/normalize/phone-fast.test.ts and benchmarks/phone.ts measure them against.
 */
let shortcuts = true;

/** Turns the memos and joined patterns on (the default) or off; for tests and benchmarks. */
export function usePlanShortcuts(on: boolean): void {
  shortcuts = on;
}

/**
 * helpers/getNumberType.js `!== undefined`. One normalization asks this about the same number and
 * plan up to four times (country detection, validation, settle()'s re-read), so each plan keeps its
 * last answer: the type patterns are the largest regular expressions of the metadata.
 */
function hasNumberType(plan: Plan, nationalNumber: string): boolean {
  if (!shortcuts) return testTypesOneByOne(plan, nationalNumber);
  if (plan.typedNumber === nationalNumber) return plan.typed;
  const check = typeCheckOf(plan, nationalNumber.length);
  const typed = check !== null ? check.test(nationalNumber) : testTypesOneByOne(plan, nationalNumber);
  plan.typedNumber = remember(nationalNumber);
  plan.typed = typed;
  return typed;
}

function testTypesOneByOne(plan: Plan, nationalNumber: string): boolean {
  if (!plan.nationalNumber.test(nationalNumber)) return false;
  for (const type of plan.types!) {
    if (type.lengths !== undefined && !type.lengths.includes(nationalNumber.length)) continue;
    if (type.pattern.test(nationalNumber)) return true;
  }
  return false;
}

/*
 * Patterns joined into one, so that a question costs one call into the regular expression engine
 * rather than one per pattern (a call costs about as much as a small pattern's work): an
 * alternation matches when one of its alternatives does, which is all these questions ask. A
 * pattern with a capture group or a backreference (the metadata has none) is left unjoined, since
 * joining would renumber them, and the loops decide.
 */
function joinable(source: string): boolean {
  return !/\\[1-9]/.test(source) && new RegExp(`(?:${source})|`).exec('')!.length === 1;
}

/**
 * hasNumberType for numbers of one length: the national pattern as a lookahead, then the types
 * that apply to that length as one alternation, which matches entirely exactly when one of them does.
 */
function typeCheckOf(plan: Plan, length: number): RegExp | null {
  let check = plan.typeChecks.get(length);
  if (check === undefined) {
    const national = plan.nationalNumber.source.slice(1);
    const types = plan.types!.filter((type) => type.lengths === undefined || type.lengths.includes(length)).map((type) => type.source);
    const joined = `^(?=${national})(?:${types.map((type) => `(?:${type})`).join('|') || '(?!)'})$`;
    check = types.every(joinable) && joinable(national) ? new RegExp(joined) : null;
    plan.typeChecks.set(length, check);
  }
  return check;
}

/**
 * getCountryByNationalNumber's loop as steps: a country told by its types (hasNumberType, one
 * joined check), or consecutive countries told by leading digits, tried as one joined pattern
 * first. Most numbers match no leading digits, and a match is then told apart one by one, in order.
 */
type Step = { country: string; plan: Plan } | { countries: readonly string[]; leading: RegExp };

const stepsByCode = new Map<string, readonly Step[]>();

function stepsOf(callingCode: string, countries: readonly string[]): readonly Step[] {
  let steps = stepsByCode.get(callingCode);
  if (steps === undefined) {
    steps = buildSteps(countries);
    stepsByCode.set(callingCode, steps);
  }
  return steps;
}

function buildSteps(countries: readonly string[]): Step[] {
  const steps: Step[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) steps.push({ countries: run, leading: joinLeadingDigits(run) });
    run = [];
  };
  for (const country of countries) {
    const plan = planOf(country);
    if (plan.leadingDigits !== undefined && joinable(plan.leadingDigits.source)) {
      run.push(country);
      continue;
    }
    flush();
    if (plan.leadingDigits !== undefined) steps.push({ countries: [country], leading: plan.leadingDigits });
    // The loop never stops at a country with neither leading digits nor types.
    else if (plan.types !== undefined) steps.push({ country, plan });
  }
  flush();
  return steps;
}

function joinLeadingDigits(countries: readonly string[]): RegExp {
  const patterns = countries.map((country) => planOf(country).leadingDigits!);
  return patterns.length === 1 ? patterns[0]! : new RegExp(patterns.map((pattern) => `(?:${pattern.source})`).join('|'));
}

function walkSteps(steps: readonly Step[], nationalNumber: string): string | undefined {
  for (const step of steps) {
    if ('plan' in step) {
      if (hasNumberType(step.plan, nationalNumber)) return step.country;
    } else if (step.leading.test(nationalNumber)) {
      return step.countries.find((country) => planOf(country).leadingDigits!.test(nationalNumber));
    }
  }
  return undefined;
}

/**
 * countryFor's last two questions and answers: parse, split and settle() ask again about the same
 * number, and parse alternates between a number with its national prefix and without.
 */
let lastCallingCode: string | undefined;
let lastNationalNumber: string | undefined;
let lastCountry: string | undefined;
let olderCallingCode: string | undefined;
let olderNationalNumber: string | undefined;
let olderCountry: string | undefined;

/** helpers/getCountryByCallingCode.js and getCountryByNationalNumber.js. */
export function countryFor(callingCode: string, nationalNumber: string): string | undefined {
  if (!shortcuts) return walkOneByOne(callingCode, nationalNumber);
  if (nationalNumber === lastNationalNumber && callingCode === lastCallingCode) return lastCountry;
  if (nationalNumber === olderNationalNumber && callingCode === olderCallingCode) return olderCountry;
  const country = findCountry(callingCode, nationalNumber);
  olderCallingCode = lastCallingCode;
  olderNationalNumber = lastNationalNumber;
  olderCountry = lastCountry;
  lastCallingCode = callingCode;
  lastNationalNumber = remember(nationalNumber);
  lastCountry = country;
  return country;
}

function findCountry(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesOf(callingCode);
  if (countries === null || countries.length < 2) return walkOneByOne(callingCode, nationalNumber);
  return walkSteps(stepsOf(callingCode, countries), nationalNumber);
}

function walkOneByOne(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesOf(callingCode);
  if (countries === null || countries.length === 0) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = planOf(country);
    if (plan.leadingDigits !== undefined) {
      if (plan.leadingDigits.test(nationalNumber)) return country;
    } else if (plan.types !== undefined && hasNumberType(plan, nationalNumber)) {
      return country;
    }
  }
  return undefined;
}

type LengthCheck = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';

/** helpers/checkNumberLength.js without a type. */
function checkLength(nationalNumber: string, plan: Plan): LengthCheck {
  const lengths = plan.possibleLengths;
  if (lengths === undefined) return 'IS_POSSIBLE';
  const length = nationalNumber.length;
  if (lengths[0] === length) return 'IS_POSSIBLE';
  if (lengths[0]! > length) return 'TOO_SHORT';
  if (lengths[lengths.length - 1]! < length) return 'TOO_LONG';
  return lengths.indexOf(length, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** helpers/extractNationalNumberFromPossiblyIncompleteNumber.js: strips a national (trunk) prefix. */
function stripNationalPrefix(number: string, plan: Plan): string {
  const prefix = plan.nationalPrefixForParsing;
  if (prefix === undefined) return number;
  const digits = plan.nationalPrefixDigits;
  // Plain digits: no group, so no transform rule either.
  if (digits !== undefined && shortcuts) return number.startsWith(digits) ? number.slice(digits.length) : number;
  const match = prefix.exec(number);
  if (match === null) return number;
  const groups = match.length - 1;
  const hasGroups = groups > 0 && match[groups];
  return plan.nationalPrefixTransformRule && hasGroups
    ? number.replace(prefix, plan.nationalPrefixTransformRule)
    : number.slice(match[0].length);
}

/** helpers/extractNationalNumber.js: the prefix comes off unless that leaves an impossible number. */
function extractNationalNumber(number: string, plan: Plan): string {
  const stripped = stripNationalPrefix(number, plan);
  if (stripped === number) return number;
  if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(stripped)) return number;
  if (plan.possibleLengths !== undefined) {
    const country = countryFor(plan.callingCode, stripped);
    const check = checkLength(stripped, country === undefined ? plan : planOf(country));
    if (check === 'TOO_SHORT' || check === 'INVALID_LENGTH') return number;
  }
  return stripped;
}

/** Every calling code the metadata knows, by number (1 to 999), as its string; built on first use. */
let callingCodes: (string | undefined)[] | undefined;

function knownCallingCodes(): (string | undefined)[] {
  callingCodes = [];
  for (let code = 1; code < 10 ** MAX_LENGTH_COUNTRY_CODE; code++) {
    if (countriesOf(String(code)) !== null) callingCodes[code] = String(code);
  }
  return callingCodes;
}

/**
 * The calling code international digits start with (parse's `extractCountryCallingCode`), or
 * `undefined`. Read as numbers, so that trying `4` then `44` cuts and hashes no string.
 */
export function leadingCallingCode(digits: string): string | undefined {
  if (!shortcuts) return leadingCallingCodeBySlices(digits);
  const codes = callingCodes ?? knownCallingCodes();
  let code = 0;
  for (let i = 0; i < MAX_LENGTH_COUNTRY_CODE && i < digits.length; i++) {
    const digit = digits.charCodeAt(i) - 48;
    // A leading zero is no calling code; nor is anything with a non-digit in it.
    if ((code === 0 && digit === 0) || digit < 0 || digit > 9) return undefined;
    code = code * 10 + digit;
    const callingCode = codes[code];
    if (callingCode !== undefined) return callingCode;
  }
  return undefined;
}

function leadingCallingCodeBySlices(digits: string): string | undefined {
  if (digits.charCodeAt(0) === 48) return undefined;
  for (let i = 1; i <= MAX_LENGTH_COUNTRY_CODE && i <= digits.length; i++) {
    const callingCode = digits.slice(0, i);
    if (countriesOf(callingCode) !== null) return callingCode;
  }
  return undefined;
}

/** The leading calling code of international digits and the rest, or `undefined`. */
function splitCallingCode(digits: string): [string, string] | undefined {
  const callingCode = leadingCallingCode(digits);
  return callingCode === undefined ? undefined : [callingCode, digits.slice(callingCode.length)];
}

/** The end of parse.js: country detection and the national number length limits. */
function finish(callingCode: string, nationalNumber: string, fallbackCountry: string | undefined): PhoneParts | undefined {
  if (nationalNumber.length < MIN_LENGTH_FOR_NSN || nationalNumber.length > MAX_LENGTH_FOR_NSN) return undefined;
  return { callingCode, nationalNumber, country: countryFor(callingCode, nationalNumber) ?? fallbackCountry };
}

/** `parsePhoneNumberFromString('+' + digits)`. */
export function parseInternational(digits: string): PhoneParts | undefined {
  if (digits.length < 3) return undefined; // not a "viable" number for the library
  const split = splitCallingCode(digits);
  if (split === undefined || split[1].length === 0) return undefined;
  const [callingCode, rest] = split;
  return finish(callingCode, extractNationalNumber(rest, planOf(callingCode)), undefined);
}

/** `new PhoneNumber('+' + digits)`, as written, with the country found the way parse finds it. */
export function splitInternational(digits: string): PhoneParts | undefined {
  const split = splitCallingCode(digits);
  if (split === undefined || split[1].length === 0) return undefined;
  return { callingCode: split[0], nationalNumber: split[1], country: countryFor(split[0], split[1]) };
}

/** The length of the exit code that starts `digits` in the plan (helpers/stripIddPrefix.js), else 0. */
function iddLength(plan: Plan, digits: string): number {
  const literal = plan.iddDigits;
  if (literal !== undefined && shortcuts) return digits.startsWith(literal) ? literal.length : 0;
  return plan.idd?.exec(digits)?.[0].length ?? 0;
}

/** `parsePhoneNumberFromString(digits, { defaultCountry: country, extract: false })` for bare digits. */
export function parseNational(digits: string, country: string): PhoneParts | undefined {
  if (digits.length < MIN_LENGTH_FOR_NSN) return undefined;
  const plan = planOf(country);
  // helpers/stripIddPrefix.js: an exit code (011 in the US) makes the rest international.
  const idd = iddLength(plan, digits);
  if (idd > 0 && idd < digits.length && digits.charCodeAt(idd) !== 48) {
    return parseInternationalAfterIdd(digits.slice(idd));
  }
  // helpers/extractCountryCallingCodeFromInternationalNumberWithoutPlusSign.js, in the country's own plan.
  const callingCode = plan.callingCode;
  if (digits.startsWith(callingCode)) {
    const shorter = digits.slice(callingCode.length);
    const shorterNational = extractNationalNumber(shorter, plan);
    const national = extractNationalNumber(digits, plan);
    if ((!plan.nationalNumber.test(national) && plan.nationalNumber.test(shorterNational)) || checkLength(national, plan) === 'TOO_LONG') {
      return finish(callingCode, extractNationalNumber(shorter, planOf(callingCode)), undefined);
    }
  }
  return finish(callingCode, extractNationalNumber(digits, plan), country);
}

function parseInternationalAfterIdd(digits: string): PhoneParts | undefined {
  const split = splitCallingCode(digits);
  if (split === undefined) return undefined;
  return finish(split[0], extractNationalNumber(split[1], planOf(split[0])), undefined);
}

function isValidIn(plan: Plan, nationalNumber: string): boolean {
  return plan.types !== undefined ? hasNumberType(plan, nationalNumber) : plan.nationalNumber.test(nationalNumber);
}

/** PhoneNumber#isValid (isValid.js). */
export function isValidParts(parts: PhoneParts): boolean {
  return isValidIn(planOf(parts.country ?? parts.callingCode), parts.nationalNumber);
}

/** PhoneNumber#isPossible (isPossible.js). */
export function isPossibleParts(parts: PhoneParts): boolean {
  return checkLength(parts.nationalNumber, planOf(parts.country ?? parts.callingCode)) === 'IS_POSSIBLE';
}

/*
 * The pieces of the readings above, one question at a time, for phone.ts's fast path: it proves
 * from them what the full readings would give, without building them.
 */

export type Rating = 'valid' | 'possible' | 'impossible';

/** isValidParts, else isPossibleParts, of a national number in a country's (or calling code's) plan. */
export function rateNumber(countryOrCallingCode: string, nationalNumber: string): Rating {
  const plan = planOf(countryOrCallingCode);
  if (isValidIn(plan, nationalNumber)) return 'valid';
  return checkLength(nationalNumber, plan) === 'IS_POSSIBLE' ? 'possible' : 'impossible';
}

/** True when extractNationalNumber leaves `number` as it is: no national prefix to strip in that plan. */
export function keepsNationalNumber(number: string, countryOrCallingCode: string): boolean {
  return stripNationalPrefix(number, planOf(countryOrCallingCode)) === number;
}

const everyPlanLengths = new Map<string, readonly number[] | null>();

/**
 * True when checkLength finds `length` possible in the plan of every country that shares the
 * calling code (a row's country is one of them): rateNumber then rates a national number of that
 * length 'valid' or 'possible' whichever country is found for it, without finding it.
 */
export function possibleInEveryPlan(callingCode: string, length: number): boolean {
  let lengths = everyPlanLengths.get(callingCode);
  if (lengths === undefined) {
    lengths = commonLengths(callingCode);
    everyPlanLengths.set(callingCode, lengths);
  }
  return lengths === null || lengths.includes(length);
}

/** The lengths possible in every plan of a calling code (`null`: any length), or `[]` for an unknown code. */
function commonLengths(callingCode: string): readonly number[] | null {
  const countries = countriesOf(callingCode);
  if (countries === null || countries.length === 0) return [];
  let common: number[] | null = null;
  for (const plan of [planOf(callingCode), ...countries.map(planOf)]) {
    const lengths = plan.possibleLengths;
    if (lengths === undefined) continue;
    common = common === null ? [...lengths] : common.filter((length) => lengths.includes(length));
  }
  return common;
}

const neverRatedLengths = new Map<string, ReadonlySet<number>>();

/**
 * True when a national number of `length` digits is neither valid nor possible in any plan of the
 * calling code, whatever its digits: no plan's possible lengths hold it, and every plan has types,
 * none of which allows it (hasNumberType then asks no pattern: see typeCheckOf).
 */
function neverRated(callingCode: string, length: number): boolean {
  let lengths = neverRatedLengths.get(callingCode);
  if (lengths === undefined) {
    const countries = countriesOf(callingCode) ?? [];
    const plans = [planOf(callingCode), ...countries.map(planOf)];
    const never = new Set<number>();
    for (let n = MIN_LENGTH_FOR_NSN; n <= MAX_LENGTH_FOR_NSN; n++) {
      const rated = plans.some((plan) => checkLength('0'.repeat(n), plan) === 'IS_POSSIBLE' || plan.types === undefined || plan.types.some((type) => type.lengths === undefined || type.lengths.includes(n)));
      if (!rated) never.add(n);
    }
    lengths = never;
    neverRatedLengths.set(callingCode, lengths);
  }
  return lengths.has(length);
}

/**
 * The E.164 number `parseInternational(digits)` reads, when lenient mode keeps it and a proof
 * needs no country: the digits as written (after their calling code) are neither valid nor
 * possible anywhere, so readInternational falls to the parsed reading; that strips a trunk
 * prefix (`+44 (0)20…`), and every plan deems what is left possible, so it is kept.
 * `undefined` when any of this does not hold.
 */
export function strippedInternational(digits: string): string | undefined {
  if (digits.length < 3) return undefined;
  const callingCode = leadingCallingCode(digits);
  if (callingCode === undefined || callingCode.length === digits.length) return undefined;
  const rest = digits.slice(callingCode.length);
  if (!neverRated(callingCode, rest.length)) return undefined;
  const plan = planOf(callingCode);
  const stripped = stripNationalPrefix(rest, plan);
  if (stripped === rest || stripped.length < MIN_LENGTH_FOR_NSN || !possibleInEveryPlan(callingCode, stripped.length)) return undefined;
  // extractNationalNumber's one other way back to the number as written (no number of today's
  // metadata takes it here: 659,200 tried with trunk prefixes of every calling code).
  if (plan.nationalNumber.test(rest) && !plan.nationalNumber.test(stripped)) return undefined;
  return `+${callingCode}${stripped}`;
}

/**
 * True when parseNational(digits, country) reads the digits as the country's calling code and the
 * rest, whichever branch it takes, given that every plan of the calling code deems the rest's
 * length possible and has no prefix to strip from it (possibleInEveryPlan, keepsNationalNumber):
 * the digits start with the calling code, which is also the country's trunk prefix (`1` in the
 * NANP), no exit code starts them, and whole they are no national number. In today's metadata
 * only the trunk prefix decides anything (Åland's `358…`: see phone-fast.test.ts); the other
 * three are what parseNational's branches ask, kept so the reasoning holds if the metadata moves.
 */
export function readsCallingCodeAsTrunkPrefix(digits: string, country: string): boolean {
  const plan = planOf(country);
  const callingCode = plan.callingCode;
  return (
    plan.nationalPrefixDigits === callingCode &&
    leadingCallingCode(digits) === callingCode &&
    iddLength(plan, digits) === 0 &&
    !plan.nationalNumber.test(digits)
  );
}

/** True when the country's exit code (`011`) may start the digits: parseNational may read them as international. */
export function mayStartWithIdd(digits: string, country: string): boolean {
  const plan = planOf(country);
  const literal = plan.iddDigits;
  if (literal !== undefined && shortcuts) return digits.startsWith(literal);
  return plan.idd?.test(digits) === true;
}
