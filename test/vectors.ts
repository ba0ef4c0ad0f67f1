import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/vectors/vectors.json beside the repository (CI clones with shared/ beside it). */
export interface Vectors {
  sha256: { input: string; sha256: string; source: string; note?: string }[];
  normalize: { destination: string; field: string; input: string; country?: string | null; normalized: string; sha256: string; source: string }[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const VECTORS_PATH = join(here, '..', '..', 'shared', 'vectors', 'vectors.json');
export const vectors: Vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;
