/**
 * The Discord bot: interactions and mentions built from real gateway payload shapes go through
 * the adapter (also via discord.js's client.ws dispatch), and its REST calls reach a local
 * server standing in for https://discord.com/api.
 */
// discord.js must load before vega-lite (engine/plots): import the bot module first.
import { createDiscordBot, deployCommands, type DiscordBot, messagePayload, toEmbed } from '../../../bots/discord/bot.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinitions, interactionCommand } from '../../../bots/discord/commands.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic, syntheticCsv } from '../../helpers/data.js';
import { APP_ID, BOT, type FakeDiscord, interaction, payloadOf, startFakeDiscord } from './discord-fake.js';

describe('discord translation', () => {
  it('maps slash-command options to grammar tool calls', () => {
    const i = interaction('search', [{ name: 'dataset', type: 3, value: 'ds_1' }, { name: 'trials', type: 4, value: 2 }, { name: 'candidates', type: 3, value: 'dlinear,patchtst' }, { name: 'options', type: 3, value: 'pruner=asha epochs=2' }]);
    expect(interactionCommand(i.data!).command).toEqual({ kind: 'tool', command: 'search', tool: 'search', args: { dataset: 'ds_1', maxTrials: 2, candidates: ['dlinear', 'patchtst'], pruner: 'asha', epochs: 2 } });
    const up = interaction('load', [{ name: 'file', type: 11, value: '9' }], { resolved: { attachments: { '9': { id: '9', filename: 'a.csv', size: 1, url: 'http://x/a.csv' } } } });
    expect(interactionCommand(up.data!).file?.filename).toBe('a.csv');
    expect(interactionCommand(interaction('ask', [{ name: 'text', type: 3, value: 'hi' }]).data!).command).toEqual({ kind: 'text', text: 'hi' });
    expect(commandDefinitions()[0]).toMatchObject({ name: 'automl', type: 1 });
  });
  it('renders embeds with attachments', () => {
    const e = toEmbed({ title: 'T', text: '*b*', fields: [{ name: 'n', value: 'v' }], table: { columns: ['a'], rows: [['1']] }, images: [{ name: 'p.png', title: 'P', png: Buffer.from('x') }], tone: 'good' });
    expect(e).toMatchObject({ title: 'T', color: 0x2eb67d, fields: [{ name: 'n', value: 'v', inline: true }], image: { url: 'attachment://p.png' } });
    expect(String(e.description)).toContain('**b**');
    const p = messagePayload({ message: { title: 'T', images: [{ name: 'p.png', title: 'P', png: Buffer.from('x') }] }, files: [{ name: 'model.py', content: Buffer.from('y') }] }, true);
    expect(p.body.attachments).toEqual([{ id: 0, filename: 'p.png' }, { id: 1, filename: 'model.py' }]);
  });
});

