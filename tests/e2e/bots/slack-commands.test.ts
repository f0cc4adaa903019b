/**
 * End to end: every chat command through the real Slack bot (Bolt with real payloads, a fake Web
 * API on the wire), on one app with a queue, search workers and the real sandboxed Python runner.
 * The commands the integration tests already cover (load, datasets, eda) are left to them; here
 * are help, models, model, info, generate, validate, search, status, benchmark (a Block Kit button
 * click), export, subscribe and cancel, plus which thread replies the bot answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../bots/chat/grammar.js';
import { COMMAND_ACTION } from '../../../bots/slack/blocks.js';
import { createSlackBot, type SlackBot } from '../../../bots/slack/bot.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { startBot } from '../../../server/bots.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { waitFor } from '../../helpers/wait.js';
import { appMention, blockAction, BOT_USER, callText, FakeReceiver, type FakeSlack, type SlackCall, slashCommand, startFakeSlack, TEAM, threadMessage } from '../../integration/bots/slack-fake.js';

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; action_id?: string; value?: string; text?: { type: string; text: string } }[];
}

/** A search small enough for two cores: one architecture, short windows, few epochs. */
const TINY = 'candidates=dlinear lookback=24 horizon=8 parallelism=1';

describe('slack commands end to end', () => {
  let t: TestApp;
  let slack: FakeSlack;
  let bot: SlackBot;
  let receiver: FakeReceiver;
  let dataset: string;
  const abort = new AbortController();
  /** Filled by the tests in order: the generated model, the finished study and its thread. */
  let modelName = '';
  let study = '';
  let studyThread = '';

  beforeAll(async () => {
    slack = await startFakeSlack();
    t = await createTestApp({ startQueue: true, env: { SLACK_BOT_TOKEN: 'xoxb-test-token', GENAUTOML_BOT_RATE_LIMIT: '120' } });
    await registerSearchWorkers(t.app, { concurrency: 1, pollingIntervalSeconds: 0.5, signal: abort.signal });
    dataset = await loadSynthetic(t.app, { rows: 400, features: 2 });
    receiver = new FakeReceiver();
    bot = createSlackBot(t.app, { receiver, slackApiUrl: slack.apiUrl });
    await startBot(t.app, 'slack', bot);
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await bot?.stop();
    await t?.dispose();
    await slack?.close();
  });


  /** The bot's answer in `thread` after call index `mark`: the posted reply as last updated. */
  function answerIn(thread: string, mark: number, channel = 'C0001'): { call: SlackCall; blocks: Block[]; text: string; updates: number } {
    const calls = slack.calls.slice(mark);
    const first = calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.args.thread_ts === thread);
    if (!first) throw new Error(`no reply in thread ${thread}; calls: ${calls.map((c) => c.method).join(', ')}`);
    const ts = first.result.ts as string;
    const updates = calls.filter((c) => c.method === 'chat.update' && c.args.ts === ts);
    const call = updates.at(-1) ?? first;
    const blocks = call.args.blocks as Block[];
    return { call, blocks, text: callText(call), updates: updates.length };
  }

  /** Files uploaded to `thread` after `mark`: name → bytes. */
  function uploadsIn(thread: string, mark: number): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const c of slack.calls.slice(mark)) {
      if (c.method !== 'files.completeUploadExternal' || c.args.thread_ts !== thread) continue;
      for (const f of c.args.files as { id: string }[]) {
        const up = slack.uploads.get(f.id);
        if (up) out.set(up.filename, up.bytes);
      }
    }
    return out;
  }

  /** `/automl text`: returns the thread the bot opened for it. */
  async function slash(text: string, channel = 'C0001'): Promise<{ thread: string; mark: number }> {
    const mark = slack.calls.length;
    await receiver.send(slashCommand(text, { channel }));
    const opener = slack.calls.slice(mark).find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined && c.args.channel === channel);
    expect(opener && callText(opener)).toContain(`/automl ${text}`);
    return { thread: opener!.result.ts as string, mark };
  }

  const section = (blocks: Block[]): string =>
    blocks
      .filter((b) => b.type === 'section')
      .map((b) => b.text?.text ?? '')
      .join('\n');
  const header = (blocks: Block[]): string => blocks[0]?.text?.text ?? '';

  it('help lists every command of the grammar', async () => {
    const { thread, mark } = await slash('help');
    const { blocks } = answerIn(thread, mark);
    expect(header(blocks)).toBe('genautoml commands');
    const text = section(blocks);
    for (const spec of Object.values(COMMANDS)) expect(text).toContain(spec.usage);
  });

  it('generate designs a model with the offline architect, validates it in the sandbox and registers it', async () => {
    const { thread, mark } = await slash(`generate a lightweight inception model dataset=${dataset} lookback=24 horizon=8`);
    const answer = answerIn(thread, mark);
    // A long tool: the progress message is posted first, then replaced by the result.
    expect(answer.updates).toBeGreaterThan(0);
    const first = slack.calls.slice(mark).find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === thread)!;
    expect(callText(first)).toContain('Generate a PyTorch model…');
    expect(header(answer.blocks)).toBe(':white_check_mark: Generate a PyTorch model');
    const text = section(answer.blocks);
    expect(text).toContain('offline template architect');
    modelName = /Registered (\S+) \(/.exec(text)?.[1] ?? '';
    expect(modelName, text).not.toBe('');

    const stored = await t.app.models.get(modelName);
    expect(stored).toMatchObject({ kind: 'generated', provider: expect.stringMatching(/^offline/) });
    expect(stored.code).toContain('class Model');
    // The code is shown inline or, when long, attached; the reflection log is always attached.
    const files = uploadsIn(thread, mark);
    expect(files.get('reflection-log.txt')?.length).toBeGreaterThan(0);
    const attached = files.get(`${modelName}.py`)?.toString();
    if (attached !== undefined) expect(attached).toContain(stored.code);
    else expect(text).toContain('class Model');
  }, 180_000);

  it('models lists the zoo and the generated model, filtered by kind', async () => {
    expect(modelName).not.toBe('');
    let mark = slack.calls.length;
    await receiver.send(appMention('models', { ts: '1700003000.000100' }));
    let text = section(answerIn('1700003000.000100', mark).blocks);
    expect(text).toMatch(/Baselines: .*dlinear/);
    expect(text).toContain(`Generated: ${modelName}.`);
    // The table is a code block with one row per model.
    expect(text).toMatch(/```[\s\S]*dlinear[\s\S]*```/);

    mark = slack.calls.length;
    await receiver.send(threadMessage('models kind=baseline', { thread_ts: '1700003000.000100', parent: 'U0001' }));
    const filtered = answerIn('1700003000.000100', mark);
    expect(header(filtered.blocks)).toContain('List models');
    text = section(filtered.blocks);
    expect(text).toMatch(/Baselines: .*dlinear/);
    expect(text).not.toContain(modelName);
  });

  it('model shows the stored code of a generated model', async () => {
    expect(modelName).not.toBe('');
    const mark = slack.calls.length;
    await receiver.send(appMention(`model ${modelName}`, { ts: '1700003100.000100' }));
    const { blocks } = answerIn('1700003100.000100', mark);
    expect(header(blocks)).toContain('Read a model');
    expect(section(blocks)).toContain(`${modelName} (generated, offline`);
    const stored = await t.app.models.get(modelName);
    const attached = uploadsIn('1700003100.000100', mark).get(`${modelName}.py`)?.toString();
    expect(attached ?? section(blocks)).toContain(attached === undefined ? 'class Model' : stored.code);
  });

  it('validate checks a stored model and inline code in the sandbox', async () => {
    expect(modelName).not.toBe('');
    let mark = slack.calls.length;
    await receiver.send(appMention(`validate ${modelName} dataset=${dataset} lookback=24 horizon=8`, { ts: '1700003200.000100' }));
    const ok = answerIn('1700003200.000100', mark);
    expect(header(ok.blocks)).toBe(':white_check_mark: Validate model code');
    expect(section(ok.blocks)).toMatch(/Valid: output \(\d+, 8, 2\) for expected \(\d+, 8, 2\)/);

    // A fenced block is the code argument; the sandbox policy refuses a subprocess import.
    mark = slack.calls.length;
    const code = 'import subprocess\nimport torch.nn as nn\n\nclass Model(nn.Module):\n    def __init__(self, n_features, lookback, horizon):\n        super().__init__()\n\n    def forward(self, x):\n        return x\n';
    await receiver.send(appMention(`validate \`\`\`python\n${code}\`\`\``, { ts: '1700003300.000100' }));
    const bad = answerIn('1700003300.000100', mark);
    expect(header(bad.blocks)).toBe(':warning: Validate model code');
    expect(section(bad.blocks)).toMatch(/Invalid at stage \w+/);
    expect(section(bad.blocks)).toContain('subprocess');
  }, 120_000);

  it('info reports the server', async () => {
    const mark = slack.calls.length;
    await receiver.send(appMention('info', { ts: '1700003400.000100' }));
    const { blocks } = answerIn('1700003400.000100', mark);
    expect(header(blocks)).toContain('Server information');
    expect(section(blocks)).toContain(`storage: ${t.app.db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'}`);
    expect(section(blocks)).toMatch(/torch: \d+\.\d+/);
  }, 60_000);

  it('search runs a study and the notification in its thread carries working buttons (benchmark)', async () => {
    const started = await slash(`search ${dataset} trials=2 epochs=1 ${TINY}`);
    studyThread = started.thread;
    const reply = answerIn(studyThread, started.mark);
    study = /Started study (st_[A-Za-z0-9_-]+)/.exec(section(reply.blocks))?.[1] ?? '';
    expect(study, reply.text).not.toBe('');

    const notification = await waitFor(
      () => slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === studyThread && callText(c).includes(`Search ${study} finished`)),
      `the end of ${study}`,
    );
    expect((await t.app.studies.get(study)).state).toBe('done');
    const actions = (notification.args.blocks as Block[]).find((b) => b.type === 'actions');
    const button = actions?.elements?.find((e) => e.value === `benchmark ${study}`);
    expect(button?.action_id).toMatch(new RegExp(`^${COMMAND_ACTION}`));

    // Click it: Slack sends the message that carried the button, which lives in the study's thread.
    const mark = slack.calls.length;
    const acks = receiver.acks.length;
    await receiver.send(
      blockAction(
        { ts: notification.result.ts as string, thread_ts: studyThread, text: String(notification.args.text), blocks: notification.args.blocks },
        { action_id: button!.action_id!, value: button!.value!, text: { type: 'plain_text', text: 'Benchmark' } },
      ),
    );
    expect(receiver.acks.length).toBeGreaterThan(acks);
    const bench = answerIn(studyThread, mark);
    expect(header(bench.blocks)).toContain('Benchmark models');
    expect(section(bench.blocks)).toContain('dlinear');
    expect(section(bench.blocks)).toContain('ranked by validation loss');
    const charts = [...uploadsIn(studyThread, mark)];
    expect(charts.length).toBeGreaterThan(0);
    for (const [name, bytes] of charts) {
      expect(name).toMatch(/\.png$/);
      // The upload URL receives the file as a multipart part.
      expect(bytes.includes(Buffer.from('\x89PNG', 'latin1'))).toBe(true);
    }
  }, 300_000);

  it('answers a reply without a mention in its own thread (status, export)', async () => {
    expect(study).not.toBe('');
    let mark = slack.calls.length;
    await receiver.send(threadMessage(`status ${study}`, { thread_ts: studyThread, parent: BOT_USER }));
    const status = answerIn(studyThread, mark);
    expect(header(status.blocks)).toContain('Search status');
    expect(section(status.blocks)).toContain(`${study} [done]`);
    expect(section(status.blocks)).toMatch(/best dlinear \(trial \d+\)/);

    mark = slack.calls.length;
    await receiver.send(threadMessage(`export ${study}`, { thread_ts: studyThread, parent: BOT_USER }));
    const exported = answerIn(studyThread, mark);
    expect(header(exported.blocks)).toContain('Export a trained model');
    const text = section(exported.blocks);
    expect(text).toContain('Reloaded files reproduce the predictions.');
    const dir = /to (\S+): /.exec(text)?.[1] ?? '';
    // A chat caller cannot choose the directory: it is under this app's home.
    expect(path.resolve(dir).startsWith(path.resolve(t.home))).toBe(true);
    // The chat user can reach neither that directory nor MCP resources: the files come with the reply.
    const listed = /: ([^:]+)\. Reloaded/.exec(text)?.[1]?.split(', ') ?? [];
    expect(listed).toEqual(expect.arrayContaining(['model.py', 'metadata.json']));
    const files = uploadsIn(studyThread, mark);
    expect([...files.keys()].sort()).toEqual([...listed].sort());
    expect(files.get('model.py')?.includes(fs.readFileSync(path.join(dir, 'model.py')))).toBe(true);
  }, 120_000);

  it('ignores replies in threads it is not part of and messages from bots, and answers a mention in a thread once', async () => {
    const mark = slack.calls.length;
    await receiver.send(threadMessage('models', { thread_ts: '1700004000.000100' }));
    await receiver.send(threadMessage('models', { thread_ts: studyThread, parent: BOT_USER, bot: true }));
    await receiver.send(threadMessage('models')); // top level, not a thread
    expect(slack.calls.slice(mark).filter((c) => c.method.startsWith('chat.'))).toEqual([]);

    // Slack sends both a message and an app_mention event for a mention in a thread.
    const ts = '1700004100.000100';
    await receiver.send(threadMessage(`<@${BOT_USER}> datasets`, { ts, thread_ts: studyThread, parent: BOT_USER }));
    await receiver.send(appMention('datasets', { ts, thread_ts: studyThread }));
    const replies = slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.args.thread_ts).toBe(studyThread);
    expect(callText(replies[0]!)).toContain(dataset);
  });

  it('answers in a thread a person started once it has answered there, and after a restart still under its own messages', async () => {
    // The `models` mention earlier opened this thread on a person's message.
    let mark = slack.calls.length;
    await receiver.send(threadMessage('datasets', { thread_ts: '1700003000.000100', parent: 'U0001' }));
    expect(callText(answerIn('1700003000.000100', mark).call)).toContain(dataset);

    // A restarted bot remembers no thread, but Slack says who posted each thread's first message.
    const restarted = new FakeReceiver();
    createSlackBot(t.app, { receiver: restarted, slackApiUrl: slack.apiUrl });
    mark = slack.calls.length;
    await restarted.send(threadMessage('datasets', { thread_ts: '1700003000.000100', parent: 'U0001' }));
    expect(slack.calls.slice(mark).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    await restarted.send(threadMessage(`status ${study}`, { thread_ts: studyThread, parent: BOT_USER }));
    expect(section(answerIn(studyThread, mark).blocks)).toContain(`${study} [done]`);
  });

  it('subscribe, then cancel a running search: the study stops and both the thread and the channel are told', async () => {
    const sub = await slash('subscribe', 'C0077');
    expect(section(answerIn(sub.thread, sub.mark, 'C0077').blocks)).toContain('Subscribed this channel to every study');

    const started = await slash(`search ${dataset} trials=30 epochs=3 ${TINY}`);
    const id = /Started study (st_[A-Za-z0-9_-]+)/.exec(answerIn(started.thread, started.mark).text)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(await t.app.subscriptions.forStudy(id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ studyId: null, kind: 'slack', target: { team: TEAM, channel: 'C0077', thread: null } }),
        expect.objectContaining({ studyId: id, kind: 'slack', target: { team: TEAM, channel: 'C0001', thread: started.thread } }),
      ]),
    );
    await waitFor(async () => (await t.app.studies.trials(id)).some((tr) => tr.state === 'running'), `a running trial of ${id}`);

    const mark = slack.calls.length;
    await receiver.send(threadMessage(`cancel ${id}`, { thread_ts: started.thread, parent: BOT_USER }));
    expect(section(answerIn(started.thread, mark).blocks)).toContain(`Study ${id} cancelled.`);
    expect((await t.app.studies.get(id)).state).toBe('cancelled');
    expect((await t.app.studies.trials(id)).filter((tr) => tr.state === 'queued')).toEqual([]);

    const told = await waitFor(() => {
      const posts = slack.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && callText(c).includes(`Search ${id} was cancelled`));
      return posts.length >= 2 ? posts : undefined;
    }, `the cancellation notifications of ${id}`);
    expect(told.map((c) => ({ channel: c.args.channel, thread: c.args.thread_ts ?? null }))).toEqual(
      expect.arrayContaining([
        { channel: 'C0001', thread: started.thread },
        { channel: 'C0077', thread: null },
      ]),
    );

    // Cancelling again says so instead of failing.
    const again = slack.calls.length;
    await receiver.send(threadMessage(`cancel ${id}`, { thread_ts: started.thread, parent: BOT_USER }));
    expect(section(answerIn(started.thread, again).blocks)).toContain(`Study ${id} was already cancelled; nothing to cancel.`);
  }, 300_000);
});
