/**
 * Raw tensor files (python/genautoml_runner/tensors.py has the layout): weights leave a trainer
 * only in this format, and the host checks every byte of the header before storing them. The
 * format has no code in it, unlike a torch.save pickle.
 */
import { GenAutoMLError } from '../errors.js';

export const TENSOR_MAGIC = 'GAMLTNS1';
const ITEM: Record<string, number> = { float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, uint8: 1, bool: 1 };

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  bytes: number;
}

function bad(why: string): GenAutoMLError {
  return new GenAutoMLError('runner.bad_output', `the trained weights were refused: ${why}`, {
    hint: 'The weights file is not a well-formed genautoml tensor file; nothing was stored.',
  });
}

/** Parses and checks a whole tensor file (magic, header, every entry's bounds, no trailing bytes). */
export function checkTensorFile(buf: Buffer): TensorEntry[] {
  if (buf.length < 16 || buf.subarray(0, 8).toString('latin1') !== TENSOR_MAGIC) throw bad('bad magic (not a genautoml tensor file; a pickle?)');
  const n = buf.readBigUInt64LE(8);
  if (n > 16n * 1024n * 1024n || 16n + n > BigInt(buf.length)) throw bad('header length out of bounds');
  let header: unknown;
  try {
    header = JSON.parse(buf.subarray(16, 16 + Number(n)).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  const h = header as { format?: unknown; tensors?: unknown };
  if (!h || h.format !== 'genautoml-tensors/1' || !Array.isArray(h.tensors)) throw bad('header has the wrong format');
  const base = 16 + Number(n);
  let expected = 0;
  const seen = new Set<string>();
  const out: TensorEntry[] = [];
  for (const e of h.tensors as unknown[]) {
    const t = e as Partial<TensorEntry> | null;
    if (!t || typeof t.name !== 'string' || t.name.length === 0 || t.name.length > 500 || seen.has(t.name)) throw bad('bad or duplicate tensor name');
    const item = typeof t.dtype === 'string' ? ITEM[t.dtype] : undefined;
    if (!item) throw bad(`tensor ${t.name}: unknown dtype`);
    if (!Array.isArray(t.shape) || t.shape.length > 16 || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`tensor ${t.name}: bad shape`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (t.offset !== expected || t.bytes !== count * item || base + expected + t.bytes > buf.length) throw bad(`tensor ${t.name}: offset or size does not match its shape`);
    seen.add(t.name);
    out.push({ name: t.name, dtype: t.dtype!, shape: t.shape, offset: t.offset, bytes: t.bytes });
    expected += t.bytes;
  }
  if (base + expected !== buf.length) throw bad('trailing bytes after the last tensor');
  return out;
}
