import type { Readable, Transform } from 'node:stream';
import { parseCsv, type CsvParseOptions } from '../../transforms/parse-csv.js';
import { parseJsonArray } from '../../transforms/parse-json.js';
import { parseNdjson } from '../../transforms/parse-ndjson.js';
import { peek } from '../../sources/sniff.js';
import { AudienceEtlError } from '../errors.js';

export type InputFormat = 'csv' | 'tsv' | 'json' | 'ndjson';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'json', 'ndjson'];

/**
 * The format from the first non-blank character: `[` a JSON array, `{` NDJSON, else CSV. Returns
 * the stream to read from afterwards (it replays what was looked at).
 */
export async function detectFormat(source: Readable): Promise<{ format: InputFormat; stream: Readable }> {
  const { head, stream } = await peek(source, 256);
  const first = head.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
  return { format: first === '[' ? 'json' : first === '{' ? 'ndjson' : 'csv', stream };
}

export function checkFormat(format: string): InputFormat {
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    throw new AudienceEtlError('BAD_OPTION', `--format ${format}: use ${INPUT_FORMATS.join(', ')}`);
  }
  return format as InputFormat;
}

/** The parser stage for a format. */
export function parserFor(format: InputFormat, options: CsvParseOptions): Transform {
  switch (format) {
    case 'csv':
      return parseCsv(options);
    case 'tsv':
      return parseCsv({ ...options, delimiter: '\t' });
    case 'json':
      return parseJsonArray({ file: options.file, stats: options.stats });
    case 'ndjson':
      return parseNdjson({ file: options.file, stats: options.stats });
  }
}
