/**
 * The JSON-lines protocol between the TypeScript client and the Python runner, as the client
 * accepts it. Every line comes from a process that ran untrusted code: it is size-capped before
 * parsing and validated with zod after.
 *
 *   runner → client  {"type":"ready","protocol":1,"pid":…,"torch":"…","limits":{…}}
 *   client → runner  one request {"op":"validate"|"train"|"evaluate"|"latency"|"export", …}
 *   runner → client  {"type":"event","event":"epoch"|"info", …}*
 *   client → runner  {"type":"stop"}   (train only; finish the epoch, save the best weights, answer)
 *   runner → client  {"type":"result","op":…,"ok":true,"data":{…}} | {"type":"result","ok":false,"error":{…}}
 */
import { z } from 'zod';
import { epochEventSchema, infoEventSchema, policyViolationSchema, predEventSchema } from './types.js';

export const PROTOCOL_VERSION = 1;

export const readyMessageSchema = z.object({
  type: z.literal('ready'),
  protocol: z.literal(PROTOCOL_VERSION),
  pid: z.number().int(),
  torch: z.string().max(200),
  limits: z.record(z.string(), z.unknown()),
});
export type ReadyMessage = z.infer<typeof readyMessageSchema>;

export const runnerErrorSchema = z.object({
  code: z.enum(['runner.model_error', 'runner.failed', 'runner.bad_request']),
  /** validationStageSchema values when the model is at fault; null for runner failures. */
  stage: z.string().max(50).nullable(),
  message: z.string().max(20_000),
  traceback: z.string().max(20_000).nullable(),
  line: z.number().int().nullable(),
  violations: z.array(policyViolationSchema).max(200).optional(),
  dead: z.array(z.string().max(500)).max(100).optional(),
});
export type RunnerErrorPayload = z.infer<typeof runnerErrorSchema>;

export const resultMessageSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('result'), op: z.string().max(50), ok: z.literal(true), data: z.unknown(), stdoutDropped: z.number().optional() }),
  z.object({ type: z.literal('result'), op: z.string().max(50), ok: z.literal(false), error: runnerErrorSchema, stdoutDropped: z.number().optional() }),
]);
export type ResultMessage = z.infer<typeof resultMessageSchema>;

export const eventMessageSchema = z.discriminatedUnion('event', [epochEventSchema, infoEventSchema, predEventSchema]);

export const runnerMessageSchema = z.union([readyMessageSchema, resultMessageSchema, eventMessageSchema]);
export type RunnerMessage = z.infer<typeof runnerMessageSchema>;

/** Largest protocol line accepted; a runaway line beyond this is a protocol error, not an OOM. */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.
 * Calls onOverflow once and stops delivering when a line grows past the cap.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.overflowed) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.size + piece.length > this.maxLineBytes) return this.overflow(this.size + piece.length);
      this.parts.push(piece);
      const line = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.size = 0;
      start = nl + 1;
      if (line.trim().length > 0) this.onLine(line);
      if (this.overflowed) return;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (this.size + rest.length > this.maxLineBytes) return this.overflow(this.size + rest.length);
    // Copy: the stream may reuse its buffer.
    this.parts.push(Buffer.from(rest));
    this.size += rest.length;
  }

  private overflow(bytes: number): void {
    this.overflowed = true;
    this.parts = [];
    this.size = 0;
    this.onOverflow(bytes);
  }
}

/** Keeps the last `cap` bytes of a stream (the runner's stderr) for error messages. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.cap && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.cap)).toString('utf8');
  }
}
