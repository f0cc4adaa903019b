/**
 * The Slack front end: a Bolt app (Socket Mode by default, HTTP with signing-secret verification
 * optional) that hands `/automl`, mentions, thread replies and button clicks to the chat core and
 * renders its replies as Block Kit, with plots and code uploaded through files.uploadV2. `deliver`
 * posts a study result to a subscribed thread; server/ wires it to the `notify_slack` queue.
 */
import { z } from 'zod';
import { App as BoltApp, LogLevel, type Receiver, type webApi } from '@slack/bolt';
import type { App } from '../../engine/app.js';
import { GenAutoMLError } from '../../engine/errors.js';
import type { ChatMessage } from '../../engine/notify/message.js';
import type { Deliverer } from '../../engine/search/notify.js';
import { ChatCore, type ChatRequest, type IncomingFile, type ReplyTarget } from '../chat/core.js';
import type { BotReply, ChatFile } from '../chat/render.js';
import { COMMAND_ACTION, fallbackText, toBlocks } from './blocks.js';

const THREADS_REMEMBERED = 10_000;

export interface SlackBotOptions {
  core?: ChatCore;
  /** A custom receiver (tests inject events through app.processEvent); default Socket Mode or HTTP per config. */
  receiver?: Receiver;
  /** Web API base URL, e.g. a local test server (`https://slack.com/api/` otherwise). */
  slackApiUrl?: string;
}

