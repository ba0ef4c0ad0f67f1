import { AudienceEtlError } from '../src/errors.js';
import type { Row } from '../src/model/row.js';
import type { RunStats } from '../src/model/stats.js';

/** A JSON value as a field string: scalars as text, arrays of scalars joined by `;`, null as empty. */
function fieldValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) return '';
      if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
        return value.filter((v) => v !== null && v !== '').map(String).join(';');
      }
      // Nested objects have no canonical meaning; the text fails any normalizer and counts invalid.
      return JSON.stringify(value);
    default:
      return '';
  }
}

/** A parsed JSON element → a Row, or a reject when it is not an object. */
export function jsonElementToRow(value: unknown, line: number, out: Row[], stats: RunStats | undefined): void {
  if (stats) stats.rowsIn++;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push({ line, fields: {}, rejected: 'not_an_object' });
    return;
  }
  const fields: Record<string, string> = {};
  for (const key of Object.keys(value)) fields[key] = fieldValue((value as Record<string, unknown>)[key]);
  out.push({ line, fields });
}

/**
 * JSON.parse with a position-bearing error. V8's messages may quote the input, so only the part
 * before any quoted source text is kept.
 */
export function parseJsonText(
  text: string,
  where: { file: string | undefined; line: number; byte: number },
): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /at position (\d+)/.exec(message);
    let line = where.line;
    let column = 1;
    let byte = where.byte;
    if (position) {
      const at = Math.min(Number(position[1]), text.length);
      const before = text.slice(0, at);
      const lastNewline = before.lastIndexOf('\n');
      line += before.split('\n').length - 1;
      column = at - lastNewline;
      byte += Buffer.byteLength(before);
    } else if (/end of JSON input/i.test(message)) {
      line += text.split('\n').length - 1;
      byte += Buffer.byteLength(text);
    }
    const reason = message.split(/[,"(]| in JSON/)[0]!.trim() || 'invalid JSON';
    throw new AudienceEtlError('JSON_SYNTAX', `JSON syntax error: ${reason}`, { file: where.file, line, column, byte, stage: 'parse' });
  }
}
