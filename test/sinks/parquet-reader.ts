import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/**
 * Reads a Parquet file back with hyparquet (+ hyparquet-compressors): a reader independent of the
 * writer's encoder, so a test checks the file as a consumer sees it.
 */
export interface ReadBack {
  /** Leaf columns, in file order, with their physical type, converted type and repetition. */
  schema: { name: string; type: string | undefined; convertedType: string | undefined; repetition: string | undefined }[];
  /** Every column chunk's codec, over every row group. */
  codecs: string[];
  rowGroups: number;
  /** Per column of the first row group: compressed and uncompressed bytes. */
  sizes: Record<string, { compressed: number; uncompressed: number }>;
  numRows: number;
  rows: Record<string, unknown>[];
}

export async function readParquet(path: string): Promise<ReadBack> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(file);
  const schema = metadata.schema.slice(1).map((e) => ({
    name: e.name,
    type: e.type,
    convertedType: e.converted_type,
    repetition: e.repetition_type,
  }));
  const codecs = metadata.row_groups.flatMap((g) => g.columns.map((c) => String(c.meta_data?.codec)));
  const rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
  const sizes: ReadBack['sizes'] = {};
  for (const c of metadata.row_groups[0]?.columns ?? []) {
    sizes[c.meta_data!.path_in_schema.join('.')] = {
      compressed: Number(c.meta_data!.total_compressed_size),
      uncompressed: Number(c.meta_data!.total_uncompressed_size),
    };
  }
  return { schema, codecs, rowGroups: metadata.row_groups.length, numRows: Number(metadata.num_rows), sizes, rows };
}
