/**
 * A fake Slack for tests: a local HTTP server speaking the Web API wire format (form-encoded
 * calls answered with `{ok: true, …}`, the files.uploadV2 three-step upload, private file
 * downloads), optionally Slack's Socket Mode link (apps.connections.open hands out a WebSocket
 * that delivers envelopes and takes acks), and a Bolt receiver that injects real event and
 * command payloads.
 */
import type { App as BoltApp, Receiver } from '@slack/bolt';
import { type WebSocket, WebSocketServer } from 'ws';
import { type RecordedRequest, startTestServer, type TestServer } from '../../helpers/http.js';

export const BOT_USER = 'UBOT';
export const TEAM = 'T0001';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** What the fake answered (e.g. the `ts` of a posted message), ok aside. */
  result: Record<string, unknown>;
}

export interface FakeSlack {
  server: TestServer;
  apiUrl: string;
  calls: SlackCall[];
  /** Bytes uploaded to each upload URL, by file id. */
  uploads: Map<string, { filename: string; bytes: Buffer }>;
  /** Files served at `${server.url}/files/<name>` for url_private downloads. */
  files: Map<string, Buffer>;
  posted(): SlackCall[];
  /** With `socketMode`: the link the Socket Mode client connects to. */
  socket?: FakeSocketMode;
  close(): Promise<void>;
}

export interface FakeSocketMode {
  /** Connections opened so far (each got a `hello`). */
  connections: number;
  /** Envelope ids the client acknowledged. */
  acks: string[];
  /** Sends an envelope (`events_api`, `slash_commands`, `interactive`) to the open connection. */
  send(type: string, payload: Record<string, unknown>): string;
}

function parseArgs(req: RecordedRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const text = req.body.toString('utf8');
  if (type.includes('application/json')) return JSON.parse(text || '{}') as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = (k === 'blocks' || k === 'files' || k === 'attachments') && v.startsWith('[') ? JSON.parse(v) : v;
  }
  return out;
}

async function startSocketLink(): Promise<FakeSocketMode & { url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  let current: WebSocket | undefined;
  let seq = 0;
  const link = {
    url: `ws://127.0.0.1:${port}/link`,
    connections: 0,
    acks: [] as string[],
    send(type: string, payload: Record<string, unknown>): string {
      if (!current) throw new Error('no Socket Mode connection is open');
      seq += 1;
      const id = `env-${seq}`;
      current.send(JSON.stringify({ envelope_id: id, payload, type, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (ws) => {
    current = ws;
    link.connections += 1;
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { envelope_id?: string };
      if (msg.envelope_id) link.acks.push(msg.envelope_id);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-test', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0001' } }));
  });
  return link;
}

