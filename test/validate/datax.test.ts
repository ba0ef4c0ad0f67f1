import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDataxHeader,
  checkDataxLine,
  DATAX_ERROR_CODES,
  validateDataxFile,
  type DataxFinding,
  type DataxReport,
} from '../../src/validate/datax.js';
import { tempDir } from '../helpers/tmp.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const EMAIL = sha('mary@example.com');
const PHONE = sha('+15559876543');

/** Compresses with the system's bzip2, an implementation independent of the one under test. */
const bz2 = (text: string | Buffer) => execFileSync('bzip2', ['-c', '-9'], { input: text, maxBuffer: 1 << 28 });

function file(content: Buffer | string, name = 'audience.csv.bz2'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** The system's bzip2 and the pure-JS unbzip2-stream must agree on every file. */
const DECODERS = ['system', 'js'] as const;

const codes = (report: DataxReport) => report.findings.map((f) => [f.code, f.line ?? null]);

describe('validateDataxFile: one crafted file per error code', () => {
  const cases: { name: string; content: () => Buffer | string; findings: [string, number | null][] }[] = [
    { name: 'a file of 0 bytes', content: () => '', findings: [['DxFileIsEmpty', null]] },
    { name: 'a bzip2 stream of nothing', content: () => bz2(''), findings: [['DxFileIsEmpty', null]] },
    { name: 'plain CSV, not bzip2', content: () => `PXID,SHA256EMAIL\nc1,${EMAIL}\n`, findings: [['DxFileNotValidBZ2', null]] },
    { name: 'a gzip file', content: () => execFileSync('gzip', ['-c'], { input: 'PXID,SHA256EMAIL\n' }), findings: [['DxFileNotValidBZ2', null]] },
    { name: 'a lone PXID column', content: () => bz2(`PXID\nc1\n`), findings: [['DxFileNotValidSchema', 1]] },
    { name: 'an unknown column', content: () => bz2(`PXID,EMAIL\nc1,${EMAIL}\n`), findings: [['DxFileNotValidSchema', 1]] },
    { name: 'no PXID column', content: () => bz2(`SHA256EMAIL,SHA256PHONE\n${EMAIL},${PHONE}\n`), findings: [['DxFileNotValidSchema', 1]] },
    { name: 'a column twice', content: () => bz2(`PXID,SHA256EMAIL,SHA256EMAIL\nc1,${EMAIL},${EMAIL}\n`), findings: [['DxFileNotValidSchema', 1]] },
    { name: 'a semicolon header', content: () => bz2(`PXID;SHA256EMAIL\nc1;${EMAIL}\n`), findings: [['DxFileInvalidDelimiter', 1]] },
    { name: 'a header and nothing else', content: () => bz2('PXID,SHA256EMAIL\n'), findings: [['DxFileHeaderOnly', 1]] },
    { name: 'a header without a line ending', content: () => bz2('PXID,SHA256PHONE'), findings: [['DxFileHeaderOnly', 1]] },
    { name: 'a semicolon row', content: () => bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\nc2;${EMAIL}\n`), findings: [['DxFileInvalidDelimiter', 3]] },
    { name: 'a tab row', content: () => bz2(`PXID,SHA256EMAIL\nc2\t${EMAIL}\n`), findings: [['DxFileInvalidDelimiter', 2]] },
    { name: 'a field too many', content: () => bz2(`PXID,SHA256EMAIL\nc1,${EMAIL},${PHONE}\n`), findings: [['DxFileInconsistentFieldAndSchema', 2]] },
    { name: 'a field too few', content: () => bz2(`PXID,SHA256EMAIL,SHA256PHONE\nc1,${EMAIL}\n`), findings: [['DxFileInconsistentFieldAndSchema', 2]] },
    { name: 'a blank line', content: () => bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\n\nc2,${EMAIL}\n`), findings: [['DxFileInconsistentFieldAndSchema', 3]] },
    { name: 'a PXID with a space', content: () => bz2(`PXID,SHA256EMAIL\ncust 1,${EMAIL}\n`), findings: [['DxFileInvalidPxid', 2]] },
    { name: 'a PXID with a non-ASCII character', content: () => bz2(`PXID,SHA256EMAIL\nJosé,${EMAIL}\n`), findings: [['DxFileInvalidPxid', 2]] },
    { name: 'an empty PXID', content: () => bz2(`PXID,SHA256EMAIL\n,${EMAIL}\n`), findings: [['DxFileInvalidPxid', 2]] },
    { name: 'a 63-character email hash', content: () => bz2(`PXID,SHA256EMAIL\nc1,${EMAIL.slice(1)}\n`), findings: [['DxFileInvalidHashedEmail', 2]] },
    { name: 'a raw email', content: () => bz2(`PXID,SHA256EMAIL\nc1,mary@example.com\n`), findings: [['DxFileInvalidHashedEmail', 2]] },
    { name: 'a non-hex email hash', content: () => bz2(`PXID,SHA256EMAIL\nc1,${'g'.repeat(64)}\n`), findings: [['DxFileInvalidHashedEmail', 2]] },
    { name: 'a 63-character phone hash', content: () => bz2(`PXID,SHA256PHONE\nc1,${PHONE.slice(1)}\n`), findings: [['DxFileInconsistentContent', 2]] },
    { name: 'columns in another order than the header', content: () => bz2(`PXID,SHA256EMAIL\n${EMAIL},cust-1\n`), findings: [['DxFileInconsistentContent', 2]] },
  ];

  it('covers every code the document lists', () => {
    expect(new Set(cases.flatMap((c) => c.findings.map(([code]) => code)))).toEqual(new Set(DATAX_ERROR_CODES));
  });

  describe.each(DECODERS)('decoded by %s', (decoder) => {
    it.each(cases)('$name', async ({ content, findings }) => {
      const report = await validateDataxFile(file(content()), { decoder });
      expect(codes(report)).toEqual(findings);
      expect(report.valid).toBe(false);
    });
  });
});

