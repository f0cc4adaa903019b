/**
 * The Discord front end: discord.js for the gateway (slash-command interactions and mentions,
 * taken as raw API payloads) and its REST client for answers: a deferred reply edited with
 * progress and then the result (embeds, image and file attachments), channel messages for
 * mentions and study notifications (`deliver`; server/ wires it to the `notify_discord` queue).
 * The REST base is injectable (`rest.api`) for tests.
 */
import type { Client, REST } from 'discord.js';
import type { App } from '../../engine/app.js';
import { GenAutoMLError } from '../../engine/errors.js';
import { type ChatMessage, renderTextTable } from '../../engine/notify/message.js';
import type { Deliverer } from '../../engine/search/notify.js';
import { ChatCore, type IncomingFile, type ReplyTarget } from '../chat/core.js';
import { type BotReply, type ChatFile, isLongCode, renderError } from '../chat/render.js';
import { DiscordJs } from './discord-js.js';
import { interactionCommand, type InteractionOption, type ResolvedAttachment } from './commands.js';

export interface DiscordBotOptions {
  core?: ChatCore;
  /** Discord REST base, e.g. a local test server (`https://discord.com/api` otherwise). */
  api?: string;
  /** The bot's user id, when known before the gateway says (tests). */
  botUserId?: string;
}

export interface DiscordBot {
  client: Client;
  rest: REST;
  core: ChatCore;
  deliver: Deliverer;
  handleInteraction(raw: RawInteraction): Promise<void>;
  handleMessage(raw: RawMessage): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RawInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  guild_id?: string;
  channel_id?: string;
  channel?: { id: string };
  member?: { user: { id: string } };
  user?: { id: string };
  data?: { name: string; options?: InteractionOption[]; resolved?: { attachments?: Record<string, ResolvedAttachment> } };
}

export interface RawMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: { id: string; bot?: boolean };
  content: string;
  mentions?: { id: string }[];
  attachments?: { id: string; filename: string; size: number; url: string }[];
}

const discordJs = (): typeof DiscordJs => DiscordJs;

const APPLICATION_COMMAND = 2;
const DEFERRED_CHANNEL_MESSAGE = 5;
const COLOURS: Record<string, number> = { good: 0x2eb67d, warning: 0xecb22e, danger: 0xe01e5a, neutral: 0x5865f2 };
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function checkDiscordConfig(config: App['config']): void {
  if (!config.discordToken)
    throw new GenAutoMLError('config.invalid', 'Discord is not configured: DISCORD_TOKEN is not set.', { hint: 'Create a bot in the Discord developer portal and set DISCORD_TOKEN (and DISCORD_APPLICATION_ID to register /automl).' });
}

/** ChatMessage → one Discord embed; the first image is shown inside it. */
export function toEmbed(msg: ChatMessage): Record<string, unknown> {
  const parts: string[] = [];
  if (msg.text) parts.push(msg.text.replace(/(^|\s)\*([^*\n]+)\*/g, '$1**$2**'));
  if (msg.table) parts.push(`\`\`\`\n${renderTextTable(msg.table)}\n\`\`\``);
  if (msg.code) parts.push(isLongCode(msg.code.text) ? `Code attached as \`${msg.code.filename}\`.` : `\`\`\`${msg.code.language}\n${msg.code.text}\n\`\`\``);
  if (msg.buttons?.length) parts.push(`Next: ${msg.buttons.map((b) => `\`/automl ${b.command}\``).join(' · ')}`);
  const first = msg.images?.[0];
  return {
    title: cut(msg.title, 256),
    description: cut(parts.join('\n\n'), 4096),
    color: COLOURS[msg.tone ?? 'neutral'],
    ...(msg.fields?.length ? { fields: msg.fields.slice(0, 25).map((f) => ({ name: cut(f.name, 256), value: cut(f.value || '—', 1024), inline: true })) } : {}),
    ...(msg.footer ? { footer: { text: cut(msg.footer, 2048) } } : {}),
    ...(first ? { image: { url: `attachment://${first.name}` } } : {}),
  };
}

/** The message body and files of a reply (images and attached code/logs). */
export function messagePayload(reply: BotReply, withFiles: boolean): { body: Record<string, unknown>; files: { name: string; data: Buffer }[] } {
  const files: { name: string; data: Buffer }[] = withFiles
    ? [...(reply.message.images ?? []).map((i) => ({ name: i.name, data: i.png })), ...reply.files.map((f: ChatFile) => ({ name: f.name, data: f.content }))].slice(0, 10)
    : [];
  const message = withFiles ? reply.message : { ...reply.message, images: [] };
  return { body: { embeds: [toEmbed(message)], attachments: files.map((f, id) => ({ id, filename: f.name })), allowed_mentions: { parse: [] } }, files };
}