describe('discord bot over REST', () => {
  let t: TestApp;
  let api: FakeDiscord;
  let bot: DiscordBot;
  let dataset: string;

  beforeAll(async () => {
    api = await startFakeDiscord();
    t = await createTestApp({ env: { DISCORD_TOKEN: 'discord-test-token' } });
    dataset = await loadSynthetic(t.app, { rows: 300, features: 2 });
    bot = createDiscordBot(t.app, { api: api.api, botUserId: BOT });
  }, 120_000);

  afterAll(async () => {
    await bot?.client.destroy();
    await t?.dispose();
    await api?.close();
  });

  it('defers an interaction and edits the original response with an embed', async () => {
    api.requests.length = 0;
    await bot.handleInteraction(interaction('datasets'));
    const [callback, edit] = api.requests;
    expect(callback!.method).toBe('POST');
    expect(callback!.url).toMatch(/^\/api\/v10\/interactions\/9\d+\/itoken\d+\/callback$/);
    expect(JSON.parse(callback!.body.toString())).toEqual({ type: 5 });
    expect(edit!.method).toBe('PATCH');
    expect(edit!.url).toMatch(new RegExp(`^/api/v10/webhooks/${APP_ID}/itoken\\d+/messages/(@|%40)original$`));
    const embed = (payloadOf(edit!).embeds as { title: string; description: string }[])[0]!;
    expect(embed.title).toBe('List datasets');
    expect(embed.description).toContain(dataset);
  });

  it('shows progress then attaches EDA plots to the edited reply', async () => {
    api.requests.length = 0;
    await bot.handleInteraction(interaction('eda', [{ name: 'dataset', type: 3, value: dataset }]));
    const edits = api.requests.filter((r) => r.method === 'PATCH');
    const last = edits.at(-1)!;
    expect(String(last.headers['content-type'])).toContain('multipart/form-data');
    const body = payloadOf(last);
    expect((body.attachments as { filename: string }[]).length).toBeGreaterThan(0);
    expect((body.embeds as { image?: { url: string } }[])[0]!.image?.url).toMatch(/^attachment:\/\/.+\.png$/);
    expect(last.body.includes(Buffer.from('\x89PNG', 'latin1'))).toBe(true);
  }, 120_000);

  it('maps options to tool arguments and reports tool errors in the reply', async () => {
    api.requests.length = 0;
    await bot.handleInteraction(interaction('search', [{ name: 'dataset', type: 3, value: 'ds_missing' }, { name: 'trials', type: 4, value: 2 }, { name: 'candidates', type: 3, value: 'dlinear' }]));
    const embed = (payloadOf(api.requests.at(-1)!).embeds as { title: string; description: string }[])[0]!;
    expect(embed.title).toBe('That did not work');
    expect(embed.description).toMatch(/ds_missing/);
  });

  it('loads an attached CSV from the attachment option', async () => {
    api.requests.length = 0;
    api.files.set('up.csv', Buffer.from(syntheticCsv({ rows: 200, features: 2 })));
    await bot.handleInteraction(
      interaction('load', [{ name: 'file', type: 11, value: '888' }], { resolved: { attachments: { '888': { id: '888', filename: 'up.csv', size: 9000, url: `${api.server.url}/cdn/up.csv`, content_type: 'text/csv' } } } }),
    );
    const embed = (payloadOf(api.requests.at(-1)!).embeds as { title: string; description: string }[])[0]!;
    expect(embed.title).toBe('Load a dataset');
    expect((await t.app.datasets.list()).some((d) => d.name.includes('up'))).toBe(true);
  });

  it('answers a mention in the channel and arrives through client.ws dispatch', async () => {
    api.requests.length = 0;
    bot.client.ws.emit('MESSAGE_CREATE', { id: '600', channel_id: '444444444444444444', guild_id: '333', author: { id: '555' }, content: `<@${BOT}> models`, mentions: [{ id: BOT }], attachments: [] }, 0);
    for (let i = 0; i < 50 && api.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const post = api.requests[0]!;
    expect(post.method).toBe('POST');
    expect(post.url).toBe('/api/v10/channels/444444444444444444/messages');
    const body = payloadOf(post);
    expect(body.message_reference).toMatchObject({ message_id: '600' });
    expect((body.embeds as { title: string }[])[0]!.title).toBe('List models');
  });

  it('delivers notifications to the channel and registers the slash command', async () => {
    api.requests.length = 0;
    await bot.deliver({ id: 1, studyId: 'st_x', kind: 'discord', target: { guild: '333', channel: '777', thread: '1' } }, { title: 'Search st_x finished', text: '*dlinear* wins' }, {});
    expect(api.requests[0]!.url).toBe('/api/v10/channels/777/messages');
    expect((payloadOf(api.requests[0]!).embeds as { description: string }[])[0]!.description).toBe('**dlinear** wins');
    await deployCommands(bot.rest, APP_ID, commandDefinitions());
    const put = api.requests.at(-1)!;
    expect(put.method).toBe('PUT');
    expect(put.url).toBe(`/api/v10/applications/${APP_ID}/commands`);
    expect(put.headers.authorization).toBe('Bot discord-test-token');
    const cmd = (JSON.parse(put.body.toString()) as { name: string; options: { name: string }[] }[])[0]!;
    expect(cmd.options.map((o) => o.name)).toEqual(expect.arrayContaining(['load', 'search', 'status', 'cancel', 'benchmark', 'ask']));
  });
});