export interface SlackBot {
  bolt: BoltApp;
  core: ChatCore;
  deliver: Deliverer;
  /** Connects (Socket Mode / HTTP listener). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Missing or inconsistent Slack settings, as one clear configuration error. */
export function checkSlackConfig(config: App['config'], hasReceiver = false): void {
  const problems: string[] = [];
  if (!config.slackBotToken) problems.push('SLACK_BOT_TOKEN (xoxb-…) is not set');
  if (!hasReceiver && config.slackMode === 'socket' && !config.slackAppToken) problems.push('SLACK_APP_TOKEN (xapp-…) is needed for Socket Mode (or set GENAUTOML_SLACK_MODE=http)');
  if (!hasReceiver && config.slackMode === 'http' && !config.slackSigningSecret) problems.push('SLACK_SIGNING_SECRET is needed for HTTP mode');
  if (problems.length > 0)
    throw new GenAutoMLError('config.invalid', `Slack is not configured: ${problems.join('; ')}.`, { hint: 'Create the app from deploy/slack-manifest.yaml and set its tokens.', details: { problems } });
}

export function createSlackBot(app: App, options: SlackBotOptions = {}): SlackBot {
  const config = app.config;
  checkSlackConfig(config, options.receiver !== undefined);
  const token = config.slackBotToken as string;
  const logger = app.logger.child({ component: 'slack' });
  const core = options.core ?? new ChatCore(app);
  const apiUrl = options.slackApiUrl ?? config.slackApiUrl;
  const clientOptions = apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {};
  const common = { token, clientOptions, logLevel: LogLevel.ERROR };
  const bolt = options.receiver
    ? new BoltApp({ ...common, receiver: options.receiver })
    : config.slackMode === 'socket'
      ? // The Socket Mode client opens its connection (apps.connections.open) through the same API base.
        new BoltApp({ ...common, socketMode: true, appToken: config.slackAppToken as string, installerOptions: { clientOptions } })
      : new BoltApp({ ...common, signingSecret: config.slackSigningSecret as string, port: config.slackPort });
  /**
   * Threads the bot answered in: plain replies there are for the bot too. Bounded (oldest
   * forgotten first): threads under the bot's own messages are recognised without it anyway.
   */
  const threads = new Set<string>();
  const remember = (key: string): void => {
    threads.delete(key);
    threads.add(key);
    if (threads.size > THREADS_REMEMBERED) threads.delete(threads.values().next().value as string);
  };

  const download = (f: SlackFile): IncomingFile => ({
    name: f.name ?? 'upload',
    size: f.size ?? 0,
    async download() {
      const url = f.url_private_download ?? f.url_private;
      if (!url) throw new GenAutoMLError('chat.upload_failed', `Slack gave no download URL for ${f.name ?? 'the file'}.`, { hint: 'Give the app the files:read scope.' });
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(config.urlTimeoutMs) });
      if (!res.ok) throw new GenAutoMLError('chat.upload_failed', `Downloading ${f.name ?? 'the file'} from Slack failed (HTTP ${res.status}).`, { hint: 'Give the app the files:read scope.' });
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.length > config.maxUploadBytes) throw new GenAutoMLError('data.too_large', `${f.name ?? 'The file'} is larger than ${config.maxUploadBytes} bytes.`, { hint: 'Raise GENAUTOML_MAX_UPLOAD_BYTES or load a smaller file.' });
      return buf;
    },
  });

  const run = async (client: webApi.WebClient, req: ChatRequest, replyTs?: string): Promise<void> => {
    remember(`${req.channel}/${req.thread}`);
    await core.handle(req, slackTarget(client, req.channel, req.thread, replyTs));
  };

  bolt.command('/automl', async ({ command, ack, client }) => {
    await ack();
    // The reply opens the thread that later answers and the study notification go to.
    const posted = await client.chat.postMessage({ channel: command.channel_id, text: `<@${command.user_id}> asked: \`/automl ${command.text}\``.slice(0, 3000) });
    const ts = posted.ts as string;
    await run(client, { platform: 'slack', workspace: command.team_id, channel: command.channel_id, thread: ts, user: command.user_id, text: command.text }, undefined);
  });

  bolt.event('app_mention', async ({ event, client, context }) => {
    const parsed = slackMessageEventSchema.safeParse(event);
    if (!parsed.success) return logger.warn('slack app_mention of an unexpected shape ignored', { issues: parsed.error.issues.slice(0, 5) });
    const e = parsed.data;
    if (!e.user) return;
    await run(client, {
      platform: 'slack',
      workspace: e.team ?? context.teamId ?? '',
      channel: e.channel,
      thread: e.thread_ts ?? e.ts,
      user: e.user,
      text: stripMention(e.text ?? '', context.botUserId),
      files: (e.files ?? []).map(download),
    });
  });

  // Replies in a thread the bot is part of, without a mention: one it answered in, or one under
  // its own message (a command's opener, a study notification), which still holds after a restart.
  bolt.message(async ({ message, client, context }) => {
    const parsed = slackMessageEventSchema.safeParse(message);
    if (!parsed.success) return; // message kinds without a channel or ts (edits, deletions) are not for the bot
    const m = parsed.data;
    if (!m.thread_ts || !m.user || m.bot_id || (m.subtype && m.subtype !== 'file_share')) return;
    const underOwnMessage = context.botUserId !== undefined && m.parent_user_id === context.botUserId;
    if (!underOwnMessage && !threads.has(`${m.channel}/${m.thread_ts}`)) return;
    if (context.botUserId && (m.text ?? '').includes(`<@${context.botUserId}>`)) return; // app_mention answers it
    await run(client, { platform: 'slack', workspace: m.team ?? context.teamId ?? '', channel: m.channel, thread: m.thread_ts, user: m.user, text: m.text ?? '', files: (m.files ?? []).map(download) });
  });

  bolt.action(new RegExp(`^${COMMAND_ACTION}`), async ({ ack, body, client, action }) => {
    await ack();
    const parsed = slackActionBodySchema.safeParse(body);
    if (!parsed.success) return logger.warn('slack action of an unexpected shape ignored', { issues: parsed.error.issues.slice(0, 5) });
    const b = parsed.data;
    const value = (action as { value?: string }).value;
    if (!value || !b.channel || !b.message) return;
    await run(client, { platform: 'slack', workspace: b.team?.id ?? b.user.team_id ?? '', channel: b.channel.id, thread: b.message.thread_ts ?? b.message.ts, user: b.user.id, text: value });
  });

  bolt.error(async (err) => {
    logger.error('slack handler failed', { err });
  });

  const deliver: Deliverer = async (sub, message) => {
    // A channel subscribed to every study has no thread: post at the top of the channel.
    const t = sub.target as { channel?: string; thread?: string | null };
    if (!t.channel) throw new GenAutoMLError('notify.bad_target', `Slack subscription ${sub.id} has no channel.`, { hint: 'Subscribe again from the channel.' });
    await postReply(bolt.client, t.channel, t.thread ?? undefined, { message, files: [] });
  };

  return {
    bolt,
    core,
    deliver,
    async start() {
      if (options.receiver) await options.receiver.start();
      else if (config.slackMode === 'http') await bolt.start(config.slackPort);
      else await bolt.start();
      logger.info('slack bot started', { mode: options.receiver ? 'custom' : config.slackMode });
    },
    async stop() {
      if (options.receiver) await options.receiver.stop();
      else await bolt.stop();
    },
  };
}

