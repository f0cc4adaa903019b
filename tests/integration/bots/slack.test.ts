/** The Slack bot driven through Bolt by real payloads, against a fake Slack Web API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot, type SlackBot } from '../../../bots/slack/bot.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic, syntheticCsv } from '../../helpers/data.js';
import { appMention, callText, FakeReceiver, type FakeSlack, slashCommand, startFakeSlack } from './slack-fake.js';

describe('slack bot', () => {
  let t: TestApp;
  let slack: FakeSlack;
  let bot: SlackBot;
  let receiver: FakeReceiver;
  let dataset: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    t = await createTestApp({ env: { SLACK_BOT_TOKEN: 'xoxb-test-token', GENAUTOML_ALLOWED_USERS: 'U0001,U0002', GENAUTOML_BOT_RATE_LIMIT: '30' } });
    dataset = await loadSynthetic(t.app, { rows: 300, features: 2 });
    receiver = new FakeReceiver();
    bot = createSlackBot(t.app, { receiver, slackApiUrl: slack.apiUrl });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await slack?.close();
  });

  it('answers /automl datasets with a table in a thread under the command', async () => {
    slack.calls.length = 0;
    await receiver.send(slashCommand('datasets'));
    expect(receiver.acks.length).toBeGreaterThan(0);
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(callText(posts[0]!)).toContain('/automl datasets');
    expect(posts[0]!.args.thread_ts).toBeUndefined();
    expect(posts[1]!.args.thread_ts).toMatch(/^1700000000\.\d{6}$/);
    expect(posts[1]!.args.channel).toBe('C0001');
    expect(callText(posts[1]!)).toContain(dataset);
    const blocks = posts[1]!.args.blocks as { type: string }[];
    expect(blocks[0]!.type).toBe('header');
  });

  it('answers a mention in its thread and uploads EDA plots with files.uploadV2', async () => {
    slack.calls.length = 0;
    slack.uploads.clear();
    await receiver.send(appMention(`eda ${dataset}`, { ts: '1700002000.000100' }));
    const posts = slack.posted();
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const first = slack.calls.find((c) => c.method === 'chat.postMessage')!;
    expect(first.args.thread_ts).toBe('1700002000.000100');
    expect(callText(posts[posts.length - 1]!)).toMatch(/Explore a dataset/);
    const complete = slack.calls.find((c) => c.method === 'files.completeUploadExternal');
    expect(complete?.args.channel_id).toBe('C0001');
    expect(complete?.args.thread_ts).toBe('1700002000.000100');
    expect(slack.uploads.size).toBeGreaterThan(0);
    const png = [...slack.uploads.values()][0]!;
    expect(png.filename).toMatch(/\.png$/);
    expect(png.bytes.includes(Buffer.from('\x89PNG', 'latin1'))).toBe(true);
  }, 120_000);

  it('loads an uploaded CSV, downloading url_private with the bot token', async () => {
    slack.calls.length = 0;
    slack.files.set('upload.csv', Buffer.from(syntheticCsv({ rows: 200, features: 2 })));
    await receiver.send(
      appMention('load', { files: [{ id: 'F9', name: 'upload.csv', size: 10_000, mimetype: 'text/csv', url_private: `${slack.server.url}/files/upload.csv`, url_private_download: `${slack.server.url}/files/upload.csv` }] }),
    );
    const last = slack.posted().at(-1)!;
    expect(callText(last)).toMatch(/upload\.csv/);
    expect(last.args.blocks).toBeDefined();
    const list = await t.app.datasets.list();
    expect(list.some((d) => d.name.includes('upload'))).toBe(true);
  });

  it('matches free text to commands without an LLM and says how to enable conversation', async () => {
    slack.calls.length = 0;
    await receiver.send(appMention('could you list my datasets?'));
    const last = slack.posted().at(-1)!;
    expect(callText(last)).toContain(dataset);
    expect(callText(last)).toContain('GROQ_API_KEY');
    slack.calls.length = 0;
    await receiver.send(appMention('please tune something'));
    expect(callText(slack.posted().at(-1)!)).toMatch(/search &lt;dataset&gt;|search <dataset>/);
  });

  it('refuses users outside the allow list, and errors come back as messages', async () => {
    slack.calls.length = 0;
    await receiver.send(slashCommand('datasets', { user: 'U9999' }));
    expect(callText(slack.posted().at(-1)!)).toContain('not allowed');
    slack.calls.length = 0;
    await receiver.send(slashCommand('status st_missing'));
    expect(callText(slack.posted().at(-1)!)).toMatch(/st_missing|not found|No study/i);
  });

  it('delivers a notification to the subscribed thread', async () => {
    slack.calls.length = 0;
    await bot.deliver({ id: 1, studyId: 'st_x', kind: 'slack', target: { team: 'T0001', channel: 'C0002', thread: '1700000000.000009' } }, { title: 'Search st_x finished', text: 'ok', images: [{ name: 'lb.png', title: 'Leaderboard', png: Buffer.from('\x89PNG....') }] }, {});
    const post = slack.calls.find((c) => c.method === 'chat.postMessage')!;
    expect(post.args).toMatchObject({ channel: 'C0002', thread_ts: '1700000000.000009' });
    expect(slack.calls.some((c) => c.method === 'files.completeUploadExternal')).toBe(true);
  });
});
