import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../engine/log.js';
import { getTool } from '../../../tools/index.js';
import { invokeTool } from '../../../tools/invoke.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

describe('subscribe', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => t?.dispose());

  const call = (args: Record<string, unknown>, origin: string) =>
    invokeTool(getTool('subscribe'), args, { app: t.app, progress: () => {}, signal: new AbortController().signal, logger: silentLogger, origin });

  it('subscribes a Slack channel to every study, at the top of the channel', async () => {
    const r = await call({}, 'slack:T1/C42/1700000000.000100');
    expect(r.data).toMatchObject({ kind: 'slack', study: null });
    const stored = await t.app.subscriptions.get(r.data.id as number);
    expect(stored).toMatchObject({ studyId: null, kind: 'slack', target: { team: 'T1', channel: 'C42', thread: null } });
  });

  it('subscribes a webhook, detecting its format', async () => {
    const r = await call({ webhook: 'https://hooks.slack.com/services/T/B/x' }, 'mcp');
    const stored = await t.app.subscriptions.get(r.data.id as number);
    expect(stored).toMatchObject({ kind: 'webhook', target: { format: 'slack' } });
  });

  it('refuses when there is nothing to subscribe, and an unknown study', async () => {
    await expect(call({}, 'mcp')).rejects.toMatchObject({ code: 'subscribe.no_target' });
    await expect(call({ study: 'st_nope', webhook: 'https://example.org/h' }, 'mcp')).rejects.toMatchObject({ code: 'study.not_found' });
  });
});
