/** The queue's database seam repeats only statements that never reached the server. */
import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { isConnectFailure, withConnectRetry } from '../../../storage/queue.js';

const refused = (): GenAutoMLError => new GenAutoMLError('db.unreachable', 'Cannot reach PostgreSQL', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) });
const terminated = (): GenAutoMLError => new GenAutoMLError('db.unreachable', 'Cannot reach PostgreSQL', { cause: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) });

describe('withConnectRetry', () => {
  it('tells a refused connection (safe to repeat) from a session lost mid-statement (not)', () => {
    expect(isConnectFailure(refused())).toBe(true);
    expect(isConnectFailure(terminated())).toBe(false);
    expect(isConnectFailure(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('repeats a statement that could not connect until the server answers', async () => {
    let calls = 0;
    const out = await withConnectRetry(async () => {
      calls++;
      if (calls < 3) throw refused();
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not repeat other failures, and stops when told to give up', async () => {
    let calls = 0;
    await expect(withConnectRetry(async () => { calls++; throw terminated(); })).rejects.toMatchObject({ code: 'db.unreachable' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(withConnectRetry(async () => { calls++; throw refused(); }, () => calls >= 2)).rejects.toMatchObject({ code: 'db.unreachable' });
    expect(calls).toBe(2);
  });
});
