import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { parseBytes, parseOptions, parseParquet, prepareTable } from '../../../engine/data/index.js';

const N = 48;
const base = Date.UTC(2024, 0, 1);

function sample(): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'time', data: Array.from({ length: N }, (_, i) => new Date(base + i * 3_600_000)), type: 'TIMESTAMP' },
      { name: 'load', data: Float64Array.from({ length: N }, (_, i) => Math.sin(i / 4) * 10), type: 'DOUBLE' },
      { name: 'temp', data: Float32Array.from({ length: N }, (_, i) => 20 + (i % 5)), type: 'FLOAT' },
      { name: 'count', data: Int32Array.from({ length: N }, (_, i) => i * 2), type: 'INT32' },
      { name: 'site', data: Array.from({ length: N }, () => 'a'), type: 'STRING' },
    ],
    rowGroupSize: 20,
  });
  return new Uint8Array(buf);
}

describe('parquet', () => {
  it('reads typed columns across row groups', async () => {
    const t = await parseParquet(sample());
    expect(t.rows).toBe(N);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['time', 'time'],
      ['load', 'number'],
      ['temp', 'number'],
      ['count', 'number'],
      ['site', 'text'],
    ]);
    const time = t.columns[0];
    expect(time?.kind === 'time' ? time.values[25] : 0).toBe(base + 25 * 3_600_000);
    const count = t.columns[3];
    expect(count?.kind === 'number' ? Array.from(count.values.subarray(18, 23)) : []).toEqual([36, 38, 40, 42, 44]);
  });

  it('prepares end to end, timestamps from the typed column', async () => {
    const opts = parseOptions({});
    const { table, format } = await parseBytes({ bytes: sample(), name: 'x.parquet', formatHint: 'parquet' }, opts);
    expect(format).toBe('parquet');
    const { dataset, summary } = prepareTable(table, opts);
    expect(dataset.meta.columns).toEqual(['load', 'temp', 'count']);
    expect(dataset.meta.frequencyMs).toBe(3_600_000);
    expect(summary.dropped).toEqual([{ name: 'site', reason: 'not numeric' }]);
  });

  it('refuses a truncated file with a clear code', async () => {
    const bytes = sample();
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 10]) {
      await expect(parseParquet(bytes.subarray(0, cut))).rejects.toMatchObject({ code: 'data.parquet_corrupt' });
    }
    await expect(parseParquet(bytes.subarray(0, 2))).rejects.toBeInstanceOf(GenAutoMLError);
  });
});
