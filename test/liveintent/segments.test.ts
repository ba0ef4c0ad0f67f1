import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import { parseSegment, validateSegment, validateSegments } from '../../src/liveintent/segments.js';

describe('parseSegment', () => {
  it.each([
    ['123:Recent Purchasers:add', { id: '123', name: 'Recent Purchasers', action: 'add' }],
    ['456:Inactive Subscribers:remove', { id: '456', name: 'Inactive Subscribers', action: 'remove' }],
    [' 7 : Spaced : ADD ', { id: '7', name: 'Spaced', action: 'add' }],
    ['8:Q1: buyers:Remove', { id: '8', name: 'Q1: buyers', action: 'remove' }],
    ['009:Leading zeros:add', { id: '009', name: 'Leading zeros', action: 'add' }],
    ['1:a:b:c:add', { id: '1', name: 'a:b:c', action: 'add' }],
  ])('accepts %j', (spec, expected) => {
    expect(parseSegment(spec)).toEqual(expected);
  });

  it.each([
    ['abc:Name:add', /segment id "abc" is not an integer/],
    ['12.5:Name:add', /not an integer/],
    ['-3:Name:add', /not an integer/],
    ['1e3:Name:add', /not an integer/],
    [':Name:add', /not an integer/],
    ['12:Name:delete', /action "delete": expected add or remove/],
    ['12:Name:', /action "": expected add or remove/],
    ['12::add', /segment 12 needs a name/],
    ['12:  :add', /needs a name/],
    ['12:add', /must be id:name:action/],
    ['12', /must be id:name:action/],
    ['', /must be id:name:action/],
  ])('rejects %j with BAD_OPTION', (spec, message) => {
    let caught: unknown;
    try {
      parseSegment(spec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AudienceEtlError);
    expect((caught as AudienceEtlError).code).toBe('BAD_OPTION');
    expect((caught as AudienceEtlError).message).toMatch(message);
  });
});

describe('validateSegment', () => {
  it('accepts a safe integer id given as a number', () => {
    expect(validateSegment({ id: 42, name: 'N', action: 'add' })).toEqual({ id: '42', name: 'N', action: 'add' });
  });

  it.each([
    [{ id: 1.5, name: 'N', action: 'add' }],
    [{ id: '12a', name: 'N', action: 'add' }],
    [{ id: '1', name: 42, action: 'add' }],
    [{ id: '1', name: 'N', action: 'ADD' }],
    [{ id: '1', name: 'N', action: undefined }],
  ])('rejects %j', (segment) => {
    expect(() => validateSegment(segment)).toThrow(AudienceEtlError);
  });
});

describe('validateSegments', () => {
  it('keeps the order given', () => {
    const segments = [
      { id: '2', name: 'B', action: 'remove' },
      { id: '1', name: 'A', action: 'add' },
    ];
    expect(validateSegments(segments).map((s) => s.id)).toEqual(['2', '1']);
  });

  it('needs at least one segment', () => {
    expect(() => validateSegments([])).toThrow(/at least one --segment/);
  });

  it('refuses the same id twice', () => {
    expect(() =>
      validateSegments([
        { id: '5', name: 'A', action: 'add' },
        { id: '5', name: 'A', action: 'remove' },
      ]),
    ).toThrow(/segment 5 is given more than once/);
  });
});
