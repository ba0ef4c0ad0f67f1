import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import {
  LIVEINTENT_ERRORS,
  describeLiveIntentStatus,
  parseLiveIntentStatus,
  readLiveIntentStatus,
} from '../../src/liveintent/status.js';

/** The document's success example, verbatim (its stray `>` in the name included). */
const DOC_SUCCESS = `{
  "transaction_id" : "12345678",
  "partner_id" : "1001", 
  "sub_id" : "476378", 
  "file" : {
    "name" : "435ed7e9f07f740abf511a62c00eef6e.txt>",
    "hash" : "md5",
    "digest" : "435ed7e9f07f740abf511a62c00eef6e", 
    "date" : "2014-12-12",
    "records" : 1000000
  },
  "segments" : [ 
  {
    "id" : "123",
    "action" : "add",
    "code" : "code",
    "records" : 1000000
  },
  {
    "id" : "456", 
    "action" : "remove",
    "code" : "code",
    "records" : 1000000 
  }
 ]
}`;

/** The document's error example, verbatim (the code is a string with a leading space). */
const DOC_ERROR = `{
"error" : { 
  "code" : " 8", 
  "description" : "File has no valid records"
 } 
} `;

function errorOf(fn: () => unknown): AudienceEtlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AudienceEtlError) return err;
    throw err;
  }
  throw new Error('expected an AudienceEtlError');
}