export function createDiscordBot(app: App, options: DiscordBotOptions = {}): DiscordBot {
  const config = app.config;
  checkDiscordConfig(config);
  const { Client: DiscordClient, GatewayDispatchEvents, GatewayIntentBits, Routes } = discordJs();
  const token = config.discordToken as string;
  const logger = app.logger.child({ component: 'discord' });
  const core = options.core ?? new ChatCore(app);
  const api = options.api ?? config.discordApiUrl;
  const client = new DiscordClient({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages], ...(api ? { rest: { api } } : {}) });
  client.token = token;
  const rest = client.rest.setToken(token);
  let botUserId = options.botUserId;

  const incoming = (a: { filename: string; size: number; url: string }): IncomingFile => ({
    name: a.filename,
    size: a.size,
    async download() {
      const res = await fetch(a.url, { signal: AbortSignal.timeout(config.urlTimeoutMs) });
      if (!res.ok) throw new GenAutoMLError('chat.upload_failed', `Downloading ${a.filename} from Discord failed (HTTP ${res.status}).`, { hint: 'Attach the file again.' });
      return Buffer.from(await res.arrayBuffer());
    },
  });

  /** Interaction replies: deferred at once, then the original response is edited. */
  const interactionTarget = (raw: RawInteraction): ReplyTarget => {
    const route = Routes.webhookMessage(raw.application_id, raw.token, '@original');
    const edit = async (reply: BotReply, final: boolean): Promise<void> => {
      const { body, files } = messagePayload(reply, final);
      await rest.patch(route, { body, files, auth: false });
    };
    return { progress: (r) => edit(r, false), final: (r) => edit(r, true) };
  };

  const channelTarget = (channel: string, replyTo?: string): ReplyTarget => {
    let messageId: string | undefined;
    const show = async (reply: BotReply, final: boolean): Promise<void> => {
      const { body, files } = messagePayload(reply, final);
      if (messageId) await rest.patch(Routes.channelMessage(channel, messageId), { body, files });
      else {
        const posted = (await rest.post(Routes.channelMessages(channel), { body: { ...body, ...(replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}) }, files })) as { id: string };
        messageId = posted.id;
      }
    };
    return { progress: (r) => show(r, false), final: (r) => show(r, true) };
  };

  const handleInteraction = async (raw: RawInteraction): Promise<void> => {
    if (raw.type !== APPLICATION_COMMAND || raw.data?.name !== 'automl') return;
    await rest.post(Routes.interactionCallback(raw.id, raw.token), { body: { type: DEFERRED_CHANNEL_MESSAGE }, auth: false });
    const target = interactionTarget(raw);
    const user = raw.member?.user.id ?? raw.user?.id ?? '';
    const channel = raw.channel_id ?? raw.channel?.id ?? '';
    let parsed: ReturnType<typeof interactionCommand>;
    try {
      parsed = interactionCommand(raw.data);
    } catch (err) {
      await target.final(renderError(err));
      return;
    }
    await core.handle(
      { platform: 'discord', workspace: raw.guild_id ?? 'dm', channel, thread: raw.id, user, text: '', command: parsed.command, ...(parsed.file ? { files: [incoming(parsed.file)] } : {}) },
      target,
    );
  };

  const handleMessage = async (raw: RawMessage): Promise<void> => {
    if (raw.author.bot || !botUserId || !(raw.mentions ?? []).some((m) => m.id === botUserId)) return;
    const text = raw.content.replace(new RegExp(`<@!?${botUserId}>`, 'g'), '').trim();
    await core.handle(
      { platform: 'discord', workspace: raw.guild_id ?? 'dm', channel: raw.channel_id, thread: raw.id, user: raw.author.id, text, files: (raw.attachments ?? []).map(incoming) },
      channelTarget(raw.channel_id, raw.id),
    );
  };

  const deliver: Deliverer = async (sub, message) => {
    const t = sub.target as { channel?: string };
    if (!t.channel) throw new GenAutoMLError('notify.bad_target', `Discord subscription ${sub.id} has no channel.`, { hint: 'Subscribe again from the channel.' });
    const { body, files } = messagePayload({ message, files: [] }, true);
    await rest.post(Routes.channelMessages(t.channel), { body, files });
  };

  const safely =
    <T>(fn: (raw: T) => Promise<void>) =>
    (raw: T): void => {
      fn(raw).catch((err: unknown) => logger.error('discord handler failed', { err }));
    };
  client.ws.on(GatewayDispatchEvents.InteractionCreate, safely(handleInteraction));
  client.ws.on(GatewayDispatchEvents.MessageCreate, safely(handleMessage));
  client.once('clientReady', (c) => {
    botUserId = c.user.id;
    logger.info('discord bot connected', { user: c.user.tag });
  });

  return {
    client,
    rest,
    core,
    deliver,
    handleInteraction,
    handleMessage,
    async start() {
      await client.login(token);
    },
    async stop() {
      await client.destroy();
    },
  };
}

/** Registers `/automl` for the application (globally, or in one guild for instant updates). */
export async function deployCommands(rest: REST, applicationId: string, body: unknown, guildId?: string): Promise<unknown> {
  const { Routes } = discordJs();
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  return rest.put(route, { body });
}
