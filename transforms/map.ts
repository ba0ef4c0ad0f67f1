import { Transform, type TransformCallback } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';
import { aliasKey, fieldForColumn, isCanonicalField, type CanonicalField } from '../src/model/fields.js';
import type { Row, RowChunk } from '../src/model/row.js';

export interface MapOptions {
  /** Explicit mapping, `field → input column`; wins over aliases. */
  map?: Readonly<Record<string, string>>;
}

/** Per canonical field, the input columns it reads, first non-empty wins. */
export type ColumnPlan = ReadonlyArray<readonly [CanonicalField, readonly string[]]>;

/**
 * Decides once per set of input columns which column feeds which canonical field. Pure: the map
 * stage caches its plans; `planColumns` also serves the CSV header check.
 */
export class ColumnMapper {
  private readonly explicit: ReadonlyArray<readonly [CanonicalField, string]>;
  private readonly plans = new Map<string, ColumnPlan>();

  constructor(options: MapOptions = {}) {
    const explicit: [CanonicalField, string][] = [];
    for (const [field, column] of Object.entries(options.map ?? {})) {
      if (!isCanonicalField(field)) {
        throw new AudienceEtlError('BAD_OPTION', `--map ${field}=…: "${field}" is not a canonical field`);
      }
      if (typeof column !== 'string' || column.trim() === '') {
        throw new AudienceEtlError('BAD_OPTION', `--map ${field}=…: the column name is empty`);
      }
      explicit.push([field, column]);
    }
    this.explicit = explicit;
  }

  /** Explicitly mapped columns that `columns` lacks (matched exactly, then case-insensitively). */
  missingExplicit(columns: readonly string[]): string[] {
    return this.explicit.filter(([, column]) => this.findColumn(columns, column) === undefined).map(([, column]) => column);
  }

  private findColumn(columns: readonly string[], wanted: string): string | undefined {
    if (columns.includes(wanted)) return wanted;
    const key = aliasKey(wanted);
    return columns.find((c) => aliasKey(c) === key);
  }

  planColumns(columns: readonly string[]): ColumnPlan {
    const sources = new Map<CanonicalField, string[]>();
    const taken = new Set<string>();
    for (const [field, wanted] of this.explicit) {
      const column = this.findColumn(columns, wanted);
      if (column === undefined) continue;
      sources.set(field, [column]);
      taken.add(column);
    }
    for (const column of columns) {
      if (taken.has(column)) continue;
      const field = fieldForColumn(column);
      if (field === undefined || this.explicit.some(([f]) => f === field)) continue;
      const list = sources.get(field);
      if (list) list.push(column);
      else sources.set(field, [column]);
    }
    return [...sources.entries()];
  }

  /** The plan for a row's own columns, cached by their names. */
  planFor(fields: Readonly<Record<string, string>>): ColumnPlan {
    const columns = Object.keys(fields);
    const signature = columns.join('\u0001');
    let plan = this.plans.get(signature);
    if (plan === undefined) {
      plan = this.planColumns(columns);
      if (this.plans.size > 1000) this.plans.clear(); // JSON inputs with ever-new keys
      this.plans.set(signature, plan);
    }
    return plan;
  }

  /**
   * For records that arrive as cells in the order of `columns` (a CSV's header): cells →
   * canonical fields, as `apply()` would map the record keyed by those columns, without building
   * that record first.
   */
  shaper(columns: readonly string[]): (cells: readonly string[]) => Record<string, string> {
    const plan = this.planColumns(columns).map(([field, sources]) => [field, sources.map((c) => columns.indexOf(c))] as const);
    if (plan.every(([, at]) => at.length === 1)) {
      // One column per field (the usual case): an object literal of constant shape, built by a
      // function made for these columns. Field names are canonical ones, quoted as JSON.
      const body = plan.map(([field, at]) => `${JSON.stringify(field)}: cells[${at[0]!}]`).join(', ');
      return new Function('cells', `return { ${body} };`) as (cells: readonly string[]) => Record<string, string>;
    }
    return (cells) => {
      const out: Record<string, string> = {};
      for (let p = 0; p < plan.length; p++) {
        const [field, at] = plan[p]!;
        let value = cells[at[0]!]!;
        for (let c = 1; c < at.length && value.trim() === ''; c++) value = cells[at[c]!]!;
        out[field] = value;
      }
      return out;
    };
  }

  /** Input columns → canonical fields; a field with no column is absent. */
  apply(fields: Readonly<Record<string, string>>, plan: ColumnPlan = this.planFor(fields)): Record<string, string> {
    const out: Record<string, string> = {};
    for (let p = 0; p < plan.length; p++) {
      const [field, columns] = plan[p]!;
      let value = fields[columns[0]!]!;
      for (let c = 1; value.trim() === '' && c < columns.length; c++) value = fields[columns[c]!]!;
      out[field] = value;
    }
    return out;
  }
}

/** Stage: rows with input columns → rows with canonical fields (`--map`, then aliases). */
export function mapColumns(options: MapOptions = {}): Transform {
  const mapper = new ColumnMapper(options);
  let lastKeys: string[] | undefined;
  let lastPlan: ColumnPlan | undefined;
  const mapRow = (row: Row) => {
    if (row.rejected !== undefined) return;
    // CSV rows share one key order: reuse the last plan while the first key and count agree.
    const keys = Object.keys(row.fields);
    if (lastPlan === undefined || keys.length !== lastKeys!.length || keys.some((k, i) => k !== lastKeys![i])) {
      lastKeys = keys;
      lastPlan = mapper.planFor(row.fields);
    }
    row.fields = mapper.apply(row.fields, lastPlan);
  };
  return new Transform({
    objectMode: true,
    // Chunks are arrays of thousands of rows: a couple in flight per stage keeps memory flat.
    highWaterMark: 2,
    transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback) {
      if (Array.isArray(chunk)) for (let i = 0; i < chunk.length; i++) mapRow(chunk[i]!);
      else mapRow(chunk);
      callback(null, chunk);
    },
  });
}
