/**
 * Why a trial's runner failed, for deciding whether to run it again. A runner killed from outside
 * (a signal: the OOM killer, an operator, the host shutting down) says nothing about the model, so
 * the trial is retried a bounded number of times; the model's own failure (an exception, NaN, a
 * time or CPU limit, a Python MemoryError within its memory limit) would fail the same way again.
 */
import type { GenAutoMLError } from '../errors.js';

/** Signals that come from outside the model: the kernel's OOM killer and operators send these. */
const EXTERNAL_SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGPIPE', 'SIGBUS']);

export function isTransientRunnerFailure(e: GenAutoMLError): boolean {
  if (e.code !== 'runner.crashed') return false;
  const signal = e.details?.signal;
  return typeof signal === 'string' && EXTERNAL_SIGNALS.has(signal);
}
