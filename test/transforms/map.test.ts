import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import { fieldForColumn } from '../../src/model/fields.js';
import { ColumnMapper, mapColumns } from '../../transforms/map.js';
import { runStage } from '../helpers/streams.js';

describe('aliases (SPEC section 2)', () => {
  it.each([
    ['email', 'email'],
    ['E-Mail', 'email'],
    ['email_address', 'email'],
    ['Email Address', 'email'],
    ['MAIL', 'email'],
    ['phone', 'phone'],
    ['Phone_Number', 'phone'],
    ['mobile', 'phone'],
    ['tel', 'phone'],
    ['first_name', 'first_name'],
    ['FirstName', 'first_name'],
    ['fname', 'first_name'],
    ['given_name', 'first_name'],
    ['last_name', 'last_name'],
    ['lastname', 'last_name'],
    ['lname', 'last_name'],
    ['surname', 'last_name'],
    ['family_name', 'last_name'],
    ['zip', 'zip'],
    ['zipcode', 'zip'],
    ['postal_code', 'zip'],
    ['postcode', 'zip'],
    ['CEP', 'zip'],
    ['Customer ID', 'customer_id'],
    ['cpf', 'social_id'],
    ['MAID', 'madid'],
    ['Birth Date', 'birth_date'],
    ['nbo_categories', 'nbo_categories'],
  ])('%s → %s', (column, field) => expect(fieldForColumn(column)).toBe(field));

  it('ignores columns it does not know', () => expect(fieldForColumn('loyalty_tier')).toBeUndefined());
});

describe('ColumnMapper', () => {
  it('lets --map win over aliases and matches the column name case-insensitively', () => {
    const mapper = new ColumnMapper({ map: { email: 'Contact' } });
    const plan = mapper.planColumns(['email', 'CONTACT', 'Phone']);
    expect(Object.fromEntries(plan)).toEqual({ email: ['CONTACT'], phone: ['Phone'] });
  });

  it('takes the first non-empty of several columns for one field', () => {
    const mapper = new ColumnMapper();
    expect(mapper.apply({ phone: ' ', mobile: '555', tel: '777' })).toEqual({ phone: '555' });
  });

  it('names --map columns the input lacks', () => {
    expect(new ColumnMapper({ map: { email: 'Mail Addr' } }).missingExplicit(['email'])).toEqual(['Mail Addr']);
  });

  it.each([
    [{ emial: 'x' }, /not a canonical field/],
    [{ email: ' ' }, /column name is empty/],
  ])('refuses a bad --map %j', (map, message) => {
    expect(() => new ColumnMapper({ map })).toThrowError(AudienceEtlError);
    expect(() => new ColumnMapper({ map })).toThrowError(message);
  });
});

describe('mapColumns stage', () => {
  it('renames columns to canonical fields and keeps line numbers, per row shape', async () => {
    const rows = await runStage(
      mapColumns(),
      [[{ line: 2, fields: { 'E-Mail': 'a@x.com', Notes: 'x' } }, { line: 3, fields: { mobile: '1', 'E-Mail': '' } }]],
      true,
    );
    expect(rows).toEqual([
      { line: 2, fields: { email: 'a@x.com' } },
      { line: 3, fields: { phone: '1', email: '' } },
    ]);
  });
});

describe('ColumnMapper.shaper', () => {
  // Several columns for one field (e-mail and Email) take the general path; one column per field
  // takes the function made for the header: both must agree with apply().
  it.each([
    [['Email', 'e-mail', 'Phone', 'mobile', 'fname', 'Country', 'loyalty', 'ZIP'], [{}, { phone: 'mobile' }, { email: 'e-mail', zip: 'loyalty' }]],
    [['id', 'Email', 'Phone', 'fname', 'Country', 'loyalty', 'ZIP'], [{}, { customer_id: 'id' }, { zip: 'loyalty', email: 'Email' }]],
  ] as const)('maps cells of %j in header order exactly as apply() maps the record keyed by the header', (columns, maps) => {
    for (const map of maps as readonly Record<string, string>[]) {
      const mapper = new ColumnMapper({ map });
      const shape = mapper.shaper(columns);
      const plan = mapper.planColumns(columns);
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.constantFrom('', ' ', 'x@y.com', '  '), fc.string()), { minLength: columns.length, maxLength: columns.length }), (cells) => {
          const record = Object.fromEntries(columns.map((c, i) => [c, cells[i]!]));
          expect(shape(cells)).toEqual(mapper.apply(record, plan));
        }),
        { numRuns: 300 },
      );
    }
  });
});
