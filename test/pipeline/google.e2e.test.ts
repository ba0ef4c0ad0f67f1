import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDestination } from '../../src/pipeline/run.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const sha = (s: string, enc: 'hex' | 'base64' = 'hex') => createHash('sha256').update(s, 'utf8').digest(enc);
const NOW = () => new Date('2026-11-25T12:00:00Z');

interface Member {
  userData?: { userIdentifiers: Record<string, unknown>[] };
  mobileData?: { mobileIds: string[] };
}
const read = (out: string) =>
  listFiles(join(out, 'google')).map((f) => JSON.parse(readFileSync(join(out, 'google', f), 'utf8')) as { audienceMembers: Member[]; encoding: string });

const INPUT = [
  'email,phone,first_name,last_name,country,zip,madid',
  ' John.Smith@GMAIL.com,(800)555-0100,Mrs. Mary Ann,Smith Jr.,US,94035-1234,',
  'jane.doe+news@googlemail.com,,,,,,',
  'first.last@example.com,,José,Núñez III,BR,01310-100,',
  ',,Ana,Lee,US,,',
  ',,,,,,6D92078A-8246-4BA4-AE5B-76104861E7DC',
  ',,,,US,10001,',
].join('\n');

describe('run google', () => {
  it('writes request bodies with the documented identifiers, in hex', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, INPUT + '\n');
    const out = join(dir, 'out');
    const result = await runDestination({ destination: 'google', input, out, batchSize: 3, now: NOW });
    expect(listFiles(join(out, 'google'))).toEqual(['request-000001.json', 'request-000002.json']);
    const requests = read(out);
    expect(requests.every((r) => r.encoding === 'HEX')).toBe(true);
    const members = requests.flatMap((r) => r.audienceMembers);
    expect(members[0]).toEqual({
      userData: {
        userIdentifiers: [
          { emailAddress: sha('johnsmith@gmail.com') },
          { phoneNumber: sha('+18005550100') },
          { address: { givenName: sha('mary ann'), familyName: sha('smith'), regionCode: 'US', postalCode: '94035-1234' } },
        ],
      },
    });
    // Dots removed before @ for googlemail.com too; a +tag is kept (the document names dots only).
    expect(members[1]).toEqual({ userData: { userIdentifiers: [{ emailAddress: sha('jane.doe+news@googlemail.com'.replace('.', '')) }] } });
    // Dots kept outside gmail; diacritics and inner spaces kept in names; no suffix.
    expect(members[2]!.userData!.userIdentifiers).toEqual([
      { emailAddress: sha('first.last@example.com') },
      { address: { givenName: sha('josé'), familyName: sha('núñez'), regionCode: 'BR', postalCode: '01310-100' } },
    ]);
    // A mobile id alone is a mobileData member, not hashed.
    expect(members[3]).toEqual({ mobileData: { mobileIds: ['6d92078a-8246-4ba4-ae5b-76104861e7dc'] } });
    // An address missing a part is not sent, and alone does not keep its row.
    expect(result.stats.rows_rejected).toBe(2);
    expect(result.stats.rejects).toEqual({ no_match_key: 2 });
    expect(result.stats.rows_in).toBe(6);
    expect(result.stats.rows_out).toBe(4);
  });

  it('writes base64 when asked, and says so in the body', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, 'email\nmary@example.com\n');
    const out = join(dir, 'out');
    await runDestination({ destination: 'google', input, out, encoding: 'base64', now: NOW });
    const [request] = read(out);
    expect(request!.encoding).toBe('BASE64');
    expect(request!.audienceMembers[0]).toEqual({ userData: { userIdentifiers: [{ emailAddress: sha('mary@example.com', 'base64') }] } });
  });

  it('takes the region code from --default-country when rows have no country', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, 'first_name,last_name,zip\nAna,Lee,2134\n');
    const out = join(dir, 'out');
    await runDestination({ destination: 'google', input, out, defaultCountry: 'US', now: NOW });
    const [request] = read(out);
    expect(request!.audienceMembers[0]!.userData!.userIdentifiers).toEqual([
      { address: { givenName: sha('ana'), familyName: sha('lee'), regionCode: 'US', postalCode: '02134' } },
    ]);
  });

  it('refuses an encoding or algorithm the destination does not take', async () => {
    await expect(runDestination({ destination: 'google', input: 'x', out: tempDir(), hash: 'md5' })).rejects.toThrow(/--hash md5: google accepts sha256/);
    await expect(runDestination({ destination: 'meta', input: 'x', out: tempDir(), encoding: 'base64' })).rejects.toThrow(/--encoding base64: meta accepts hex/);
  });
});