describe('parseLiveIntentStatus', () => {
  it("reads the document's success example", () => {
    expect(parseLiveIntentStatus(DOC_SUCCESS)).toEqual({
      ok: true,
      transactionId: '12345678',
      partnerId: '1001',
      subId: '476378',
      file: {
        name: '435ed7e9f07f740abf511a62c00eef6e.txt>',
        hash: 'md5',
        digest: '435ed7e9f07f740abf511a62c00eef6e',
        date: '2014-12-12',
        records: 1000000,
      },
      segments: [
        { id: '123', action: 'add', code: 'code', records: 1000000 },
        { id: '456', action: 'remove', code: 'code', records: 1000000 },
      ],
    });
  });

  it("reads the document's error example", () => {
    expect(parseLiveIntentStatus(DOC_ERROR)).toEqual({
      ok: false,
      code: 8,
      name: 'NO_VALID_RECORDS',
      meaning: 'File has no valid records',
      description: 'File has no valid records',
    });
  });

  it.each([
    [0, 'INTERNAL_ERROR', 'Internal error'],
    [1, 'REQUEST_NOT_WELL_FORMED', 'Request not well formed'],
    [2, 'PARTNER_ID_INVALID', 'Partner id invalid or missing'],
    [3, 'SUB_ID_INVALID', 'Sub id invalid or missing'],
    [4, 'FILENAME_HAS_SLASH', 'Filename contains slash characters'],
    [5, 'RESERVED', 'reserved'],
    [6, 'FILE_NOT_FOUND', 'File not found'],
    [7, 'CHECKSUM_FAILED', 'File checksum validation failed'],
    [8, 'NO_VALID_RECORDS', 'File has no valid records'],
  ])('error code %i is %s (%s), as a number or as a string', (code, name, meaning) => {
    for (const written of [code, String(code), ` ${code} `]) {
      const status = parseLiveIntentStatus(JSON.stringify({ error: { code: written } }));
      expect(status).toEqual({ ok: false, code, name, meaning, description: undefined });
    }
  });

  it('documents exactly the codes 0 to 8', () => {
    expect(LIVEINTENT_ERRORS.map((e) => e.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('accepts numbers where the document writes strings, and a missing sub_id and segments', () => {
    const status = parseLiveIntentStatus('{"transaction_id": 99, "partner_id": 1001}');
    expect(status).toEqual({ ok: true, transactionId: '99', partnerId: '1001', subId: undefined, file: undefined, segments: [] });
  });

  it('skips a byte-order mark', () => {
    expect(parseLiveIntentStatus('\uFEFF' + DOC_ERROR).ok).toBe(false);
  });

  it.each([
    ['{"error": {"code": "9"}}', /unknown error code "9"/],
    ['{"error": {"code": -1}}', /unknown error code -1/],
    ['{"error": {"code": "eight"}}', /unknown error code "eight"/],
    ['{"error": {}}', /unknown error code/],
    ['{"error": "boom"}', /"error" that is not an object/],
    ['{"partner_id": "1001"}', /neither "error" nor "transaction_id"/],
    ['{"transaction_id": ""}', /neither "error" nor "transaction_id"/],
    ['[]', /is not a JSON object/],
    ['"text"', /is not a JSON object/],
    ['{"transaction_id": "1", "segments": {}}', /"segments" that is not an array/],
    ['{"transaction_id": "1", "segments": [3]}', /segment 1 is not an object/],
    ['{"transaction_id": "1", "segments": [{"code": "c", "records": 1}]}', /segment 1 has no "id"/],
    ['{"transaction_id": "1", "segments": [{"id": "12", "records": 1}]}', /segment 12 has no "code"/],
    ['{"transaction_id": "1", "segments": [{"id": "12", "code": "c", "records": "many"}]}', /segment 12 has no integer "records"/],
    ['{"transaction_id": "1", "segments": [{"id": "12", "code": "c", "records": 1.5}]}', /segment 12 has no integer "records"/],
  ])('refuses %s with VALIDATION', (text, message) => {
    const err = errorOf(() => parseLiveIntentStatus(text, 'x.txt.status'));
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toMatch(message);
    expect(err.file).toBe('x.txt.status');
  });

  it('refuses text that is not JSON without quoting it', () => {
    const err = errorOf(() => parseLiveIntentStatus('{"secret-content": oops}', 'a.status'));
    expect(err.code).toBe('JSON_SYNTAX');
    expect(err.message).toBe('LiveIntent status is not valid JSON in a.status');
    expect(err.message).not.toContain('secret');
  });
});

describe('readLiveIntentStatus', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'li-status-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const ok = join(dir, 'abc.txt.status');
    await writeFile(ok, DOC_SUCCESS);
    expect((await readLiveIntentStatus(ok)).ok).toBe(true);
    const broken = join(dir, 'broken.txt.status');
    await writeFile(broken, '{');
    await expect(readLiveIntentStatus(broken)).rejects.toMatchObject({ code: 'JSON_SYNTAX', file: 'broken.txt.status' });
  });

  it('reports a missing file as INPUT_NOT_FOUND', async () => {
    await expect(readLiveIntentStatus(join(dir, 'none.status'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });
});

describe('describeLiveIntentStatus', () => {
  it('names the error code, its name and meaning', () => {
    expect(describeLiveIntentStatus(parseLiveIntentStatus(DOC_ERROR))).toEqual([
      'LiveIntent error 8 NO_VALID_RECORDS: File has no valid records',
    ]);
  });

  it("adds LiveIntent's own description when it says more than the table", () => {
    const status = parseLiveIntentStatus('{"error": {"code": 7, "description": "digest mismatch for upload"}}');
    expect(describeLiveIntentStatus(status)).toEqual([
      'LiveIntent error 7 CHECKSUM_FAILED: File checksum validation failed',
      '  description: digest mismatch for upload',
    ]);
  });

  it('lists the transaction, the file and each segment on success', () => {
    expect(describeLiveIntentStatus(parseLiveIntentStatus(DOC_SUCCESS))).toEqual([
      'LiveIntent success, transaction 12345678',
      '  file 435ed7e9f07f740abf511a62c00eef6e.txt> (md5 435ed7e9f07f740abf511a62c00eef6e, 2014-12-12): 1000000 records',
      '  segment 123 add: code code, 1000000 records',
      '  segment 456 remove: code code, 1000000 records',
    ]);
  });
});
