import { describe, expect, it } from 'vitest';
import { LineSplitter, TailBuffer, resultMessageSchema } from '../../../engine/runner/protocol.js';

describe('LineSplitter', () => {
  it('splits lines across chunk boundaries', () => {
    const lines: string[] = [];
    const s = new LineSplitter(1024, (l) => lines.push(l), () => undefined);
    s.push(Buffer.from('{"a":1}\n{"b"'));
    s.push(Buffer.from(':2}\n\n{"c":3'));
    s.push(Buffer.from('}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('reports a runaway line once and never buffers past the cap', () => {
    const lines: string[] = [];
    let overflow = 0;
    const s = new LineSplitter(1000, (l) => lines.push(l), () => overflow++);
    for (let i = 0; i < 100; i++) s.push(Buffer.alloc(100, 120));
    s.push(Buffer.from('\n{"late":1}\n'));
    expect(overflow).toBe(1);
    expect(lines).toEqual([]);
  });
});

describe('TailBuffer', () => {
  it('keeps only the tail', () => {
    const t = new TailBuffer(10);
    for (let i = 0; i < 100; i++) t.push(Buffer.from(`${i % 10}`));
    expect(t.text()).toBe('0123456789');
    expect(t.total).toBe(100);
  });
});

describe('result messages', () => {
  it('reject unknown error codes and oversized fields', () => {
    const base = { type: 'result', op: 'train', ok: false, error: { code: 'runner.model_error', stage: 'forward', message: 'x', traceback: null, line: 3 } };
    expect(resultMessageSchema.safeParse(base).success).toBe(true);
    expect(resultMessageSchema.safeParse({ ...base, error: { ...base.error, code: 'evil' } }).success).toBe(false);
    expect(resultMessageSchema.safeParse({ ...base, error: { ...base.error, message: 'x'.repeat(30_000) } }).success).toBe(false);
  });
});
