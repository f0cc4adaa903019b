/**
 * End to end: `/automl search …` in Slack starts a real study (queue, runner, PyTorch), and when
 * it ends the bot's notify_slack consumer posts the result to the command's thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../../bots/slack/bot.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { startBot } from '../../../server/bots.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { until } from '../../helpers/wait.js';
import { callText, FakeReceiver, type FakeSlack, slashCommand, startFakeSlack } from '../../integration/bots/slack-fake.js';

describe('slack search end to end', () => {
  let t: TestApp;
  let slack: FakeSlack;
  const abort = new AbortController();

  beforeAll(async () => {
    slack = await startFakeSlack();
    t = await createTestApp({ startQueue: true, env: { SLACK_BOT_TOKEN: 'xoxb-test-token' } });
    await registerSearchWorkers(t.app, { concurrency: 1, pollingIntervalSeconds: 0.5, signal: abort.signal });
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await t?.dispose();
    await slack?.close();
  });

  it('posts the finished study to the thread of the command that started it', async () => {
    const dataset = await loadSynthetic(t.app, { rows: 400, features: 2 });
    const receiver = new FakeReceiver();
    const bot = createSlackBot(t.app, { receiver, slackApiUrl: slack.apiUrl });
    await startBot(t.app, 'slack', bot);
    await receiver.send(slashCommand(`search ${dataset} candidates=dlinear trials=2 epochs=2 lookback=24 horizon=8 parallelism=1`, { channel: 'C0042' }));

    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
    const thread = posts[1]?.args.thread_ts as string;
    expect(thread).toMatch(/^\d+\.\d+$/);
    const started = slack.posted().at(-1)!;
    const id = /st_[A-Za-z0-9_-]+/.exec(callText(started))?.[0];
    expect(id, callText(started)).toBeDefined();
    const subs = await t.app.subscriptions.forStudy(id!);
    expect(subs).toEqual([expect.objectContaining({ kind: 'slack', target: { team: 'T0001', channel: 'C0042', thread } })]);

    const deadline = Date.now() + 240_000;
    let done: (typeof slack.calls)[number] | undefined;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      done = slack.calls.find((c) => c.method === 'chat.postMessage' && callText(c).includes(`Search ${id}`));
    }
    expect(done, JSON.stringify(await t.app.studies.get(id!))).toBeDefined();
    expect(done!.args).toMatchObject({ channel: 'C0042', thread_ts: thread });
    expect(callText(done!)).toMatch(/finished: dlinear wins/);
    // The leaderboard chart is uploaded to the same thread.
    // Posted after the message, so it may still be on its way.
    const complete = await until(async () => slack.calls.filter((c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === 'C0042').at(-1), (c) => c !== undefined, 30_000, 'the chart upload');
    expect(complete?.args).toMatchObject({ channel_id: 'C0042', thread_ts: thread });
    await bot.stop();
  }, 300_000);
});
