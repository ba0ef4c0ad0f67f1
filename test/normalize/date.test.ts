import { describe, expect, it } from 'vitest';
import {
  ageFromBirthDate,
  birthDayMeta,
  birthMonthMeta,
  birthYearMeta,
  normalizeAge,
  parseDate,
  parseDateFormat,
} from '../../src/normalize/date.js';
import { makeContext } from '../../src/normalize/types.js';

const today = { year: 2025, month: 6, day: 15 };
const ctx = (dateFormat?: string) => makeContext({ dateFormat, today });

describe('parseDate', () => {
  it.each([
    ['1990-05-17', undefined, { year: 1990, month: 5, day: 17 }],
    ['19900517', undefined, { year: 1990, month: 5, day: 17 }],
    ['1990-5-7', undefined, { year: 1990, month: 5, day: 7 }],
    ['1990-05-17T10:20:30Z', undefined, { year: 1990, month: 5, day: 17 }],
    ['1990-05-17T23:59:59.999-03:00', undefined, { year: 1990, month: 5, day: 17 }],
    ['1990-05-17 00:00:00', undefined, { year: 1990, month: 5, day: 17 }],
    ['17/05/1990', 'DD/MM/YYYY', { year: 1990, month: 5, day: 17 }],
    ['17-05-1990', 'DD/MM/YYYY', { year: 1990, month: 5, day: 17 }],
    ['7/5/1990', 'DD/MM/YYYY', { year: 1990, month: 5, day: 7 }],
    ['17/05/1990 00:00', 'DD/MM/YYYY', { year: 1990, month: 5, day: 17 }],
    ['05/17/1990', 'MM/DD/YYYY', { year: 1990, month: 5, day: 17 }],
    ['5/17/1990 12:00 PM', 'MM/DD/YYYY', { year: 1990, month: 5, day: 17 }],
    ['17.05.1990', 'DD.MM.YYYY', { year: 1990, month: 5, day: 17 }],
    ['1990/05/17', 'YYYY/MM/DD', { year: 1990, month: 5, day: 17 }],
    ['17051990', 'DDMMYYYY', { year: 1990, month: 5, day: 17 }],
    ['17/05/1990', 'dd/mm/yyyy', { year: 1990, month: 5, day: 17 }],
    ['1990-05-17', 'DD/MM/YYYY', { year: 1990, month: 5, day: 17 }], // ISO is always accepted
    ['19900517', 'MM/DD/YYYY', { year: 1990, month: 5, day: 17 }],
    ['2000-02-29', undefined, { year: 2000, month: 2, day: 29 }],
    ['2024-02-29', undefined, { year: 2024, month: 2, day: 29 }],
  ])('%j with %s', (value, format, expected) => {
    expect(parseDate(value, format)).toEqual(expected);
  });

  it.each([
    ['1990-02-30', undefined], // impossible: invalid, never guessed
    ['1990-13-01', undefined],
    ['1990-00-10', undefined],
    ['1990-04-31', undefined],
    ['1900-02-29', undefined],
    ['2023-02-29', undefined],
    ['0000-01-01', undefined],
    ['31/02/1990', 'DD/MM/YYYY'],
    ['05/17/1990', 'DD/MM/YYYY'], // month 17
    ['17/05/90', 'DD/MM/YYYY'], // a two-digit year is not guessed
    ['1705199', 'DDMMYYYY'],
    ['17/05/1990', undefined], // no layout given
    ['May 17, 1990', 'MM/DD/YYYY'],
    ['1990-05-17T', undefined],
    ['1990-05-17 garbage', undefined],
    ['', undefined],
  ])('%j with %s is not a date', (value, format) => {
    expect(parseDate(value, format)).toBeNull();
  });
});

describe('parseDateFormat', () => {
  it.each(['DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD', 'YYYY-MM-DD', 'DDMMYYYY', 'YYYYMMDD', 'dd/mm/yyyy', 'MM DD YYYY'])(
    'accepts %j',
    (spec) => {
      expect(parseDateFormat(spec).spec).toBe(spec);
    },
  );

  it.each(['', 'DD/MM', 'DD/MM/YY', 'D/M/YYYY', 'DD/DD/YYYY', 'YYYY-MM-DD HH:mm', 'MMM DD, YYYY', 'dd/mm/yyyy/x'])(
    'rejects %j with an error naming it',
    (spec) => {
      expect(() => parseDateFormat(spec)).toThrow(`"${spec}"`);
    },
  );
});

