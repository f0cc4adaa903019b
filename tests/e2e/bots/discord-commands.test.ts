/**
 * End to end: every chat command through the real Discord bot, with interactions built from real
 * gateway payloads and discord.js's REST client talking to a local server, on one app with a
 * queue, search workers and the real sandboxed Python runner. Each interaction is deferred, then
 * its original response is edited (progress, then the result with its attachments); study
 * notifications arrive as channel messages through the notify_discord queue.
 */
// discord.js must load before vega-lite (engine/plots): import the bot module first.
import { createDiscordBot, type DiscordBot } from '../../../bots/discord/bot.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../bots/chat/grammar.js';
import { commandDefinitions } from '../../../bots/discord/commands.js';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { registerBotNotifications } from '../../../server/bots.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { waitFor } from '../../helpers/wait.js';
import type { RecordedRequest } from '../../helpers/http.js';
import {
  APP_ID,
  BOT,
  CHANNEL,
  type Embed,
  embedOf,
  type FakeDiscord,
  filesOf,
  GUILD,
  interaction,
  type InteractionOptionValue,
  mention,
  payloadOf,
  startFakeDiscord,
} from '../../integration/bots/discord-fake.js';

const STRING = 3;
const INTEGER = 4;
const str = (name: string, value: string): InteractionOptionValue => ({ name, type: STRING, value });
const int = (name: string, value: number): InteractionOptionValue => ({ name, type: INTEGER, value });
const isPng = (b: Buffer | undefined): boolean => b !== undefined && b.subarray(0, 4).equals(Buffer.from('\x89PNG', 'latin1'));

