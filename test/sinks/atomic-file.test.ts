import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile, moveIntoPlace, TEMP_PREFIX, writeFileAtomic } from '../../sinks/atomic-file.js';
import { BatchFileSet } from '../../sinks/batch-files.js';
import { tempDir } from '../helpers/tmp.js';

describe('moveIntoPlace', () => {
  it('moves the finished file (its inode, not a copy) to the name of an older one', async () => {
    const dir = tempDir();
    const final = join(dir, 'out.json');
    writeFileSync(final, 'old contents, longer than the new');
    const oldInode = statSync(final).ino;
    const temp = join(dir, `${TEMP_PREFIX}x-out.json`);
    writeFileSync(temp, 'new');
    const tempInode = statSync(temp).ino;
    await moveIntoPlace(temp, final);
    expect(readFileSync(final, 'utf8')).toBe('new');
    expect(statSync(final).ino).toBe(tempInode);
    expect(statSync(final).ino).not.toBe(oldInode);
    expect(existsSync(temp)).toBe(false);
  });

  it('works when there is no older file', async () => {
    const dir = tempDir();
    const temp = join(dir, `${TEMP_PREFIX}y-out.json`);
    writeFileSync(temp, 'first');
    await moveIntoPlace(temp, join(dir, 'out.json'));
    expect(readdirSync(dir)).toEqual(['out.json']);
  });
});

describe('files re-written into the same directory', () => {
  it('AtomicFile and writeFileAtomic replace the previous run’s file and leave no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'report.json');
    await writeFileAtomic(path, '{"run":1}');
    await writeFileAtomic(path, '{"run":2}');
    const file = await AtomicFile.open(path);
    file.stream.write('{"run":3}');
    await file.commit();
    expect(readFileSync(path, 'utf8')).toBe('{"run":3}');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('a batch series replaces the previous run’s batches and removes those it no longer has', async () => {
    const dir = tempDir();
    const write = async (bodies: string[]) => {
      const files = new BatchFileSet(dir, 'batch-');
      for (const body of bodies) await files.add(body);
      return files.commit();
    };
    await write(['a1', 'a2', 'a3']);
    const names = await write(['b1', 'b2']);
    expect(names).toEqual(['batch-000001.json', 'batch-000002.json']);
    expect(readdirSync(dir).sort()).toEqual(names);
    expect(names.map((n) => readFileSync(join(dir, n), 'utf8'))).toEqual(['b1', 'b2']);
  });
});
