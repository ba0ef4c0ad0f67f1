import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDestination } from '../../src/pipeline/run.js';
import { readParquet } from '../sinks/parquet-reader.js';
import { listFiles, tempDir } from '../helpers/tmp.js';

const HEADER = 'customer_id,email,first_name,city';

describe('run newtail --delta (through runDestination, as the CLI runs it)', () => {
  it('writes everything first, then only new and changed customers, and reports the comparison', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    const out = join(dir, 'out');
    let second = 0;
    const now = () => new Date(Date.UTC(2026, 10, 25, 12, 0, second++));
    writeFileSync(input, [HEADER, 'A1,a@x.com,Ana,Recife', 'B2,b@x.com,Bia,Natal', 'C3,c@x.com,Caio,Belém'].join('\n') + '\n');
    const first = await runDestination({ destination: 'newtail', input, out, prefix: 'acme', delta: true, now });
    expect(first.stats).toMatchObject({ rows_in: 3, rows_out: 3, rows_rejected: 0 });
    expect(first.report.delta).toMatchObject({ state_loaded: 0, new: 3, changed: 0, unchanged: 0 });

    // B2 changes city, C3 is unchanged, D4 is new, A1 left the export.
    writeFileSync(input, [HEADER, 'B2,b@x.com,Bia,Olinda', 'C3,c@x.com,Caio,Belém', 'D4,d@x.com,Duda,Natal'].join('\n') + '\n');
    const next = await runDestination({ destination: 'newtail', input, out, prefix: 'acme', delta: true, now });
    expect(next.stats).toMatchObject({ rows_in: 3, rows_out: 3, rows_rejected: 0 });
    expect(next.report.delta).toMatchObject({ state_loaded: 3, new: 1, changed: 1, unchanged: 1 });
    expect(next.files).toHaveLength(1);
    const written = await readParquet(join(out, next.files[0]!));
    expect(written.rows.map((r) => r.CUSTOMER_ID)).toEqual(['B2', 'D4']);
    expect(listFiles(out).filter((f) => f.endsWith('.parquet.snappy'))).toHaveLength(2);
    expect(listFiles(out).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('refuses --delta for other destinations before writing anything', async () => {
    const out = join(tempDir(), 'out');
    await expect(runDestination({ destination: 'meta', input: 'examples/customers.csv', out, delta: true })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(listFiles(out)).toEqual([]);
  });
});