describe('discord commands end to end', () => {
  let t: TestApp;
  let api: FakeDiscord;
  let bot: DiscordBot;
  let dataset: string;
  const abort = new AbortController();
  let modelName = '';
  let study = '';

  beforeAll(async () => {
    api = await startFakeDiscord();
    t = await createTestApp({ startQueue: true, env: { DISCORD_TOKEN: 'discord-test-token', GENAUTOML_BOT_RATE_LIMIT: '120' } });
    await registerSearchWorkers(t.app, { concurrency: 1, pollingIntervalSeconds: 0.5, signal: abort.signal });
    dataset = await loadSynthetic(t.app, { rows: 400, features: 2 });
    bot = createDiscordBot(t.app, { api: api.api, botUserId: BOT });
    // startBot would log in to the gateway first, which a test cannot reach; the notification
    // consumer it then registers is this one.
    await registerBotNotifications(t.app, 'discord', bot.deliver);
  }, 120_000);

  afterAll(async () => {
    abort.abort();
    await bot?.client.destroy();
    await t?.dispose();
    await api?.close();
  });


  interface Answer {
    /** Every edit of the original response, in order. */
    edits: RecordedRequest[];
    last: RecordedRequest;
    embed: Embed;
    files: Map<string, Buffer>;
  }

  /** Runs `/automl <sub> …` and checks the interaction protocol: a deferred response, then edits of @original. */
  async function slash(sub: string, options: InteractionOptionValue[] = [], channel?: string): Promise<Answer> {
    const raw = interaction(sub, options, channel ? { channel } : {});
    const mark = api.requests.length;
    await bot.handleInteraction(raw);
    const mine = api.requests.slice(mark).filter((r) => r.url.includes(`/${raw.id}/`) || r.url.includes(`/${raw.token}/`));
    const [callback, ...edits] = mine;
    expect(callback?.method).toBe('POST');
    expect(callback?.url).toBe(`/api/v10/interactions/${raw.id}/${raw.token}/callback`);
    expect(JSON.parse(callback!.body.toString())).toEqual({ type: 5 });
    expect(edits.length).toBeGreaterThan(0);
    for (const e of edits) {
      expect(e.method).toBe('PATCH');
      expect(e.url).toMatch(new RegExp(`^/api/v10/webhooks/${APP_ID}/${raw.token}/messages/(@|%40)original$`));
      // Interaction webhooks are authorised by their token, never by the bot token.
      expect(e.headers.authorization).toBeUndefined();
    }
    const last = edits.at(-1)!;
    const embed = embedOf(last);
    expect(embed).toBeDefined();
    return { edits, last, embed: embed!, files: filesOf(last) };
  }

  it('registers a subcommand for every command of the grammar, required options first', () => {
    const [automl] = commandDefinitions() as { options: { name: string; options: { name: string; required?: boolean }[] }[] }[];
    const names = automl!.options.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining([...Object.keys(COMMANDS), 'help', 'ask']));
    for (const sub of automl!.options) {
      // Discord refuses a command whose required options follow optional ones.
      const required = sub.options.map((o) => o.required === true);
      expect(required, sub.name).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
    }
  });

  it('help lists every command of the grammar', async () => {
    const { embed } = await slash('help');
    expect(embed.title).toBe('genautoml commands');
    for (const spec of Object.values(COMMANDS)) expect(embed.description).toContain(spec.usage);
  });

  it('generate shows progress, then the registered model with the code and the reflection log attached', async () => {
    const answer = await slash('generate', [str('request', 'a lightweight inception model'), str('dataset', dataset), int('lookback', 24), int('horizon', 8)]);
    // A long tool: the first edit is the progress message, without files.
    expect(answer.edits.length).toBeGreaterThan(1);
    expect(embedOf(answer.edits[0]!)?.title).toBe('Generate a PyTorch model…');
    expect(filesOf(answer.edits[0]!).size).toBe(0);
    expect(answer.embed.title).toBe('Generate a PyTorch model');
    expect(answer.embed.color).toBe(0x2eb67d);
    expect(answer.embed.description).toContain('offline template architect');
    modelName = /Registered (\S+) \(/.exec(answer.embed.description ?? '')?.[1] ?? '';
    expect(modelName, answer.embed.description).not.toBe('');

    const stored = await t.app.models.get(modelName);
    expect(stored).toMatchObject({ kind: 'generated', provider: expect.stringMatching(/^offline/) });
    expect(answer.files.get('reflection-log.txt')?.length).toBeGreaterThan(0);
    const attached = answer.files.get(`${modelName}.py`);
    if (attached) expect(attached.toString('utf8')).toBe(stored.code);
    else expect(answer.embed.description).toContain('class Model');
    // The payload names each uploaded file.
    expect(payloadOf(answer.last).attachments).toEqual(expect.arrayContaining([expect.objectContaining({ filename: 'reflection-log.txt' })]));
  }, 180_000);

  it('models lists the zoo and the generated model, filtered by kind', async () => {
    expect(modelName).not.toBe('');
    const all = await slash('models');
    expect(all.embed.title).toBe('List models');
    expect(all.embed.description).toMatch(/Baselines: .*dlinear/);
    expect(all.embed.description).toContain(`Generated: ${modelName}.`);
    expect(all.embed.description).toMatch(/```\n[\s\S]*dlinear[\s\S]*```/);
    const baselines = await slash('models', [str('kind', 'baseline')]);
    expect(baselines.embed.description).toMatch(/Baselines: .*dlinear/);
    expect(baselines.embed.description).not.toContain(modelName);
  });

  it('model shows a stored model with its code', async () => {
    expect(modelName).not.toBe('');
    const { embed, files } = await slash('model', [str('model', modelName)]);
    expect(embed.title).toBe('Read a model');
    expect(embed.description).toContain(`${modelName} (generated, offline`);
    const stored = await t.app.models.get(modelName);
    const attached = files.get(`${modelName}.py`);
    if (attached) expect(attached.toString('utf8')).toBe(stored.code);
    else expect(embed.description).toContain(stored.code.trim().split('\n')[0]);
  });

  it('validate checks a stored model in the sandbox', async () => {
    expect(modelName).not.toBe('');
    const { embed } = await slash('validate', [str('model', modelName), str('dataset', dataset), str('options', 'lookback=24 horizon=8')]);
    expect(embed.title).toBe('Validate model code');
    expect(embed.color).toBe(0x2eb67d);
    expect(embed.description).toMatch(/Valid: output \(\d+, 8, 2\) for expected \(\d+, 8, 2\)/);
  }, 120_000);

  it('info reports the server', async () => {
    const { embed } = await slash('info');
    expect(embed.title).toBe('Server information');
    expect(embed.description).toContain(`storage: ${t.app.db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'}`);
  }, 60_000);

  it('search starts a study for this channel, and its result is posted there with the leaderboard chart', async () => {
    const raw = interaction('search', [str('dataset', dataset), int('trials', 2), str('candidates', 'dlinear'), int('epochs', 1), int('lookback', 24), int('horizon', 8), str('options', 'parallelism=1')]);
    const mark = api.requests.length;
    await bot.handleInteraction(raw);
    const edit = api.requests.slice(mark).filter((r) => r.method === 'PATCH').at(-1)!;
    study = /Started study (st_[A-Za-z0-9_-]+)/.exec(embedOf(edit)?.description ?? '')?.[1] ?? '';
    expect(study, embedOf(edit)?.description).not.toBe('');
    expect(await t.app.subscriptions.forStudy(study)).toEqual([expect.objectContaining({ studyId: study, kind: 'discord', target: { guild: GUILD, channel: CHANNEL, thread: raw.id } })]);

    const post = await waitFor(
      () => api.requests.find((r) => r.method === 'POST' && r.url === `/api/v10/channels/${CHANNEL}/messages` && embedOf(r)?.title?.startsWith(`Search ${study}`)),
      `the end of ${study}`,
    );
    expect((await t.app.studies.get(study)).state).toBe('done');
    const embed = embedOf(post)!;
    expect(embed.title).toBe(`Search ${study} finished: dlinear wins`);
    expect(embed.description).toContain(`\`/automl benchmark ${study}\``);
    expect(embed.description).toContain(`\`/automl export ${study}\``);
    expect(embed.image?.url).toMatch(/^attachment:\/\/.+\.png$/);
    const chart = filesOf(post).get(embed.image!.url.slice('attachment://'.length));
    expect(isPng(chart)).toBe(true);
    expect(post.headers.authorization).toBe('Bot discord-test-token');
  }, 300_000);

  it('status, benchmark and export work on the finished study', async () => {
    expect(study).not.toBe('');
    const status = await slash('status', [str('study', study)]);
    expect(status.embed.title).toBe('Search status');
    expect(status.embed.description).toContain(`${study} [done]`);

    const bench = await slash('benchmark', [str('study', study)]);
    expect(bench.embed.title).toBe('Benchmark models');
    expect(bench.embed.description).toContain('dlinear');
    expect(bench.files.size).toBeGreaterThan(0);
    for (const [name, bytes] of bench.files) {
      expect(name).toMatch(/\.png$/);
      expect(isPng(bytes)).toBe(true);
    }
    expect(bench.embed.image?.url).toBe(`attachment://${[...bench.files.keys()][0]}`);

    const exported = await slash('export', [str('study', study)]);
    expect(exported.embed.title).toBe('Export a trained model');
    expect(exported.embed.description).toContain('Reloaded files reproduce the predictions.');
    const dir = /to (\S+): /.exec(exported.embed.description ?? '')?.[1] ?? '';
    expect(path.resolve(dir).startsWith(path.resolve(t.home))).toBe(true);
    // The chat user can reach neither that directory nor MCP resources: the files come with the reply.
    const listed = /: ([^:]+)\. Reloaded/.exec(exported.embed.description ?? '')?.[1]?.split(', ') ?? [];
    expect(listed).toEqual(expect.arrayContaining(['model.py', 'metadata.json']));
    expect([...exported.files.keys()].sort()).toEqual([...listed].sort());
    expect(exported.files.get('model.py')?.equals(fs.readFileSync(path.join(dir, 'model.py')))).toBe(true);
  }, 180_000);

  it('benchmark trains chosen models side by side on a dataset', async () => {
    const { embed, files } = await slash('benchmark', [str('dataset', dataset), str('models', 'dlinear'), int('epochs', 1), str('options', 'lookback=24 horizon=8')]);
    expect(embed.title).toBe('Benchmark models');
    expect(embed.description).toMatch(/^1 +dlinear +\d/m);
    expect(files.size).toBeGreaterThan(0);
  }, 180_000);

  it('status answers a mention with the recent studies, replying to the message', async () => {
    expect(study).not.toBe('');
    const mark = api.requests.length;
    const msg = mention('status');
    await bot.handleMessage(msg as unknown as Parameters<DiscordBot['handleMessage']>[0]);
    const post = api.requests.slice(mark).find((r) => r.method === 'POST')!;
    expect(post.url).toBe(`/api/v10/channels/${CHANNEL}/messages`);
    expect(payloadOf(post).message_reference).toMatchObject({ message_id: msg.id });
    expect(embedOf(post)?.title).toBe('Search status');
    expect(embedOf(post)?.description).toContain(`${study} [done]`);
  });

  it('subscribe, then cancel a running search: the study stops and both channels are told', async () => {
    const sub = await slash('subscribe', [], '444444444444444445');
    expect(sub.embed.description).toContain('Subscribed this channel to every study');

    const started = await slash('search', [str('dataset', dataset), int('trials', 30), str('candidates', 'dlinear'), int('epochs', 3), int('lookback', 24), int('horizon', 8), str('options', 'parallelism=1')]);
    const id = /Started study (st_[A-Za-z0-9_-]+)/.exec(started.embed.description ?? '')?.[1] ?? '';
    expect(id).not.toBe('');
    await waitFor(async () => (await t.app.studies.trials(id)).some((tr) => tr.state === 'running'), `a running trial of ${id}`);

    const mark = api.requests.length;
    const cancel = await slash('cancel', [str('study', id)]);
    expect(cancel.embed.title).toBe('Cancel a search');
    expect(cancel.embed.description).toContain(`Study ${id} cancelled.`);
    expect((await t.app.studies.get(id)).state).toBe('cancelled');
    expect((await t.app.studies.trials(id)).filter((tr) => tr.state === 'queued')).toEqual([]);

    const told = await waitFor(() => {
      const posts = api.requests.slice(mark).filter((r) => r.method === 'POST' && embedOf(r)?.title === `Search ${id} was cancelled`);
      return posts.length >= 2 ? posts : undefined;
    }, `the cancellation notifications of ${id}`);
    expect(told.map((r) => r.url).sort()).toEqual([`/api/v10/channels/${CHANNEL}/messages`, '/api/v10/channels/444444444444444445/messages']);

    const again = await slash('cancel', [str('study', id)]);
    expect(again.embed.description).toContain(`Study ${id} was already cancelled; nothing to cancel.`);
  }, 300_000);

  it('reports a bad option in the edited reply', async () => {
    const { embed } = await slash('search', [str('dataset', dataset), str('options', 'nonsense=1')]);
    expect(embed.title).toBe('That did not work');
    expect(embed.description).toContain('no option "nonsense"');
  });
});
