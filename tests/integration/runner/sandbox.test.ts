import { afterAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { createLogger } from '../../../engine/log.js';
import { makeClient, model } from './helpers.js';

const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };

describe('sandbox availability', () => {
  const refusing = makeClient({ bwrap: null, validatePoolSize: 0 });
  const lines: string[] = [];
  const optedOut = makeClient({ bwrap: null, allowUnsandboxed: true, validatePoolSize: 0, logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
  const normal = makeClient({ validatePoolSize: 0 });
  afterAll(async () => {
    await Promise.all([refusing.close(), optedOut.close(), normal.close()]);
  });

  it('refuses untrusted code without bwrap unless the operator opted out', async () => {
    const err = await refusing.validate(model('linear.py'), dims).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).code).toBe('sandbox.unavailable');
    expect((err as GenAutoMLError).hint).toMatch(/bubblewrap/);
  });

  it('runs unsandboxed when allowed, warns, and says so in the result', async () => {
    const r = await optedOut.validate(model('linear.py'), dims);
    expect(r.ok).toBe(true);
    expect(r.sandboxed).toBe(false);
    expect(lines.join('\n')).toMatch(/WITHOUT bubblewrap/);
  }, 60_000);

  it('probes the environment (torch, device, sandbox)', async () => {
    const info = await normal.probeEnvironment();
    expect(info.error).toBeNull();
    expect(info.torchVersion).toMatch(/^\d+\.\d+/);
    expect(info.sandbox).toBe('bwrap');
    expect(info.bwrap).toMatch(/bwrap$/);
    expect(['cpu', 'cuda']).toContain(info.device);
    const off = await refusing.probeEnvironment();
    expect(off.sandbox).toBe('unavailable');
    expect(off.torchVersion).toMatch(/^\d+\.\d+/); // the probe itself runs no model code
  }, 60_000);
});
