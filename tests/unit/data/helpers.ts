/** Shared helpers for the data tests: run the pipeline on inline CSV text. */
import { parseBytes, parseOptions, prepareTable } from '../../../engine/data/index.js';
import type { PrepareOptionsInput } from '../../../engine/data/index.js';

export async function prepareText(text: string, options: PrepareOptionsInput = {}, name = 'inline.csv') {
  const opts = parseOptions(options);
  const { table, csv } = await parseBytes({ bytes: new TextEncoder().encode(text), name, formatHint: 'csv' }, opts);
  const out = prepareTable(table, opts);
  return { ...out, csv };
}

/** `n` hourly ISO timestamps from 2024-01-01 00:00 (naive, space-separated). */
export function hours(n: number, stepH = 1, start = Date.UTC(2024, 0, 1)): string[] {
  return Array.from({ length: n }, (_, i) => new Date(start + i * stepH * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
}

export function csvOf(header: string[], rows: (string | number)[][], delimiter = ','): string {
  return [header.join(delimiter), ...rows.map((r) => r.join(delimiter))].join('\n') + '\n';
}

/** The column `c` of a prepared dataset, un-scaled back to original units. */
export function unscaled(ds: { values: Float32Array; meta: { columns: string[]; scaler: { mean: number[]; std: number[] } } }, c: number): number[] {
  const w = ds.meta.columns.length;
  const out: number[] = [];
  for (let r = 0; r < ds.values.length / w; r++) out.push((ds.values[r * w + c] as number) * (ds.meta.scaler.std[c] as number) + (ds.meta.scaler.mean[c] as number));
  return out;
}