export async function startFakeSlack(options: { socketMode?: boolean } = {}): Promise<FakeSlack> {
  const link = options.socketMode ? await startSocketLink() : undefined;
  const calls: SlackCall[] = [];
  const uploads = new Map<string, { filename: string; bytes: Buffer }>();
  const files = new Map<string, Buffer>();
  let seq = 0;
  const pendingNames = new Map<string, string>();
  const server = await startTestServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/files/')) {
      if (req.headers.authorization !== 'Bearer xoxb-test-token') {
        res.statusCode = 403;
        return res.end('forbidden');
      }
      const body = files.get(decodeURIComponent(url.pathname.slice('/files/'.length)));
      if (!body) {
        res.statusCode = 404;
        return res.end();
      }
      return res.end(body);
    }
    if (url.pathname.startsWith('/upload/')) {
      const id = url.pathname.slice('/upload/'.length);
      uploads.set(id, { filename: pendingNames.get(id) ?? '', bytes: req.body });
      return res.end('OK - 200');
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(req);
    const call: SlackCall = { method, args, result: {} };
    calls.push(call);
    res.setHeader('content-type', 'application/json');
    const reply = (o: Record<string, unknown>): void => {
      call.result = o;
      res.end(JSON.stringify({ ok: true, ...o }));
    };
    switch (method) {
      case 'auth.test':
        return reply({ user_id: BOT_USER, bot_id: 'BBOT', team_id: TEAM, user: 'genautoml', team: 'Test' });
      case 'chat.postMessage':
        seq += 1;
        return reply({ channel: args.channel, ts: `1700000000.${String(seq).padStart(6, '0')}`, message: { text: args.text } });
      case 'chat.update':
        return reply({ channel: args.channel, ts: args.ts });
      case 'files.getUploadURLExternal': {
        seq += 1;
        const id = `F${seq}`;
        pendingNames.set(id, String(args.filename));
        return reply({ upload_url: `${server.url}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal':
        return reply({ files: (args.files as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title })) });
      case 'apps.connections.open':
        if (!link || req.headers.authorization !== 'Bearer xapp-test-token') return res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        return reply({ url: link.url });
      default:
        return reply({});
    }
  });
  return {
    server,
    apiUrl: `${server.url}/api/`,
    calls,
    uploads,
    files,
    posted: () => calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update'),
    ...(link ? { socket: link } : {}),
    close: async () => {
      await link?.close();
      await server.close();
    },
  };
}

/** A Bolt receiver whose events come from the test: real payloads through app.processEvent. */
export class FakeReceiver implements Receiver {
  private bolt: BoltApp | undefined;
  acks: unknown[] = [];

  init(app: BoltApp): void {
    this.bolt = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  async send(body: Record<string, unknown>): Promise<void> {
    if (!this.bolt) throw new Error('receiver not initialised');
    await this.bolt.processEvent({
      body,
      ack: async (response?: unknown) => {
        this.acks.push(response);
      },
    });
  }
}

export function slashCommand(text: string, opts: { user?: string; channel?: string; team?: string } = {}): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: opts.team ?? TEAM,
    team_domain: 'test',
    channel_id: opts.channel ?? 'C0001',
    channel_name: 'automl',
    user_id: opts.user ?? 'U0001',
    user_name: 'ada',
    command: '/automl',
    text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0001/1/abc',
    trigger_id: '1.2.abc',
  };
}

let eventSeq = 0;
/** The Events API envelope (`event_callback`) around one event, as Slack posts it. */
function eventCallback(event: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: TEAM,
    api_app_id: 'A0001',
    event,
    type: 'event_callback',
    event_id: `Ev${eventSeq}`,
    event_time: 1700001000,
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    ...extra,
  };
}

export function appMention(text: string, opts: { user?: string; channel?: string; ts?: string; thread_ts?: string; files?: Record<string, unknown>[] } = {}): Record<string, unknown> {
  eventSeq += 1;
  const ts = opts.ts ?? `1700001000.${String(eventSeq).padStart(6, '0')}`;
  return eventCallback({
    type: 'app_mention',
    user: opts.user ?? 'U0001',
    text: `<@${BOT_USER}> ${text}`,
    ts,
    ...(opts.thread_ts ? { thread_ts: opts.thread_ts } : {}),
    team: TEAM,
    channel: opts.channel ?? 'C0001',
    event_ts: ts,
    ...(opts.files ? { files: opts.files } : {}),
  });
}

/**
 * A plain message event (`message.channels`), as Slack sends a reply in a thread. `parent` is who
 * posted the thread's first message (parent_user_id; default a person). `bot` makes it a message
 * from another app's bot user (bot_id and bot_profile set, no subtype, as modern apps post).
 */
export function threadMessage(
  text: string,
  opts: { user?: string; channel?: string; ts?: string; thread_ts?: string; parent?: string; bot?: boolean; files?: Record<string, unknown>[] } = {},
): Record<string, unknown> {
  eventSeq += 1;
  const ts = opts.ts ?? `1700001000.${String(eventSeq).padStart(6, '0')}`;
  const user = opts.user ?? (opts.bot ? 'U0OTHERBOT' : 'U0001');
  return eventCallback(
    {
      type: 'message',
      ...(opts.bot
        ? { bot_id: 'B0OTHER', app_id: 'A0OTHER', bot_profile: { id: 'B0OTHER', app_id: 'A0OTHER', name: 'other-bot', team_id: TEAM, deleted: false } }
        : { client_msg_id: `00000000-0000-4000-8000-${String(eventSeq).padStart(12, '0')}` }),
      text,
      user,
      ts,
      team: TEAM,
      ...(opts.thread_ts ? { thread_ts: opts.thread_ts, parent_user_id: opts.parent ?? 'U0002' } : {}),
      channel: opts.channel ?? 'C0001',
      event_ts: ts,
      channel_type: 'channel',
      ...(opts.files ? { files: opts.files } : {}),
    },
    { event_context: `4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMDAwMSJ9-${eventSeq}` },
  );
}

/**
 * The `block_actions` interaction Slack sends when a button is clicked: `message` is the message
 * that carried the button (as posted: ts, thread_ts, blocks), `button` the clicked element.
 */
export function blockAction(
  message: { ts: string; thread_ts?: string; text?: string; blocks?: unknown },
  button: { action_id: string; value: string; text?: { type: string; text: string }; block_id?: string },
  opts: { user?: string; channel?: string } = {},
): Record<string, unknown> {
  const channel = opts.channel ?? 'C0001';
  const user = opts.user ?? 'U0001';
  return {
    type: 'block_actions',
    user: { id: user, username: 'ada', name: 'ada', team_id: TEAM },
    api_app_id: 'A0001',
    token: 'verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
    trigger_id: '1.2.trigger',
    team: { id: TEAM, domain: 'test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'automl' },
    message: {
      type: 'message',
      text: message.text ?? '',
      ts: message.ts,
      bot_id: 'BBOT',
      app_id: 'A0001',
      user: BOT_USER,
      team: TEAM,
      ...(message.thread_ts ? { thread_ts: message.thread_ts, parent_user_id: 'U0001' } : {}),
      ...(message.blocks ? { blocks: message.blocks } : {}),
    },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${TEAM}/1/abc`,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: button.block_id ?? 'actions0',
        text: button.text ?? { type: 'plain_text', text: button.value, emoji: true },
        value: button.value,
        action_ts: '1700009999.000001',
      },
    ],
  };
}

/** Text of every block and the fallback, for assertions. */
export function callText(c: SlackCall): string {
  return `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? '')}`;
}
