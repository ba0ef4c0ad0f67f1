import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AudienceEtlError } from '../../src/errors.js';
import { runDestination } from '../../src/pipeline/run.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const GOOD = 'email,phone\n' + Array.from({ length: 3000 }, (_, i) => `user${i}@example.com,+1 212 555 ${String(i % 10000).padStart(4, '0')}`).join('\n') + '\n';

async function failure(input: string | Readable, extra: Record<string, unknown> = {}): Promise<{ error: AudienceEtlError; out: string }> {
  const out = join(tempDir(), 'out');
  try {
    await runDestination({ destination: 'meta', input, out, batchSize: 100, ...extra });
  } catch (err) {
    expect(err).toBeInstanceOf(AudienceEtlError);
    return { error: err as AudienceEtlError, out };
  }
  throw new Error('the run was expected to fail');
}

/** A failed run leaves no file that looks finished: no batch, no report, no rejects, no temp. */
function expectNothingFinished(out: string) {
  expect(listFiles(out)).toEqual([]);
}

describe('bad input fails clearly and leaves nothing that looks finished', () => {
  it('a truncated .gz', async () => {
    const dir = tempDir();
    const gz = gzipSync(Buffer.from(GOOD));
    const path = join(dir, 'customers.csv.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 40));
    const { error, out } = await failure(path);
    expect(error.code).toBe('TRUNCATED_INPUT');
    expect(error.message).toMatch(/gzip input is truncated/);
    expect(error.message).toContain('customers.csv.gz');
    expect(error.byte).toBeGreaterThan(0);
    expectNothingFinished(out);
  });

  it('a truncated .bz2 (compressed by the system bzip2)', async () => {
    const dir = tempDir();
    const bz = execFileSync('bzip2', ['-c'], { input: GOOD });
    const path = join(dir, 'customers.csv.bz2');
    writeFileSync(path, bz.subarray(0, Math.floor(bz.length * 0.6)));
    const { error, out } = await failure(path);
    expect(['TRUNCATED_INPUT', 'BAD_COMPRESSION']).toContain(error.code);
    expect(error.message).toMatch(/bzip2 input/);
    expect(error.message).toContain('customers.csv.bz2');
    expectNothingFinished(out);
  });

  it('a malformed CSV quote, with line, field and byte', async () => {
    const dir = tempDir();
    const path = join(dir, 'customers.csv');
    writeFileSync(path, GOOD + 'x@y.com,"555"1\n');
    const { error, out } = await failure(path);
    expect(error.code).toBe('CSV_SYNTAX');
    expect(error.line).toBe(3002);
    expect(error.message).toMatch(/at line 3002, column 2 \(byte \d+\) of customers\.csv/);
    expect(error.message).not.toContain('x@y.com');
    expectNothingFinished(out);
  });

  it('a JSON syntax error, with its line', async () => {
    const dir = tempDir();
    const path = join(dir, 'customers.json');
    writeFileSync(path, '[\n{"email": "a@x.com"},\n{"email": "b@x.com",}\n]\n');
    const { error, out } = await failure(path);
    expect(error.code).toBe('JSON_SYNTAX');
    expect(error.line).toBe(3);
    expect(error.message).toContain('customers.json');
    expectNothingFinished(out);
  });

  it('an unknown destination', async () => {
    await expect(runDestination({ destination: 'tiktok', input: 'x', out: tempDir() })).rejects.toMatchObject({ code: 'UNKNOWN_DESTINATION' });
  });

  it('a missing required column', async () => {
    const dir = tempDir();
    const path = join(dir, 'customers.csv');
    writeFileSync(path, 'gender,city\nF,Boston\n');
    const { error, out } = await failure(path);
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toMatch(/meta needs an email/);
    expect(error.message).toMatch(/line 1 of customers\.csv/);
    expectNothingFinished(out);
  });

  it('a --map column the input lacks', async () => {
    const dir = tempDir();
    const path = join(dir, 'customers.csv');
    writeFileSync(path, 'email\na@x.com\n');
    const { error } = await failure(path, { map: { phone: 'Mobile Phone' } });
    expect(error.code).toBe('MISSING_COLUMN');
    expect(error.message).toContain('Mobile Phone');
  });

  it('a missing input file', async () => {
    const { error } = await failure('/nonexistent/customers.csv');
    expect(error.code).toBe('INPUT_NOT_FOUND');
    expect(error.message).toContain('/nonexistent/customers.csv');
  });

  it('keeps good rows around bad ones: a short row is rejected, not fatal', async () => {
    const dir = tempDir();
    const path = join(dir, 'customers.csv');
    writeFileSync(path, 'email,phone\na@x.com,1\nb@x.com\nc@x.com,3\n');
    const out = join(dir, 'out');
    const result = await runDestination({ destination: 'meta', input: path, out });
    expect(result.stats).toMatchObject({ rows_in: 3, rows_out: 2, rows_rejected: 1, rejects: { field_count_mismatch: 1 } });
    expect(readFileSync(result.rejectsPath, 'utf8')).toBe('{"line":3,"reason":"field_count_mismatch"}\n');
  });
});

describe('sources', () => {
  it('reads gzip, bzip2 and zip by their bytes, whatever the name, and stdin', async () => {
    const dir = tempDir();
    const csv = 'email\na@x.com\nb@x.com\n';
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, csv);
    const gz = join(dir, 'gz.dat');
    writeFileSync(gz, gzipSync(csv));
    const bz = join(dir, 'bz.dat');
    writeFileSync(bz, execFileSync('bzip2', ['-c'], { input: csv }));
    const zip = join(dir, 'zip.dat');
    execFileSync('python3', ['-c', `import zipfile; z=zipfile.ZipFile(${JSON.stringify(zip)},'w',zipfile.ZIP_DEFLATED); z.writestr('customers.csv', ${JSON.stringify(csv)}); z.close()`]);
    for (const [input, compression] of [
      [plain, 'none'],
      [gz, 'gzip'],
      [bz, 'bzip2'],
      [zip, 'zip'],
    ] as const) {
      const result = await runDestination({ destination: 'meta', input, out: join(dir, `out-${compression}`) });
      expect(result.report.compression).toBe(compression);
      expect(result.stats.rows_out).toBe(2);
    }
    const viaStdin = await runDestination({ destination: 'meta', input: '-', stdin: Readable.from([gzipSync(csv)]), out: join(dir, 'out-stdin') });
    expect(viaStdin.stats.rows_out).toBe(2);
    const zipStdin = await runDestination({ destination: 'meta', input: '-', stdin: Readable.from([readFileSync(zip)]), out: join(dir, 'out-zip-stdin') });
    expect(zipStdin.stats.rows_out).toBe(2);
  });

  it.each([
    ['json', '[{"email":"a@x.com"},{"email":"b@x.com"}]'],
    ['ndjson', '{"email":"a@x.com"}\n{"email":"b@x.com"}\n'],
    ['tsv', 'email\tphone\na@x.com\t1\nb@x.com\t2\n'],
  ])('detects %s', async (format, text) => {
    const dir = tempDir();
    const input = join(dir, 'in');
    writeFileSync(input, text);
    const result = await runDestination({ destination: 'meta', input, out: join(dir, 'out') });
    expect(result.report.format).toBe(format === 'tsv' ? 'csv' : format);
    expect(result.stats.rows_out).toBe(2);
  });

  it.each([1, 2])('a run aborted half-way (threads %i): INTERRUPTED, and its temporary files removed', async (threads) => {
    const out = join(tempDir(), 'out');
    const controller = new AbortController();
    // Rows (enough for several messages of blocks to the workers), then an input that stays
    // open: the run is mid-way when it is aborted.
    const rows = GOOD + Array.from({ length: 12_000 }, (_, i) => `more${i}@example.com,+1 212 555 ${String(i % 10000).padStart(4, '0')}`).join('\n') + '\n';
    let stalled!: () => void;
    const input = Readable.from(
      (async function* () {
        yield Buffer.from(rows);
        await new Promise<void>((resolve) => (stalled = resolve));
        yield Buffer.from('late@example.com,+1 212 555 0199\n');
      })(),
    );
    const running = runDestination({ destination: 'meta', input, out, batchSize: 100, threads, signal: controller.signal });
    // Abort once the rows before the stall have reached the sink.
    for (let i = 0; i < 200 && listFiles(out).filter((f) => f.startsWith('meta/')).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(listFiles(out).some((f) => f.startsWith('meta/.tmp-'))).toBe(true);
    controller.abort();
    const error = await running.then(
      () => undefined,
      (err: unknown) => err,
    );
    stalled();
    expect(error).toBeInstanceOf(AudienceEtlError);
    expect((error as AudienceEtlError).code).toBe('INTERRUPTED');
    expectNothingFinished(out);
  });
});
