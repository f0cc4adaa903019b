/** Polling for a condition in tests that wait on background work (queues, processes). */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what = 'the condition', intervalMs = 250): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; last: ${String(JSON.stringify(v)).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls until `fn` returns a value (not undefined, null or false); the deadline only bounds a hang. */
export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 240_000): Promise<T> {
  const v = await until(async () => await fn(), (x) => x !== undefined && x !== null && x !== false, timeoutMs, what);
  return v as T;
}
