import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitRecords, type RecordBlock } from '../../transforms/split-records.js';

/**
 * The blocks of `chunks`, as a worker-thread consumer gets them: each non-header block's buffer is
 * transferred away the moment it is pushed, so a block sharing bytes with what the stage still
 * holds would lose them. `bytes` of the returned blocks are copies taken just before.
 */
async function split(chunks: Buffer[], options: Parameters<typeof splitRecords>[0]): Promise<RecordBlock[]> {
  const blocks: RecordBlock[] = [];
  const stage = splitRecords(options);
  stage.on('data', (block: RecordBlock) => {
    const copy = Buffer.from(block.bytes);
    if (!block.header) {
      structuredClone(block.bytes, { transfer: [block.bytes.buffer as ArrayBuffer] });
      // Detached: the whole buffer moved, so it was the block's alone (never Buffer's pool).
      expect(block.bytes.buffer.byteLength).toBe(0);
    }
    blocks.push({ ...block, bytes: copy });
  });
  await new Promise<void>((resolve, reject) => {
    stage.on('end', resolve).on('error', reject);
    Readable.from(chunks, { objectMode: false }).on('error', reject).pipe(stage);
  });
  return blocks;
}

/** Line terminators as the CSV engine counts them: `\n`, and `\r` not followed by `\n`. */
function lines(text: Buffer): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === 0x0a || (text[i] === 0x0d && text[i + 1] !== 0x0a)) n++;
  return n;
}

/** Just after the first line feed outside quotes, or the whole input. */
function firstRecordEnd(bytes: Buffer): number {
  let inQuotes = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x22) inQuotes = !inQuotes;
    else if (bytes[i] === 0x0a && !inQuotes) return i + 1;
  }
  return bytes.length;
}

function quotes(bytes: Buffer): number {
  let n = 0;
  for (const b of bytes) if (b === 0x22) n++;
  return n;
}

/** Input cut into chunks at the given sizes (the last chunk takes the rest). */
function chunked(input: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= input.length) break;
    chunks.push(input.subarray(at, at + size));
    at += size;
  }
  if (at < input.length) chunks.push(input.subarray(at));
  return chunks;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const pieces = fc.constantFrom('a', 'bc', ',', '"', '""', '\n', '\r\n', '\r', 'é', '😀', 'x,y\n');

describe('splitRecords', () => {
  it('cuts any input into whole-record blocks that own their buffers, with each block\'s line and byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(pieces, { maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (bom, text, sizes, blockSize, header) => {
          const body = Buffer.from(text.join(''), 'utf8');
          const input = bom ? Buffer.concat([BOM, body]) : body;
          const blocks = await split(chunked(input, sizes), { blockSize, quoted: true, header });
          // Every byte once, in order; the byte order mark dropped.
          if (header && blocks.length) expect(blocks[0]!.bytes.equals(body.subarray(0, firstRecordEnd(body)))).toBe(true);
          expect(Buffer.concat(blocks.map((b) => b.bytes)).equals(body)).toBe(true);
          let byte = bom ? 3 : 0;
          let seen = Buffer.alloc(0);
          for (let i = 0; i < blocks.length; i++) {
            const block = blocks[i]!;
            expect(block.header).toBe(header && i === 0);
            expect(block.startByte).toBe(byte);
            expect(block.startLine).toBe(1 + lines(seen));
            seen = Buffer.concat([seen, block.bytes]);
            byte += block.bytes.length;
            if (i < blocks.length - 1) {
              // A boundary: just after a line feed outside quotes.
              expect(block.bytes.length).toBeGreaterThan(0);
              expect(block.bytes[block.bytes.length - 1]).toBe(0x0a);
              expect(quotes(seen) % 2).toBe(0);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives the header record a block of its own, then blocks of at most blockSize bytes, cut at record boundaries', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `r${i},"a\nb",${i}\n`).join('');
    const input = Buffer.from(`id,note,n\n${rows}`);
    const blocks = await split(chunked(input, Array(200).fill(997)), { blockSize: 4096, quoted: true, header: true });
    expect(blocks[0]!.bytes.toString()).toBe('id,note,n\n');
    expect(blocks[1]!.startLine).toBe(2);
    for (const block of blocks.slice(1, -1)) {
      expect(block.bytes.length).toBeGreaterThanOrEqual(4096 - 20);
      expect(block.bytes.length).toBeLessThanOrEqual(4096);
      // No block starts inside a quoted line break.
      expect(block.bytes.toString().startsWith('r')).toBe(true);
    }
  });
});
