/**
 * A fake Discord for tests: a local HTTP server standing in for https://discord.com/api (the
 * interaction callback, webhook message edits, channel messages, a CDN for attachments), the
 * parsing of what discord.js's REST client sends (JSON, or multipart with payload_json and
 * files[n]), optionally the gateway (GET /gateway/bot hands out a WebSocket that says HELLO,
 * takes IDENTIFY and heartbeats, answers READY and then delivers dispatches), and interactions
 * built from real gateway payload shapes.
 *
 * Only types come from the bot module: test files must still import the bot before the engine
 * (discord.js must load before vega-lite).
 */
import type { RawInteraction } from '../../../bots/discord/bot.js';
import { type WebSocket, WebSocketServer } from 'ws';
import { type RecordedRequest, startTestServer, type TestServer } from '../../helpers/http.js';

export const APP_ID = '111111111111111111';
export const BOT = '222222222222222222';
export const GUILD = '333333333333333333';
export const CHANNEL = '444444444444444444';
export const USER = '555555555555555555';

export interface FakeDiscord {
  server: TestServer;
  /** The REST base to give the bot (`rest.api`). */
  api: string;
  requests: RecordedRequest[];
  /** Files served at `${server.url}/cdn/<name>` (attachment URLs). */
  files: Map<string, Buffer>;
  /** With `gateway`: the WebSocket gateway the bot logs in to. */
  gateway?: FakeGateway;
  close(): Promise<void>;
}

export interface FakeGateway {
  /** IDENTIFY payloads received (token, intents, properties). */
  identifies: Record<string, unknown>[];
  heartbeats: number;
  /** Sends a dispatch (op 0) such as INTERACTION_CREATE or MESSAGE_CREATE to the open session. */
  dispatch(t: string, d: unknown): void;
}

async function startGateway(): Promise<FakeGateway & { url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  let session: WebSocket | undefined;
  let seq = 0;
  const send = (ws: WebSocket, payload: Record<string, unknown>): void => ws.send(JSON.stringify({ s: null, t: null, ...payload }));
  const gateway = {
    url,
    identifies: [] as Record<string, unknown>[],
    heartbeats: 0,
    dispatch(t: string, d: unknown): void {
      if (!session) throw new Error('no gateway session is open');
      seq += 1;
      send(session, { op: 0, t, s: seq, d });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { op: number; d: Record<string, unknown> };
      if (msg.op === 1) {
        gateway.heartbeats += 1;
        send(ws, { op: 11 });
      } else if (msg.op === 2) {
        gateway.identifies.push(msg.d);
        session = ws;
        seq += 1;
        send(ws, {
          op: 0,
          t: 'READY',
          s: seq,
          d: {
            v: 10,
            user: { id: BOT, username: 'genautoml', discriminator: '0', global_name: null, avatar: null, bot: true, flags: 0 },
            guilds: [],
            session_id: 'fake-session',
            resume_gateway_url: url,
            shard: [0, 1],
            application: { id: APP_ID, flags: 0 },
          },
        });
      }
    });
    send(ws, { op: 10, d: { heartbeat_interval: 41_250 } });
  });
  return gateway;
}

export async function startFakeDiscord(options: { gateway?: boolean } = {}): Promise<FakeDiscord> {
  const gateway = options.gateway ? await startGateway() : undefined;
  const files = new Map<string, Buffer>();
  let seq = 0;
  const server = await startTestServer((req, res) => {
    if (req.url.startsWith('/cdn/')) return res.end(files.get(req.url.slice(5)) ?? '');
    if (req.url.endsWith('/gateway/bot')) {
      res.setHeader('content-type', 'application/json');
      if (!gateway) {
        res.statusCode = 404;
        return res.end(JSON.stringify({ message: 'no gateway in this fake', code: 0 }));
      }
      return res.end(JSON.stringify({ url: gateway.url, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }));
    }
    if (req.url.endsWith('/callback')) {
      res.statusCode = 204;
      return res.end();
    }
    seq += 1;
    const channel = /\/channels\/(\d+)\//.exec(req.url)?.[1] ?? CHANNEL;
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ id: `70000000000000${String(seq).padStart(4, '0')}`, channel_id: channel }));
  });
  return {
    server,
    api: `${server.url}/api`,
    requests: server.requests,
    files,
    ...(gateway ? { gateway } : {}),
    close: async () => {
      await gateway?.close();
      await server.close();
    },
  };
}

