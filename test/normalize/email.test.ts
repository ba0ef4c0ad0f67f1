import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeEmailGoogle, normalizeEmailReference, EMAIL, EMAIL_ASCII } from '../../src/normalize/email.js';

describe('normalizeEmail (meta, datax, liveintent, newtail)', () => {
  it.each([
    ['  Mary@Example.COM ', 'mary@example.com'], // vectors.json, 004
    ['Barry@VerizonMedia.com', 'barry@verizonmedia.com'], // vectors.json, 003
    ['mary@example.com', 'mary@example.com'],
    ['John Smith@Example.com', 'johnsmith@example.com'], // all whitespace goes, not only the ends
    ['john\t.smith@example.com\n', 'john.smith@example.com'],
    ['ana\u00a0@exemplo.com.br', 'ana@exemplo.com.br'],
    ['ana\u200b@exemplo.com.br', 'ana@exemplo.com.br'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['JOSÉ@Exemplo.com.br', 'josé@exemplo.com.br'],
    ['jose\u0301@exemplo.com.br', 'josé@exemplo.com.br'],
    ['john.smith@gmail.com', 'john.smith@gmail.com'], // dots are removed for google only
    ['x@xn--p1ai.xn--p1ai', 'x@xn--p1ai.xn--p1ai'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each(['', '  ', 'null', 'N/A', 'none', '-', 'unknown'])('%j is empty', (input) => {
    expect(normalizeEmail(input)).toBe('');
  });

  it.each([
    'mary', 'mary@', '@example.com', 'mary@example', 'mary@@example.com', 'mary@example..com', '.mary@example.com',
    'mary.@example.com', 'ma..ry@example.com', 'mary@-example.com', 'mary@example-.com', 'mary@example.c',
    'mary@example.123', 'a,b@example.com', 'mary@exam_ple.com', `${'a'.repeat(65)}@example.com`,
  ])('%j is invalid', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe('normalizeEmailGoogle', () => {
  it.each([
    [' John.Smith@GMAIL.com', 'johnsmith@gmail.com'], // vectors.json, 001
    ['jane.doe@googlemail.com', 'janedoe@googlemail.com'], // vectors.json, 001
    ['first.last@example.com', 'first.last@example.com'], // vectors.json: dots kept outside gmail
    ['J.O.H.N+news.letter@gmail.com', 'john+newsletter@gmail.com'], // every dot before @; the +tag stays
    ['john smith@gmail.com', 'johnsmith@gmail.com'],
    ['john.smith@gmail.com.br', 'john.smith@gmail.com.br'],
    ['john.smith@mail.gmail.com', 'john.smith@mail.gmail.com'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmailGoogle(input)).toBe(expected);
  });

  it('keeps empty and invalid apart', () => {
    expect(normalizeEmailGoogle('n/a')).toBe('');
    expect(normalizeEmailGoogle('john@gmail')).toBeNull();
  });
});

describe('email properties', () => {
  const address = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9._+-]{1,20}$/),
      fc.constantFrom('gmail.com', 'GoogleMail.com', 'example.com', 'Exemplo.com.BR'),
      fc.constantFrom('', ' ', '  ', '\t'),
    )
    .map(([local, domain, pad]) => `${pad}${local}@${domain}${pad}`);

  it.each([
    ['normalizeEmail', normalizeEmail],
    ['normalizeEmailGoogle', normalizeEmailGoogle],
  ] as const)('%s is idempotent and its output has no whitespace or upper case', (_name, normalize) => {
    fc.assert(
      fc.property(fc.oneof(address, fc.string({ unit: 'binary' })), (input) => {
        const once = normalize(input);
        if (once) {
          expect(normalize(once)).toBe(once);
          expect(once).not.toMatch(/\s|[A-Z]/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('EMAIL_ASCII', () => {
  it('answers as the Unicode pattern on every ASCII string', () => {
    const part = fc.stringMatching(/^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~@-]{0,20}$/);
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string({ unit: 'binary-ascii', maxLength: 80 }), fc.tuple(part, part, part).map((p) => `${p[0]}@${p[1]}.${p[2]}`)), (s) => {
        expect(EMAIL_ASCII.test(s)).toBe(EMAIL.test(s));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the one-pass email path', () => {
  /** Labels around the length limits (63 for a label, 64 for a local part, 253 for a domain). */
  const label = fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9-]{0,8}$/),
    fc.tuple(fc.integer({ min: 60, max: 66 }), fc.constantFrom('b', '7', '-')).map(([n, c]) => `a${c.repeat(n - 2)}z`),
  );
  const local = fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~@ \t-]{0,12}$/),
    fc.tuple(fc.integer({ min: 62, max: 66 }), fc.constantFrom('a', '.', '+', '9')).map(([n, c]) => `x${c.repeat(n - 2)}y`),
  );
  const domain = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.')),
    fc.array(label, { minLength: 3, maxLength: 6 }).map((labels) => labels.join('.')),
    fc.stringMatching(/^[a-zA-Z0-9.@-]{0,20}$/),
  );
  const ascii = fc.oneof(
    fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`),
    fc.tuple(local, domain, fc.constantFrom('', ' ', '\t', '\n', '\r\n', '\x00', '\x1f', '\v')).map(([l, d, w]) => `${w}${l}${w}@${d}${w}`),
    fc.string({ unit: 'binary-ascii', maxLength: 80 }),
    fc.emailAddress(),
  );

  it('normalizeEmail equals its reference steps on any input', () => {
    fc.assert(
      fc.property(fc.oneof(ascii, fc.string({ unit: 'binary', maxLength: 40 }), ascii.map((s) => `${s}é`), ascii.map((s) => `\u00a0${s}`)), (s) => {
        expect(normalizeEmail(s)).toBe(normalizeEmailReference(s));
      }),
      { numRuns: 30_000 },
    );
  });

  it.each([
    ['a@b.co', true],
    [`${'a'.repeat(64)}@b.co`, true],
    [`${'a'.repeat(65)}@b.co`, false],
    [`a@${'b'.repeat(63)}.co`, true],
    [`a@${'b'.repeat(64)}.co`, false],
    [`a@${'b.'.repeat(125)}co`, true],
    [`a@${'b.'.repeat(126)}co`, false],
    ['a@b.c', false],
    ['a@b.c1', true],
    ['a@b.1c', false],
    ['a@-b.co', false],
    ['a@b-.co', false],
    ['a@b..co', false],
    ['.a@b.co', false],
    ['a.@b.co', false],
    ['a..b@c.co', false],
    ['a@b@c.co', false],
    ['a@co', false],
  ])('%j is an address: %s, for normalizeEmail as for EMAIL_ASCII', (s, expected) => {
    expect(normalizeEmail(` ${s.toUpperCase()} `)).toBe(expected ? s : null);
    expect(EMAIL_ASCII.test(s)).toBe(expected);
  });
});
