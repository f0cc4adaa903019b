/**
 * Parquet codecs and column pruning: files written here with hyparquet-writer, compressed with
 * Node's own zlib (GZIP, BROTLI), the writer's SNAPPY and the hand-written LZ4 block compressor in
 * tests/helpers/lz4.ts (LZ4_RAW, and LZ4 in Hadoop's framing), read back exactly. ZSTD needs a
 * compressor Node 20 lacks, so its file is committed: tests/fixtures/parquet/zstd-4-row-groups.parquet,
 * made by scripts/zstd-parquet.mjs on Node 22's zlib.zstdCompressSync (see that script).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { decompressLz4Hadoop, decompressLz4Raw } from '../../../engine/data/lz4.js';
import { parseParquet } from '../../../engine/data/parquet.js';
import { lz4Block, lz4Hadoop, type Lz4Stats } from '../../helpers/lz4.js';

const ZSTD_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/parquet/zstd-4-row-groups.parquet');

const n = 500;
const time = Array.from({ length: n }, (_, i) => BigInt(Date.UTC(2024, 0, 1) + i * 3_600_000));
const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10));
const b = Float64Array.from({ length: n }, (_, i) => i * 0.5);

const lz4Stats: Lz4Stats = { matches: 0 };

/** `pages`, when given, collects the compressed bytes of every LZ4 page written. */
function write(codec: 'SNAPPY' | 'GZIP' | 'BROTLI' | 'UNCOMPRESSED' | 'LZ4_RAW' | 'LZ4', pages?: Uint8Array[]): Uint8Array {
  const keep = (x: Uint8Array): Uint8Array => {
    pages?.push(x);
    return x;
  };
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'time', data: time, type: 'TIMESTAMP' },
      { name: 'a', data: a, type: 'DOUBLE' },
      { name: 'b', data: b, type: 'DOUBLE' },
    ],
    codec,
    compressors: {
      GZIP: (x: Uint8Array) => new Uint8Array(gzipSync(x)),
      BROTLI: (x: Uint8Array) => new Uint8Array(brotliCompressSync(x)),
      LZ4_RAW: (x: Uint8Array) => keep(lz4Block(x, lz4Stats)),
      LZ4: (x: Uint8Array) => keep(lz4Hadoop(x, lz4Stats)),
    },
    rowGroupSize: 128,
  });
  return new Uint8Array(buf);
}

