/**
 * `genautoml discord` as a real process, logging in the way it logs in to Discord itself, with only
 * the far end replaced: discord.js asks the REST API (GENAUTOML_DISCORD_API_URL) for the gateway,
 * opens the WebSocket, identifies with the token and intents, heartbeats, and takes dispatches;
 * a slash command arriving over the gateway is answered through the interaction endpoints, and a
 * mention with a channel message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHome, type RunningCli, startCli, type TestHome } from '../../helpers/app.js';
import { until } from '../../helpers/wait.js';
import { APP_ID, CHANNEL, type FakeDiscord, interaction, mention, payloadOf, startFakeDiscord } from '../../integration/bots/discord-fake.js';

describe('genautoml discord, as a process', () => {
  let discord: FakeDiscord;
  let home: TestHome;
  let bot: RunningCli;

  beforeAll(async () => {
    discord = await startFakeDiscord({ gateway: true });
    home = createTestHome({ DISCORD_TOKEN: 'test-bot-token', GENAUTOML_DISCORD_API_URL: discord.api });
    bot = startCli(['discord'], home.env);
    await bot.waitForStderr(/discord bot running/, 90_000);
  }, 120_000);

  afterAll(async () => {
    await bot?.stop('SIGTERM', 20_000);
    await discord?.close();
    await home?.dispose();
  });

  it('identifies on the gateway with its token and intents', () => {
    const gateway = discord.gateway!;
    expect(gateway.identifies).toHaveLength(1);
    expect(gateway.identifies[0]).toMatchObject({ token: 'test-bot-token' });
    // Guilds | GuildMessages | DirectMessages
    expect(gateway.identifies[0]!.intents).toBe((1 << 0) | (1 << 9) | (1 << 12));
    expect(discord.requests.some((r) => r.url === '/api/v10/gateway/bot' && r.headers.authorization === 'Bot test-bot-token')).toBe(true);
  });

  it('answers a slash command delivered over the gateway: deferred, then the reply edited in', async () => {
    const raw = interaction('help');
    discord.gateway!.dispatch('INTERACTION_CREATE', raw);
    const callback = await until(async () => discord.requests.find((r) => r.url === `/api/v10/interactions/${raw.id}/${raw.token}/callback`), (r) => r !== undefined, 30_000, 'the interaction callback');
    expect(JSON.parse(callback!.body.toString())).toEqual({ type: 5 });
    const edit = await until(
      async () => discord.requests.find((r) => r.method === 'PATCH' && decodeURIComponent(r.url) === `/api/v10/webhooks/${APP_ID}/${raw.token}/messages/@original` && /search/.test(JSON.stringify(payloadOf(r)))),
      (r) => r !== undefined,
      30_000,
      'the edited reply',
    );
    expect(edit).toBeDefined();
  }, 60_000);

  it('answers a mention with a message in the channel', async () => {
    const msg = mention('datasets');
    discord.gateway!.dispatch('MESSAGE_CREATE', msg);
    const post = await until(async () => discord.requests.find((r) => r.method === 'POST' && r.url === `/api/v10/channels/${CHANNEL}/messages`), (r) => r !== undefined, 30_000, 'the channel reply');
    expect(payloadOf(post!)).toMatchObject({ message_reference: { message_id: msg.id } });
  }, 60_000);
});