export interface MultipartPart {
  name: string;
  filename?: string;
  body: Buffer;
}

/** The parts of a multipart/form-data body (binary-safe). */
export function multipartParts(req: RecordedRequest): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(req.headers['content-type'] ?? ''));
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`, 'latin1');
  const parts: MultipartPart[] = [];
  let start = req.body.indexOf(delimiter);
  while (start !== -1) {
    const next = req.body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const chunk = req.body.subarray(start + delimiter.length + 2, next - 2); // CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headers = chunk.subarray(0, headerEnd).toString('latin1');
    const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    parts.push({ name, ...(filename === undefined ? {} : { filename }), body: chunk.subarray(headerEnd + 4) });
    start = next;
  }
  return parts;
}

/** The JSON body of a REST call, from payload_json when it is multipart. */
export function payloadOf(req: RecordedRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
  const json = multipartParts(req).find((p) => p.name === 'payload_json');
  return json ? (JSON.parse(json.body.toString('utf8')) as Record<string, unknown>) : {};
}

/** Uploaded files of a multipart REST call: filename → bytes. */
export function filesOf(req: RecordedRequest): Map<string, Buffer> {
  return new Map(
    multipartParts(req)
      .filter((p) => p.name.startsWith('files[') && p.filename !== undefined)
      .map((p) => [p.filename as string, p.body]),
  );
}

export interface Embed {
  title: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
  image?: { url: string };
}

/** The first embed of a message sent or edited by the bot, if it has one. */
export const embedOf = (req: RecordedRequest): Embed | undefined => (payloadOf(req).embeds as Embed[] | undefined)?.[0];

export type InteractionOptionValue = { name: string; type: number; value: string | number };

let seq = 0;
/** An APPLICATION_COMMAND interaction for `/automl <sub>` as the gateway delivers it (INTERACTION_CREATE). */
export function interaction(sub: string, options: InteractionOptionValue[] = [], extra: { resolved?: Record<string, unknown>; channel?: string } = {}): RawInteraction {
  seq += 1;
  const channel = extra.channel ?? CHANNEL;
  return {
    id: `90000000000000${String(seq).padStart(4, '0')}`,
    application_id: APP_ID,
    type: 2,
    token: `itoken${seq}`,
    version: 1,
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '2248473465835073',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD },
    context: 0,
    guild_id: GUILD,
    guild: { id: GUILD, locale: 'en-US', features: [] },
    channel_id: channel,
    channel: { id: channel, type: 0, guild_id: GUILD, name: 'automl' },
    member: { user: { id: USER, username: 'ada', global_name: 'Ada', discriminator: '0' }, roles: [], permissions: '2248473465835073', joined_at: '2024-01-01T00:00:00.000000+00:00' },
    data: { id: '666666666666666666', name: 'automl', type: 1, options: [{ name: sub, type: 1, options }], ...(extra.resolved ? { resolved: extra.resolved } : {}) },
  } as RawInteraction & Record<string, unknown>;
}

/** A MESSAGE_CREATE payload of a user's message mentioning the bot. */
export function mention(text: string, opts: { id?: string; channel?: string } = {}): Record<string, unknown> {
  seq += 1;
  return {
    id: opts.id ?? `80000000000000${String(seq).padStart(4, '0')}`,
    type: 0,
    channel_id: opts.channel ?? CHANNEL,
    guild_id: GUILD,
    author: { id: USER, username: 'ada', global_name: 'Ada', discriminator: '0' },
    member: { roles: [], joined_at: '2024-01-01T00:00:00.000000+00:00' },
    content: `<@${BOT}> ${text}`,
    mentions: [{ id: BOT, username: 'genautoml', bot: true, discriminator: '0' }],
    mention_roles: [],
    mention_everyone: false,
    attachments: [],
    embeds: [],
    timestamp: '2026-01-01T00:00:00.000000+00:00',
    edited_timestamp: null,
    flags: 0,
    tts: false,
    pinned: false,
  };
}
