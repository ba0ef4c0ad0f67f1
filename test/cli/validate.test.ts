import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_CANNOT_CHECK, EXIT_REFUSED, registerValidateCommand } from '../../src/cli/validate.js';
import { tempDir } from '../helpers/tmp.js';

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

const EMAIL = createHash('sha256').update('mary@example.com').digest('hex');

/** Runs `audience-etl validate ...` in process, capturing what it prints and its exit code. */
async function validate(...args: string[]) {
  const program = new Command().name('audience-etl').exitOverride();
  registerValidateCommand(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['validate', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

function bz2File(text: string): string {
  const path = join(tempDir(), 'audience-email.csv.bz2');
  writeFileSync(path, execFileSync('bzip2', ['-c'], { input: text }));
  return path;
}

describe('audience-etl validate datax FILE', () => {
  it('exits 0 and says so for a valid file', async () => {
    const path = bz2File(`PXID,SHA256EMAIL\nc1,${EMAIL}\nc2,${EMAIL}\n`);
    const result = await validate('datax', path);
    expect(result.exitCode).toBeUndefined();
    expect(result.stdout).toBe(`${path}: valid DataX file, schema PXID,SHA256EMAIL, 2 rows\n`);
    expect(result.stderr).toBe('');
  });

  it('lists each finding with its line, exits non-zero, and quotes no value', async () => {
    const path = bz2File(`PXID,SHA256EMAIL\nc1,${EMAIL}\nmary smith,${EMAIL}\nc3;${EMAIL}\nc4,mary@example.com\n`);
    const result = await validate('datax', path);
    expect(result.exitCode).toBe(EXIT_REFUSED);
    expect(result.stderr.split('\n')).toEqual([
      'line 3: DxFileInvalidPxid: PXID has a space at character 5',
      'line 4: DxFileInvalidDelimiter: the line is delimited by a semicolon, not a comma',
      'line 5: DxFileInvalidHashedEmail: SHA256EMAIL is 16 characters long, not 64',
      `${path}: refused by DataX's rules: 3 findings (DxFileInvalidPxid 1, DxFileInvalidDelimiter 1, DxFileInvalidHashedEmail 1)`,
      '',
    ]);
    expect(result.stderr).not.toContain('mary');
  });

  it('prints the report as JSON with --json', async () => {
    const path = bz2File('PXID,SHA256EMAIL\n');
    const result = await validate('datax', path, '--json');
    expect(result.exitCode).toBe(EXIT_REFUSED);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      findings: [{ code: 'DxFileHeaderOnly', line: 1 }],
      counts: { DxFileHeaderOnly: 1 },
    });
  });

  it('lists at most --max-findings, and counts the rest', async () => {
    const path = bz2File(`PXID,SHA256EMAIL\n${Array.from({ length: 5 }, (_, i) => `c ${i},${EMAIL}`).join('\n')}\n`);
    const result = await validate('datax', path, '--max-findings', '2');
    expect(result.stderr).toContain('… 3 more findings not listed');
    expect(result.stderr).toContain('5 findings (DxFileInvalidPxid 5)');
  });

  it.each([
    [['meta', 'x.json'], /no validator for "meta": files can be validated for datax/],
    [['datax', '/nonexistent/file.csv.bz2'], /INPUT_NOT_FOUND.*no such file/],
    [['datax', 'x', '--max-findings', 'lots'], /--max-findings "lots"/],
  ])('cannot check %j: exits %s with a clear message', async (args, message) => {
    const result = await validate(...args);
    expect(result.exitCode).toBe(EXIT_CANNOT_CHECK);
    expect(result.stderr).toMatch(message);
  });
});