describe('birthYearMeta (DOBY), birthMonthMeta (DOBM), birthDayMeta (DOBD)', () => {
  it.each([
    ['1990-05-17', undefined, '1990', '05', '17'],
    ['19900517', undefined, '1990', '05', '17'],
    ['17/05/1990', 'DD/MM/YYYY', '1990', '05', '17'],
    ['05/17/1990', 'MM/DD/YYYY', '1990', '05', '17'],
    ['1990-05-17T10:00:00Z', undefined, '1990', '05', '17'],
    ['1900-01-01', undefined, '1900', '01', '01'],
    ['2025-06-15', undefined, '2025', '06', '15'],
    ['1899-12-31', undefined, null, '12', '31'], // DOBY runs 1900..this year
    ['2026-01-01', undefined, null, '01', '01'],
    ['1990-02-30', undefined, null, null, null],
    ['not a date', undefined, null, null, null],
    ['', undefined, '', '', ''],
    ['null', undefined, '', '', ''],
  ])('%j (%s) → %j %j %j', (value, format, year, month, day) => {
    expect(birthYearMeta(value, ctx(format))).toBe(year);
    expect(birthMonthMeta(value, ctx(format))).toBe(month);
    expect(birthDayMeta(value, ctx(format))).toBe(day);
  });

  it('takes its own outputs back unchanged', () => {
    expect(birthYearMeta('1990', ctx())).toBe('1990');
    expect(birthMonthMeta('05', ctx())).toBe('05');
    expect(birthDayMeta('17', ctx())).toBe('17');
    expect(birthMonthMeta('5', ctx())).toBe('05');
    expect(birthDayMeta('7', ctx())).toBe('07');
  });

  it('treats a bare year as a birth year without month or day', () => {
    expect(birthYearMeta('1990', ctx('DD/MM/YYYY'))).toBe('1990');
    expect(birthMonthMeta('1990', ctx('DD/MM/YYYY'))).toBe('');
    expect(birthDayMeta('1990', ctx('DD/MM/YYYY'))).toBe('');
  });

  it.each([
    ['13', null, '13'],
    ['32', null, null],
    ['00', null, null],
  ])('bare %j → month %j, day %j', (value, month, day) => {
    expect(birthMonthMeta(value, ctx())).toBe(month);
    expect(birthDayMeta(value, ctx())).toBe(day);
  });
});

describe('normalizeAge', () => {
  it.each([
    ['35', '35'],
    [' 35 ', '35'],
    ['035', '35'],
    ['35.0', '35'],
    ['130', '130'],
    ['1', '1'],
    ['0', '0'], // the age range is 0..130, so here 0 is an age, not a placeholder
  ])('%j → %j', (value, expected) => {
    expect(normalizeAge(value)).toBe(expected);
  });

  it.each(['131', '-1', '35.5', 'thirty', '1e2', '1000'])('%j is invalid', (value) => {
    expect(normalizeAge(value)).toBeNull();
  });

  it.each(['', 'null', 'n/a', '-'])('%j is empty', (value) => {
    expect(normalizeAge(value)).toBe('');
  });
});

describe('ageFromBirthDate', () => {
  it.each([
    ['1990-06-15', undefined, '35'], // birthday today
    ['1990-06-16', undefined, '34'], // birthday tomorrow
    ['1990-06-14', undefined, '35'],
    ['1990-12-31', undefined, '34'],
    ['2025-06-15', undefined, '0'],
    ['15/06/1990', 'DD/MM/YYYY', '35'],
    ['1895-06-15', undefined, '130'],
    ['35', undefined, '35'], // its own output comes back unchanged
  ])('%j (%s) → %j at 2025-06-15', (value, format, expected) => {
    expect(ageFromBirthDate(value, ctx(format))).toBe(expected);
  });

  it.each(['2025-06-16', '1894-06-14', '1990-02-30', 'soon'])('%j is invalid', (value) => {
    expect(ageFromBirthDate(value, ctx())).toBeNull();
  });

  it.each(['n/a', '', '0'])('%j is empty (a 0 birth date is a spreadsheet placeholder)', (value) => {
    expect(ageFromBirthDate(value, ctx())).toBe('');
  });
});