// What the handlers read of Slack's payloads, checked: an event of another shape is ignored.
const slackFileSchema = z.object({
  name: z.string().nullish(),
  size: z.number().nullish(),
  url_private: z.string().nullish(),
  url_private_download: z.string().nullish(),
});
type SlackFile = z.infer<typeof slackFileSchema>;

const slackMessageEventSchema = z.object({
  user: z.string().nullish(),
  bot_id: z.string().nullish(),
  subtype: z.string().nullish(),
  team: z.string().nullish(),
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().nullish(),
  /** Who posted the thread's first message. */
  parent_user_id: z.string().nullish(),
  text: z.string().nullish(),
  files: z.array(slackFileSchema).nullish(),
});

const slackActionBodySchema = z.object({
  user: z.object({ id: z.string(), team_id: z.string().nullish() }),
  team: z.object({ id: z.string() }).nullish(),
  channel: z.object({ id: z.string() }).nullish(),
  message: z.object({ ts: z.string(), thread_ts: z.string().nullish() }).nullish(),
});

export function stripMention(text: string, botUserId?: string): string {
  const re = botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/;
  return text.replace(re, '').trim();
}

/** Posts a reply in a thread (or updates `ts`), then uploads its images and files to the same thread. */
async function postReply(client: webApi.WebClient, channel: string, thread: string | undefined, reply: BotReply, ts?: string): Promise<string> {
  const payload = { channel, blocks: toBlocks(reply.message), text: fallbackText(reply.message) };
  let out = ts;
  if (ts) await client.chat.update({ ...payload, ts });
  else out = (await client.chat.postMessage({ ...payload, ...(thread ? { thread_ts: thread } : {}) })).ts as string;
  await uploadFiles(client, channel, thread ?? out, reply.message, reply.files);
  return out as string;
}

async function uploadFiles(client: webApi.WebClient, channel: string, thread: string | undefined, message: ChatMessage, files: ChatFile[]): Promise<void> {
  const uploads = [
    ...(message.images ?? []).map((i) => ({ file: i.png, filename: i.name, title: i.title })),
    ...files.map((f) => ({ file: f.content, filename: f.name, title: f.name })),
  ];
  if (uploads.length === 0) return;
  await client.files.uploadV2({ channel_id: channel, ...(thread ? { thread_ts: thread } : {}), file_uploads: uploads } as Parameters<webApi.WebClient['files']['uploadV2']>[0]);
}

/** Answers in `thread`: the first reply is posted (or replaces `replyTs`), later ones update it. */
export function slackTarget(client: webApi.WebClient, channel: string, thread: string, replyTs?: string): ReplyTarget {
  let ts = replyTs;
  const show = async (reply: BotReply, final: boolean): Promise<void> => {
    const payload = { channel, blocks: toBlocks(reply.message), text: fallbackText(reply.message) };
    if (ts) await client.chat.update({ ...payload, ts });
    else ts = (await client.chat.postMessage({ ...payload, thread_ts: thread })).ts as string;
    if (final) await uploadFiles(client, channel, thread, reply.message, reply.files);
  };
  return { progress: (r) => show(r, false), final: (r) => show(r, true) };
}
