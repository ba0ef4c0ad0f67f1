import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../sinks/atomic-file.js';

/**
 * The files of one destination folder (no subfolders) that `isOwn` accepts, sorted by name,
 * and the names of the others. Temporary files and dot-files (journal, state) are never own.
 */
export async function listFlat(root: string, isOwn: (name: string) => boolean): Promise<{ items: string[]; ignored: string[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const items: string[] = [];
  const ignored: string[] = [];
  for (const entry of entries) {
    const own = entry.isFile() && !entry.name.startsWith(TEMP_PREFIX) && !entry.name.startsWith('.') && isOwn(entry.name);
    (own ? items : ignored).push(entry.name);
  }
  return { items: items.sort(), ignored: ignored.sort() };
}

/** Every file below `root`, as `/`-separated relative paths, with the same split as listFlat. */
export async function listDeep(root: string, isOwn: (rel: string) => boolean): Promise<{ items: string[]; ignored: string[] }> {
  const items: string[] = [];
  const ignored: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.')) ignored.push(`${rel}/`);
        else await walk(join(dir, entry.name), `${rel}/`);
        continue;
      }
      const own = entry.isFile() && !entry.name.startsWith(TEMP_PREFIX) && !entry.name.startsWith('.') && isOwn(rel);
      (own ? items : ignored).push(rel);
    }
  }
  await walk(root, '');
  return { items: items.sort(), ignored: ignored.sort() };
}
