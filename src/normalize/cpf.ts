import { clean, isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

/** `123.456.789-09`, `123456789-09`, `123 456 789 09`, or bare digits. */
const CPF_PUNCTUATION = /[.\-\s/]+/g;
const DIGITS = /^\d+$/;
const REPEATED_DIGIT = /^(\d)\1*$/;

/** The mod-11 check digit over the first `length` digits, weights `length + 1` down to 2. */
function checkDigit(cpf: string, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += (cpf.charCodeAt(i) - 48) * (length + 1 - i);
  const rest = (sum * 10) % 11;
  return rest === 10 ? 0 : rest;
}

/**
 * Brazilian CPF as its 11 digits, both check digits verified, else `null`. All-same-digit CPFs
 * (`111.111.111-11`) pass the check digits but are not issued, so they are `null` too. Bare digits
 * of length 9–10 get their leading zeros back (spreadsheets drop them); the check digits then
 * confirm or reject the result.
 */
export function normalizeCpf(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  let cpf = s.replace(CPF_PUNCTUATION, '');
  if (!DIGITS.test(cpf)) return null;
  if (cpf.length === 9 || cpf.length === 10) {
    if (cpf !== s) return null; // a punctuated CPF shows all its digits: none were lost
    cpf = cpf.padStart(11, '0');
  }
  if (cpf.length !== 11 || REPEATED_DIGIT.test(cpf)) return null;
  return checkDigit(cpf, 9) === cpf.charCodeAt(9) - 48 && checkDigit(cpf, 10) === cpf.charCodeAt(10) - 48 ? cpf : null;
}
