// `core` + the `max` JSON rather than `max`'s own Metadata, which its CommonJS build does not export.
import { Metadata } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';

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
  nationalPrefixTransformRule: string | undefined;
  idd: RegExp | undefined;
}

/** A parsed number: what the library's PhoneNumber holds. */
export interface PhoneParts {
  callingCode: string;
  nationalNumber: string;
  country: string | undefined;
}

const metadata = new Metadata(maxMetadata) as unknown as MetadataApi;
const plans = new Map<string, Plan>();

function entirely(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** The compiled plan of a country, or of a calling code's main country (`selectNumberingPlan`). */
function planOf(countryOrCallingCode: string): Plan {
  let plan = plans.get(countryOrCallingCode);
  if (plan !== undefined) return plan;
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
      if (type !== undefined && type.pattern()) types.push({ pattern: entirely(type.pattern()), lengths: type.possibleLengths() });
    }
  }
  plan = {
    callingCode: api.callingCode(),
    nationalNumber: entirely(api.nationalNumberPattern()),
    possibleLengths: api.possibleLengths(),
    leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
    types,
    nationalPrefix: api.nationalPrefix(),
    nationalPrefixForParsing: prefixForParsing ? new RegExp(`^(?:${prefixForParsing})`) : undefined,
    nationalPrefixTransformRule: api.nationalPrefixTransformRule(),
    idd: idd ? new RegExp(`^(?:${idd})`) : undefined,
  };
  plans.set(countryOrCallingCode, plan);
  return plan;
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

/** helpers/getNumberType.js `!== undefined`. */
function hasNumberType(plan: Plan, nationalNumber: string): boolean {
  if (!plan.nationalNumber.test(nationalNumber)) return false;
  for (const type of plan.types!) {
    if (type.lengths !== undefined && !type.lengths.includes(nationalNumber.length)) continue;
    if (type.pattern.test(nationalNumber)) return true;
  }
  return false;
}

/** helpers/getCountryByCallingCode.js and getCountryByNationalNumber.js. */
function countryFor(callingCode: string, nationalNumber: string): string | undefined {
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

/** The leading calling code of international digits (parse's `extractCountryCallingCode`), or `undefined`. */
function splitCallingCode(digits: string): [string, string] | undefined {
  if (digits.charCodeAt(0) === 48) return undefined;
  for (let i = 1; i <= MAX_LENGTH_COUNTRY_CODE && i <= digits.length; i++) {
    const callingCode = digits.slice(0, i);
    if (countriesOf(callingCode) !== null) return [callingCode, digits.slice(i)];
  }
  return undefined;
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

/** `parsePhoneNumberFromString(digits, { defaultCountry: country, extract: false })` for bare digits. */
export function parseNational(digits: string, country: string): PhoneParts | undefined {
  if (digits.length < MIN_LENGTH_FOR_NSN) return undefined;
  const plan = planOf(country);
  // helpers/stripIddPrefix.js: an exit code (011 in the US) makes the rest international.
  const idd = plan.idd?.exec(digits);
  if (idd && idd[0].length > 0 && idd[0].length < digits.length && digits.charCodeAt(idd[0].length) !== 48) {
    return parseInternationalAfterIdd(digits.slice(idd[0].length));
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

/** PhoneNumber#isValid (isValid.js). */
export function isValidParts(parts: PhoneParts): boolean {
  const plan = planOf(parts.country ?? parts.callingCode);
  return plan.types !== undefined ? hasNumberType(plan, parts.nationalNumber) : plan.nationalNumber.test(parts.nationalNumber);
}

/** PhoneNumber#isPossible (isPossible.js). */
export function isPossibleParts(parts: PhoneParts): boolean {
  return checkLength(parts.nationalNumber, planOf(parts.country ?? parts.callingCode)) === 'IS_POSSIBLE';
}
