import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileDigest, UploadJournal } from '../../src/upload/journal.js';
import { tempDir } from '../helpers/tmp.js';
import { sha256 } from './helpers.js';

describe('UploadJournal', () => {
  it('creates nothing until the first record, and reads back what was recorded', async () => {
    const path = join(tempDir(), '.upload-journal.ndjson');
    const journal = await UploadJournal.open(path, () => new Date('2026-03-01T00:00:00Z'));
    expect(journal.acknowledged('t', 'a', 'd1')).toBeUndefined();
    await journal.recordIntent('t', 'a', 'd1');
    expect(journal.inFlight('t', 'a', 'd1')).toBe(true);
    await journal.recordAck('t', 'a', 'd1', { n: 1 });
    await journal.recordIntent('t', 'b', 'd2');
    await journal.close();

    const reopened = await UploadJournal.open(path);
    expect(reopened.acknowledged('t', 'a', 'd1')).toMatchObject({ type: 'ack', at: '2026-03-01T00:00:00.000Z', ack: { n: 1 } });
    expect(reopened.inFlight('t', 'a', 'd1')).toBe(false);
    expect(reopened.inFlight('t', 'b', 'd2')).toBe(true);
    expect(reopened.acknowledged('t', 'b', 'd2')).toBeUndefined();
  });

  it('keys on target, file and digest: another target or new content is not acknowledged', async () => {
    const path = join(tempDir(), 'j.ndjson');
    const journal = await UploadJournal.open(path);
    await journal.recordAck('meta:x:1:add', 'batch-000001.json', 'aa');
    await journal.close();
    const reopened = await UploadJournal.open(path);
    expect(reopened.acknowledged('meta:x:1:add', 'batch-000001.json', 'aa')).toBeDefined();
    expect(reopened.acknowledged('meta:x:2:add', 'batch-000001.json', 'aa')).toBeUndefined();
    expect(reopened.acknowledged('meta:x:1:add', 'batch-000001.json', 'bb')).toBeUndefined();
    expect(reopened.acknowledgementsFor('meta:x:1:add')).toHaveLength(1);
  });

  it('ignores a torn last line (a process killed mid-write) and lines of other shapes', async () => {
    const path = join(tempDir(), 'j.ndjson');
    const journal = await UploadJournal.open(path);
    await journal.recordAck('t', 'a', 'd');
    await journal.close();
    appendFileSync(path, '{"v":1,"type":"ack","target":"t","file":"b","dig');
    const reopened = await UploadJournal.open(path);
    expect(reopened.acknowledged('t', 'a', 'd')).toBeDefined();
    expect(reopened.acknowledged('t', 'b', 'd')).toBeUndefined();

    writeFileSync(path, '[1,2]\nnull\n{"v":2,"type":"ack","target":"t","file":"a","digest":"d"}\n');
    expect((await UploadJournal.open(path)).acknowledged('t', 'a', 'd')).toBeUndefined();
  });

  it('writes one JSON line per record', async () => {
    const path = join(tempDir(), 'j.ndjson');
    const journal = await UploadJournal.open(path);
    await journal.recordIntent('t', 'a', 'd');
    await journal.recordAck('t', 'a', 'd', { id: 'x' });
    await journal.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['intent', 'ack']);
  });

  it('digests a file as sha256 of its bytes', async () => {
    const file = join(tempDir(), 'f');
    writeFileSync(file, 'hello');
    expect(await fileDigest(file)).toBe(sha256('hello'));
  });
});
