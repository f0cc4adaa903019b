/** Human-readable output for tool commands: the summary, arrays of records as tables, files for images. */
import fs from 'node:fs';
import path from 'node:path';
import type { ToolResult } from '../../tools/define.js';

const CELL_MAX = 48;

function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) s = v.join(', ');
  else if (typeof v === 'object') s = JSON.stringify(v);
  else if (typeof v === 'number') s = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  else s = String(v);
  s = s.replace(/\s+/g, ' ');
  return s.length > CELL_MAX ? s.slice(0, CELL_MAX - 1) + '…' : s;
}

/** A plain-text table of records; columns are the union of keys in first-seen order. */
export function renderTable(rows: Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function isRecordArray(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** The summary, then one table per top-level array of records in the data. */
export function renderHuman(result: ToolResult<Record<string, unknown>>): string {
  const parts = [result.summary];
  for (const [key, value] of Object.entries(result.data)) {
    if (isRecordArray(value)) parts.push(`\n${key}:\n${renderTable(value)}`);
  }
  return parts.join('\n');
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'file';
}

/** Writes images (full size) and attachments into `dir`; returns the paths written. */
export function writeResultFiles(result: ToolResult<Record<string, unknown>>, dir: string): string[] {
  const images = result.images ?? [];
  const attachments = result.attachments ?? [];
  if (images.length === 0 && attachments.length === 0) return [];
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const image of images) {
    const base = safeFileName(image.name);
    const file = path.join(dir, base.toLowerCase().endsWith('.png') ? base : `${base}.png`);
    fs.writeFileSync(file, image.png);
    written.push(file);
  }
  for (const a of attachments) {
    const file = path.join(dir, safeFileName(a.name));
    fs.writeFileSync(file, a.text);
    written.push(file);
  }
  return written;
}
