/**
 * `genautoml slack` as a real process, connected the way it connects to Slack itself, with only
 * the far end replaced: in Socket Mode it opens its link through apps.connections.open and
 * takes envelopes over the WebSocket (acking each); in HTTP mode it verifies Slack's request
 * signature. The Web API it answers through is the local fake (GENAUTOML_SLACK_API_URL).
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { freePort } from '../../helpers/http.js';
import { until } from '../../helpers/wait.js';
import { appMention, callText, type FakeSlack, slashCommand, startFakeSlack } from '../../integration/bots/slack-fake.js';

describe('genautoml slack, as a process', () => {
  let slack: FakeSlack | undefined;
  let home: TestHome | undefined;
  let bot: RunningCli | undefined;

  afterEach(async () => {
    await bot?.stop('SIGTERM', 20_000);
    await slack?.close();
    await home?.dispose();
    bot = undefined;
  });

  it('connects in Socket Mode, acks each envelope and answers through the Web API', async () => {
    slack = await startFakeSlack({ socketMode: true });
    home = createTestHome({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_APP_TOKEN: 'xapp-test-token', GENAUTOML_SLACK_API_URL: slack.apiUrl });
    bot = startCli(['slack'], home.env);
    await bot.waitForStderr(/slack bot running/, 90_000);
    const socket = slack.socket!;
    await until(async () => socket.connections, (n) => n >= 1, 30_000, 'the Socket Mode connection');

    const command = socket.send('slash_commands', slashCommand('help'));
    await until(async () => socket.acks, (acks) => acks.includes(command), 30_000, 'the slash command ack');
    const help = await until(async () => slack!.posted().find((c) => /search/.test(callText(c)) && c.args.thread_ts), (c) => c !== undefined, 30_000, 'the help reply');
    expect(help!.args.channel).toBe('C0001');

    const mention = socket.send('events_api', appMention('datasets', { ts: '1700005000.000100' }));
    await until(async () => socket.acks, (acks) => acks.includes(mention), 30_000, 'the event ack');
    const reply = await until(async () => slack!.posted().find((c) => c.args.thread_ts === '1700005000.000100'), (c) => c !== undefined, 30_000, 'the mention reply');
    expect(callText(reply!)).toMatch(/No datasets|datasets/i);
  }, 180_000);

  it('in HTTP mode answers a correctly signed slash command and refuses a forged one', async () => {
    slack = await startFakeSlack();
    const port = await freePort();
    const secret = 'test-signing-secret';
    home = createTestHome({ SLACK_BOT_TOKEN: 'xoxb-test-token', GENAUTOML_SLACK_MODE: 'http', SLACK_SIGNING_SECRET: secret, GENAUTOML_SLACK_PORT: String(port), GENAUTOML_SLACK_API_URL: slack.apiUrl });
    bot = startCli(['slack'], home.env);
    await bot.waitForStderr(/slack bot running/, 90_000);

    const body = new URLSearchParams(slashCommand('help') as Record<string, string>).toString();
    const post = (signature: string, ts: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
        body,
      });
    const now = String(Math.floor(Date.now() / 1000));
    const forged = await post(`v0=${createHmac('sha256', 'not-the-secret').update(`v0:${now}:${body}`).digest('hex')}`, now);
    expect(forged.status).toBe(401);
    expect(slack.posted()).toHaveLength(0);

    const signed = await post(`v0=${createHmac('sha256', secret).update(`v0:${now}:${body}`).digest('hex')}`, now);
    expect(signed.status).toBe(200);
    await until(async () => slack!.posted().find((c) => /search/.test(callText(c)) && c.args.thread_ts), (c) => c !== undefined, 30_000, 'the help reply');
  }, 180_000);
});