describe.each(DECODERS)('validateDataxFile: damaged bzip2, decoded by %s', (decoder) => {
  /** Enough rows for several 900 kB blocks, so damage can fall after whole lines were decoded. */
  let made: Buffer | undefined;
  const big = () => {
    if (made) return made;
    let text = 'PXID,SHA256EMAIL,SHA256PHONE\n';
    for (let i = 0; i < 20_000; i++) text += `cust-${i},${sha(`e${i}`)},${sha(`p${i}`)}\n`;
    made = bz2(text);
    return made;
  };

  it('reports a truncated file, after checking the lines it could read', async () => {
    const whole = big();
    const report = await validateDataxFile(file(whole.subarray(0, Math.floor(whole.length * 0.8))), { decoder });
    expect(report.valid).toBe(false);
    expect(report.findings.map((f) => f.code)).toEqual(['DxFileNotValidBZ2']);
    expect(report.findings[0]!.message).toMatch(/truncated after \d+ complete lines/);
  }, 60_000);

  it('reports a file cut inside its first block', async () => {
    const whole = bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\n`);
    const report = await validateDataxFile(file(whole.subarray(0, whole.length - 5)), { decoder });
    expect(codes(report)).toEqual([['DxFileNotValidBZ2', null]]);
  });

  it('reports a flipped byte (block CRC)', async () => {
    const damaged = Buffer.from(big());
    damaged[damaged.length >> 1] ^= 0x55;
    const report = await validateDataxFile(file(damaged), { decoder, maxFindings: 3 });
    // Listed first even when the damaged block decoded into more garbage lines than the limit.
    expect(report.findings[0]!.code).toBe('DxFileNotValidBZ2');
    expect(report.findings.length).toBeLessThanOrEqual(3);
    expect(report.counts.DxFileNotValidBZ2).toBe(1);
  }, 60_000);

  it('confirms with bzip2 -t that the damaged files are damaged (the test is sound)', () => {
    const whole = big();
    const path = file(whole.subarray(0, whole.length - 100));
    expect(() => execFileSync('bzip2', ['-t', path], { stdio: 'pipe' })).toThrow();
  }, 60_000);
});

describe('validateDataxFile: accepted files', () => {
  it('accepts each schema the sink writes, upper-case hex, CRLF line endings and concatenated streams', async () => {
    const files = [
      bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\nc2,${EMAIL.toUpperCase()}\n`),
      bz2(`PXID,SHA256PHONE\r\nc1,${PHONE}\r\n`),
      bz2(`PXID,SHA256EMAIL,SHA256PHONE\nc1,${EMAIL},${PHONE}\n`),
      // The partner chooses the order; a PXID that is itself a hash is an id like any other.
      bz2(`SHA256EMAIL,PXID\n${EMAIL},${PHONE}\n`),
      Buffer.concat([bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\n`), bz2(`c2,${EMAIL}\n`)]),
    ];
    for (const [content, decoder] of files.flatMap((f) => DECODERS.map((d) => [f, d] as const))) {
      const report = await validateDataxFile(file(content), { decoder });
      expect(report.findings).toEqual([]);
      expect(report.valid).toBe(true);
    }
  }, 60_000);

  it('accepts every printable ASCII character but the comma in a PXID', async () => {
    let pxid = '';
    for (let c = 33; c <= 126; c++) if (c !== 44) pxid += String.fromCharCode(c);
    const report = await validateDataxFile(file(bz2(`PXID,SHA256EMAIL\n${pxid},${EMAIL}\n`)));
    expect(report).toMatchObject({ valid: true, schema: ['PXID', 'SHA256EMAIL'], rows: 1 });
  });
});

describe('validateDataxFile: every line, with its line number', () => {
  it('finds faults far past the first ten lines', async () => {
    const lines = ['PXID,SHA256EMAIL'];
    for (let i = 2; i <= 5000; i++) lines.push(`c${i},${EMAIL}`);
    lines[4321 - 1] = `bad id,${EMAIL}`;
    lines[4999 - 1] = `c4999,${EMAIL.slice(0, 63)}`;
    const report = await validateDataxFile(file(bz2(lines.join('\n') + '\n')));
    expect(codes(report)).toEqual([
      ['DxFileInvalidPxid', 4321],
      ['DxFileInvalidHashedEmail', 4999],
    ]);
    expect(report.rows).toBe(4999);
  });

  it('lists at most maxFindings but counts them all', async () => {
    const lines = ['PXID,SHA256EMAIL'];
    for (let i = 0; i < 50; i++) lines.push(`c ${i},${EMAIL}`);
    const report = await validateDataxFile(file(bz2(lines.join('\n'))), { maxFindings: 5 });
    expect(report.findings).toHaveLength(5);
    expect(report.counts).toEqual({ DxFileInvalidPxid: 50 });
    expect(report.truncated).toBe(true);
  });

  it('reports an overlong line without buffering it', async () => {
    const report = await validateDataxFile(file(bz2(`PXID,SHA256EMAIL\n${'x'.repeat(200_000)}\nc2,${EMAIL}\n`)));
    expect(codes(report)).toEqual([['DxFileInconsistentFieldAndSchema', 2]]);
  });

  it('never quotes a value in a message', async () => {
    const secrets = ['mary smith', 'mary@example.com', 'Zoë', '+15559876543'];
    const content = `PXID,SHA256EMAIL,SHA256PHONE\n${secrets[0]},${secrets[1]},${secrets[3]}\n${secrets[2]},${EMAIL},${PHONE}\n`;
    const report = await validateDataxFile(file(bz2(content)));
    expect(report.findings.length).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(report);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('fails with INPUT_NOT_FOUND for a missing file, IO for a folder, BAD_OPTION for a bad option', async () => {
    await expect(validateDataxFile(join(tempDir(), 'nope.csv.bz2'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    await expect(validateDataxFile(tempDir())).rejects.toMatchObject({ code: 'IO' });
    const path = file(bz2(`PXID,SHA256EMAIL\nc1,${EMAIL}\n`));
    await expect(validateDataxFile(path, { maxFindings: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(validateDataxFile(path, { decoder: 'zlib' as never })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

describe('checkDataxHeader and checkDataxLine (row by row)', () => {
  it.each([
    ['PXID,SHA256EMAIL', ['PXID', 'SHA256EMAIL']],
    ['PXID,SHA256PHONE', ['PXID', 'SHA256PHONE']],
    ['PXID,SHA256EMAIL,SHA256PHONE', ['PXID', 'SHA256EMAIL', 'SHA256PHONE']],
  ])('header %s is a schema', (header, schema) => {
    expect(checkDataxHeader(header)).toEqual({ schema, finding: null });
  });

  it.each([
    ['', 'DxFileNotValidSchema'],
    ['pxid,sha256email', 'DxFileNotValidSchema'],
    ['PXID, SHA256EMAIL', 'DxFileNotValidSchema'],
    ['PXID|SHA256EMAIL', 'DxFileInvalidDelimiter'],
    ['PXID\tSHA256EMAIL', 'DxFileInvalidDelimiter'],
  ])('header %j is refused with %s', (header, code) => {
    expect(checkDataxHeader(header).finding?.code).toBe(code);
  });

  const lineCodes = (text: string, schema = ['PXID', 'SHA256EMAIL', 'SHA256PHONE'] as const) => {
    const out: DataxFinding[] = [];
    checkDataxLine(text, schema, 7, out);
    return out.map((f) => [f.code, f.column ?? null, f.line]);
  };

  it('names each bad column of a line', () => {
    expect(lineCodes(`a b,${EMAIL.slice(2)},${PHONE}x`)).toEqual([
      ['DxFileInvalidPxid', 'PXID', 7],
      ['DxFileInvalidHashedEmail', 'SHA256EMAIL', 7],
      ['DxFileInconsistentContent', 'SHA256PHONE', 7],
    ]);
    expect(lineCodes(`c1,${EMAIL},${PHONE}`)).toEqual([]);
    expect(lineCodes(`c1|${EMAIL}|${PHONE}`)).toEqual([['DxFileInvalidDelimiter', null, 7]]);
    // A 63-hex value where a hash belongs is a damaged hash, not an id out of place.
    expect(lineCodes(`${EMAIL},${EMAIL.slice(1)}`, ['PXID', 'SHA256EMAIL'] as never)).toEqual([['DxFileInvalidHashedEmail', 'SHA256EMAIL', 7]]);
  });
});
