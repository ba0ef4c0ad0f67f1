import { describe, expect, it } from 'vitest';
import { googleMembers } from '../../sinks/google-requests.js';
import type { Row } from '../../src/model/row.js';

const HEX = 'a'.repeat(64);

describe('googleMembers', () => {
  it('writes digests the hash stage made as they are, and escapes every other value', () => {
    const row: Row = {
      line: 2,
      fields: {},
      values: { emailAddress: HEX, givenName: HEX, familyName: HEX, regionCode: 'U"S', postalCode: 'a\\b\u0001', mobileId: 'm"1' },
      hashedBy: { algorithm: 'sha256', encoding: 'hex', keys: new Set(['emailAddress', 'givenName', 'familyName']) },
    };
    const members = googleMembers(row).map((m) => JSON.parse(m) as unknown);
    expect(members).toEqual([
      {
        userData: {
          userIdentifiers: [{ emailAddress: HEX }, { address: { givenName: HEX, familyName: HEX, regionCode: 'U"S', postalCode: 'a\\b\u0001' } }],
        },
      },
      { mobileData: { mobileIds: ['m"1'] } },
    ]);
  });

  it('escapes a key the hash stage did not cover, even one Google hashes', () => {
    const row: Row = { line: 2, fields: {}, values: { emailAddress: 'x"@y.z', phoneNumber: '+1"' } };
    expect(googleMembers(row).map((m) => JSON.parse(m) as unknown)).toEqual([{ userData: { userIdentifiers: [{ emailAddress: 'x"@y.z' }, { phoneNumber: '+1"' }] } }]);
  });
});