describe('Parquet codecs', () => {
  it.each(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4_RAW', 'LZ4'] as const)('reads %s over several row groups', async (codec) => {
    const bytes = write(codec);
    const meta = metadataOf(bytes);
    expect(meta.row_groups.length).toBe(4);
    expect(meta.row_groups[1]!.columns[1]!.meta_data!.codec).toBe(codec);
    const table = await parseParquet(bytes);
    expect(table.rows).toBe(n);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([['time', 'time'], ['a', 'number'], ['b', 'number']]);
    expect(Array.from(table.columns[1]!.values as Float64Array)).toEqual(Array.from(a));
    expect((table.columns[0]!.values as Float64Array)[499]).toBe(Date.UTC(2024, 0, 1) + 499 * 3_600_000);
  });

  it('LZ4 files hold back-references, so the decoder\'s match path is exercised', () => {
    lz4Stats.matches = 0;
    const raw = write('LZ4_RAW');
    const afterRaw = lz4Stats.matches;
    write('LZ4');
    expect(afterRaw).toBeGreaterThan(0);
    expect(lz4Stats.matches).toBeGreaterThan(afterRaw);
    // Compressed below the plain file: the matches replaced bytes rather than sitting beside them.
    expect(raw.length).toBeLessThan(write('UNCOMPRESSED').length);
  });

  it('reads a ZSTD file (written by zstd itself) over four row groups', async () => {
    const bytes = new Uint8Array(readFileSync(ZSTD_FILE));
    const meta = metadataOf(bytes);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([128, 128, 128, 116]);
    expect(meta.row_groups.every((g) => g.columns.every((c) => c.meta_data!.codec === 'ZSTD'))).toBe(true);
    const table = await parseParquet(bytes);
    expect(table.rows).toBe(500);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([['time', 'time'], ['c1', 'number'], ['c2', 'number']]);
    // scripts/zstd-parquet.mjs value(i, k): odd k a sine, even k a saw.
    const t = table.columns[0]!.values as Float64Array;
    const c1 = table.columns[1]!.values as Float64Array;
    const c2 = table.columns[2]!.values as Float64Array;
    for (let i = 0; i < 500; i++) {
      expect(t[i]).toBe(Date.UTC(2024, 0, 1) + i * 3_600_000);
      expect(c1[i]).toBe(Math.sin(i / 10));
      expect(c2[i]).toBe((i % 1000) * 0.5 + 2);
    }
  });

  it.each(['ZSTD', 'LZ4_RAW', 'LZ4', 'SNAPPY', 'GZIP', 'BROTLI'] as const)('a truncated %s page is data.parquet_corrupt', async (codec) => {
    const bytes = codec === 'ZSTD' ? new Uint8Array(readFileSync(ZSTD_FILE)) : write(codec);
    await expect(parseParquet(truncatePage(bytes, 2, 1))).rejects.toMatchObject({ code: 'data.parquet_corrupt', message: expect.stringMatching(/truncated or corrupt/) });
  });

  // A codec without a checksum cannot tell altered literal bytes from data; what a decoder must
  // refuse is a stream whose structure is broken: in the third row group's page of column c1/a,
  // ZSTD's frame magic is overwritten, and LZ4's first token made a match reaching before the page.
  it.each(['ZSTD', 'LZ4_RAW', 'LZ4'] as const)('a %s page with a broken stream is data.parquet_corrupt', async (codec) => {
    let bytes: Uint8Array;
    let at: number;
    if (codec === 'ZSTD') {
      bytes = new Uint8Array(readFileSync(ZSTD_FILE));
      const [s, e] = chunkRange(bytes, 2, 1);
      at = lastIndexOf(bytes.subarray(s, e), Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd)) + s;
    } else {
      const pages: Uint8Array[] = [];
      bytes = write(codec, pages);
      const [s, e] = chunkRange(bytes, 2, 1);
      at = lastIndexOf(bytes.subarray(s, e), pages.find((p) => lastIndexOf(bytes.subarray(s, e), p) >= 0 && p.length > 16)!) + s;
      if (codec === 'LZ4') at += 8; // past Hadoop's two sizes, into the block
    }
    expect(at).toBeGreaterThan(0);
    const bad = bytes.slice();
    if (codec === 'ZSTD') bad.fill(0xff, at, at + 4);
    else bad[at] = 0x00; // no literals, then a match whose offset (the next two bytes) points before byte 0
    await expect(parseParquet(bad)).rejects.toMatchObject({ code: 'data.parquet_corrupt', message: expect.stringMatching(/truncated or corrupt/) });
  });

  it('an LZ4 block cut short is refused, not zero-filled (the kept decoder returned zeros)', () => {
    const page = new Uint8Array(write('UNCOMPRESSED').subarray(0, 4000));
    const block = lz4Block(page);
    expect(Array.from(decompressLz4Raw(block, page.length))).toEqual(Array.from(page));
    expect(Array.from(decompressLz4Hadoop(lz4Hadoop(page), page.length))).toEqual(Array.from(page));
    expect(Array.from(decompressLz4Hadoop(block, page.length))).toEqual(Array.from(page)); // unframed LZ4 falls back
    expect(() => decompressLz4Raw(block.subarray(0, block.length - 7), page.length)).toThrow(/lz4/);
    expect(() => decompressLz4Raw(block, page.length + 1)).toThrow(/header says/);
    expect(() => decompressLz4Hadoop(lz4Hadoop(page).subarray(0, block.length), page.length)).toThrow(/lz4/);
  });

  it('decodes only the columns asked for', async () => {
    const table = await parseParquet(write('GZIP'), (name) => name !== 'a');
    expect(table.columns.map((c) => c.name)).toEqual(['time', 'b']);
    expect(Array.from(table.columns[1]!.values as Float64Array)).toEqual(Array.from(b));
  });
});

/** The footer of a file held in a view (hyparquet reads an ArrayBuffer). */
function metadataOf(bytes: Uint8Array): ReturnType<typeof parquetMetadata> {
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** Where a column chunk's bytes lie, from the footer. */
function chunkRange(bytes: Uint8Array, group: number, column: number): [number, number] {
  const meta = metadataOf(bytes);
  const md = meta.row_groups[group]!.columns[column]!.meta_data!;
  const start = Number(md.dictionary_page_offset ?? md.data_page_offset);
  return [start, start + Number(md.total_compressed_size)];
}

function lastIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = hay.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Removes the chunk's last 16 bytes and closes the gap, so the page header promises more compressed
 * bytes than are there (the footer is kept, so only the page is truncated).
 */
function truncatePage(bytes: Uint8Array, group: number, column: number): Uint8Array {
  const [, end] = chunkRange(bytes, group, column);
  const out = new Uint8Array(bytes.length - 16);
  out.set(bytes.subarray(0, end - 16));
  out.set(bytes.subarray(end), end - 16);
  return out;
}
