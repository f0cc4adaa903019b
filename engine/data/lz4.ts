/**
 * Strict LZ4 block decoding for Parquet's LZ4_RAW and LZ4 (Hadoop-framed) pages. The kept
 * decompressor (hyparquet-compressors) stops quietly when a literal run overruns its input and
 * returns the zero-filled rest of the page, so a damaged page loaded as zeros; here every length,
 * offset and the final size are checked and any mismatch throws (the caller names it
 * data.parquet_corrupt).
 */

/** Decodes one block into `out` from `at`; returns the bytes written. Throws on any inconsistency. */
function block(input: Uint8Array, out: Uint8Array, at: number): number {
  let i = 0;
  let o = at;
  const n = input.length;
  const readLength = (base: number): number => {
    let len = base;
    if (base === 15) {
      let b = 255;
      while (b === 255) {
        if (i >= n) throw new Error('lz4 block ends inside a length');
        b = input[i++] as number;
        len += b;
      }
    }
    return len;
  };
  while (i < n) {
    const token = input[i++] as number;
    const literals = readLength(token >> 4);
    if (i + literals > n) throw new Error('lz4 literal run overruns the block');
    if (o + literals > out.length) throw new Error('lz4 literals overrun the page');
    out.set(input.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i === n) return o - at; // the last sequence has literals only
    if (i + 2 > n) throw new Error('lz4 block ends inside a match offset');
    const offset = (input[i] as number) | ((input[i + 1] as number) << 8);
    i += 2;
    if (offset === 0 || offset > o - at) throw new Error(`lz4 match offset ${offset} out of range`);
    const len = readLength(token & 0xf) + 4;
    if (o + len > out.length) throw new Error('lz4 match overruns the page');
    // Byte by byte: a match may overlap the bytes it produces (offset < length repeats them).
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset] as number;
  }
  throw new Error('lz4 block ends after a match (the last sequence must be literals)');
}

export function decompressLz4Raw(input: Uint8Array, outputLength: number): Uint8Array {
  const out = new Uint8Array(outputLength);
  const written = block(input, out, 0);
  if (written !== outputLength) throw new Error(`lz4 page decoded to ${written} bytes, header says ${outputLength}`);
  return out;
}

/**
 * Parquet's LZ4 codec is Hadoop's framing (big-endian raw size, compressed size, block) in files
 * from parquet-mr and Arrow, but plain blocks in some older writers; like Arrow, read the framing
 * when it adds up exactly and fall back to a plain block otherwise.
 */
export function decompressLz4Hadoop(input: Uint8Array, outputLength: number): Uint8Array {
  const framed = hadoop(input, outputLength);
  return framed ?? decompressLz4Raw(input, outputLength);
}

function hadoop(input: Uint8Array, outputLength: number): Uint8Array | null {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const out = new Uint8Array(outputLength);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    if (i + 8 > input.length) return null;
    const raw = view.getUint32(i);
    const size = view.getUint32(i + 4);
    i += 8;
    if (i + size > input.length || o + raw > outputLength) return null;
    let written: number;
    try {
      written = block(input.subarray(i, i + size), out, o);
    } catch {
      return null;
    }
    if (written !== raw) return null;
    i += size;
    o += raw;
  }
  return o === outputLength ? out : null;
}
