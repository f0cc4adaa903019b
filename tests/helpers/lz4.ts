/**
 * A small LZ4 block compressor for writing LZ4_RAW and Hadoop-framed LZ4 Parquet test files
 * (no LZ4 compressor ships with Node or with the kept libraries). Greedy matching on a 4-byte hash;
 * it keeps the format's end-of-block rules (the last 5 bytes are literals, no match starts in the
 * last 12), so any conforming decoder must read it. `matches` counts the back-references emitted,
 * so a test can prove the decoder's match path ran and not only its literal copy.
 */
export interface Lz4Stats {
  matches: number;
}

export function lz4Block(input: Uint8Array, stats?: Lz4Stats): Uint8Array {
  const n = input.length;
  const out: number[] = [];
  const table = new Map<number, number>();
  const key = (p: number): number => (input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16) | (input[p + 3]! << 24)) >>> 0;
  const length = (extra: number): void => {
    while (extra >= 255) {
      out.push(255);
      extra -= 255;
    }
    out.push(extra);
  };
  const sequence = (litStart: number, litEnd: number, offset: number, matchLen: number): void => {
    const lit = litEnd - litStart;
    const m = matchLen === 0 ? 0 : matchLen - 4;
    out.push((Math.min(lit, 15) << 4) | Math.min(m, 15));
    if (lit >= 15) length(lit - 15);
    for (let i = litStart; i < litEnd; i++) out.push(input[i]!);
    if (matchLen === 0) return;
    out.push(offset & 0xff, offset >> 8);
    if (m >= 15) length(m - 15);
  };
  let anchor = 0;
  let p = 0;
  const lastMatchStart = n - 12;
  while (p < lastMatchStart) {
    const k = key(p);
    const cand = table.get(k);
    table.set(k, p);
    if (cand !== undefined && p - cand <= 0xffff && key(cand) === k) {
      let len = 4;
      // A match must end 5 bytes before the end of the block.
      while (p + len < n - 5 && input[cand + len] === input[p + len]) len++;
      sequence(anchor, p, p - cand, len);
      if (stats) stats.matches++;
      p += len;
      anchor = p;
    } else p++;
  }
  sequence(anchor, n, 0, 0);
  return Uint8Array.from(out);
}

/** Hadoop's LZ4 framing (Parquet codec LZ4): big-endian raw and compressed sizes, then the block. */
export function lz4Hadoop(input: Uint8Array, stats?: Lz4Stats): Uint8Array {
  const block = lz4Block(input, stats);
  const out = new Uint8Array(8 + block.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, input.length);
  view.setUint32(4, block.length);
  out.set(block, 8);
  return out;
}
