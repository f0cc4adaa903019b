/**
 * Webhook delivery in three wire formats: Slack incoming webhooks (`text` + Block Kit `blocks`),
 * Discord webhooks (`content` + `embeds`, images as multipart attachments) and plain JSON.
 * One attempt per call: retries with backoff belong to the notify queue, so a dead webhook costs
 * a retry slot, never a study's progress.
 */
import { GenAutoMLError } from '../errors.js';
import { renderPlainText, renderTextTable, type ChatMessage } from './message.js';

export type WebhookFormat = 'slack' | 'discord' | 'json';

export function detectWebhookFormat(url: string): WebhookFormat {
  const host = new URL(url).hostname;
  if (host === 'hooks.slack.com') return 'slack';
  if (/(^|\.)discord(app)?\.com$/.test(host) && new URL(url).pathname.includes('/webhooks/')) return 'discord';
  return 'json';
}

const TONE_COLOURS = { good: 0x2eb67d, warning: 0xecb22e, danger: 0xe01e5a, neutral: 0x4a90d9 } as const;

export function slackWebhookBody(msg: ChatMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: msg.title.slice(0, 150) } }];
  if (msg.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: msg.text.slice(0, 3000) } });
  if (msg.fields?.length) {
    blocks.push({ type: 'section', fields: msg.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${f.name}*\n${f.value}`.slice(0, 2000) })) });
  }
  if (msg.table) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + renderTextTable(msg.table).slice(0, 2900) + '```' } });
  if (msg.footer) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: msg.footer.slice(0, 2000) }] });
  return { text: `${msg.title}${msg.text ? ' — ' + msg.text : ''}`.slice(0, 3000), blocks };
}

export function discordWebhookBody(msg: ChatMessage): Record<string, unknown> {
  const description = [msg.text, msg.table ? '```\n' + renderTextTable(msg.table) + '\n```' : undefined].filter(Boolean).join('\n\n');
  const image = msg.images?.[0];
  const embed: Record<string, unknown> = {
    title: msg.title.slice(0, 256),
    description: description.slice(0, 4096),
    color: TONE_COLOURS[msg.tone ?? 'neutral'],
    fields: (msg.fields ?? []).slice(0, 25).map((f) => ({ name: f.name.slice(0, 256), value: f.value.slice(0, 1024), inline: true })),
    ...(msg.footer ? { footer: { text: msg.footer.slice(0, 2048) } } : {}),
    ...(image ? { image: { url: `attachment://${image.name}` } } : {}),
  };
  return { content: msg.title.slice(0, 2000), embeds: [embed] };
}

export function jsonWebhookBody(msg: ChatMessage, data: Record<string, unknown>): Record<string, unknown> {
  return { title: msg.title, text: renderPlainText(msg), ...data };
}

export interface DeliverOptions {
  timeoutMs: number;
  /** Structured facts for the plain JSON format. */
  data?: Record<string, unknown>;
  format?: WebhookFormat;
  fetchImpl?: typeof fetch;
}

export async function deliverWebhook(url: string, msg: ChatMessage, options: DeliverOptions): Promise<{ status: number; format: WebhookFormat }> {
  const format = options.format ?? detectWebhookFormat(url);
  const doFetch = options.fetchImpl ?? fetch;
  let init: RequestInit;
  if (format === 'discord' && msg.images?.length) {
    // Discord takes files as multipart parts next to a JSON `payload_json` part.
    const form = new FormData();
    const body = discordWebhookBody(msg);
    const images = msg.images.slice(0, 4);
    form.append('payload_json', JSON.stringify({ ...body, attachments: images.map((img, i) => ({ id: i, filename: img.name })) }));
    images.forEach((img, i) => form.append(`files[${i}]`, new Blob([new Uint8Array(img.png)], { type: 'image/png' }), img.name));
    init = { method: 'POST', body: form };
  } else {
    const body = format === 'slack' ? slackWebhookBody(msg) : format === 'discord' ? discordWebhookBody(msg) : jsonWebhookBody(msg, options.data ?? {});
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
  const redacted = redact(url);
  let res: Response;
  try {
    res = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new GenAutoMLError(timedOut ? 'notify.webhook_timeout' : 'notify.webhook_unreachable', `Webhook ${redacted} ${timedOut ? `did not answer within ${options.timeoutMs} ms` : `could not be reached: ${(err as Error).message}`}.`, {
      cause: err,
      hint: 'The delivery is retried with backoff; check the URL and that the receiver is up.',
    });
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    throw new GenAutoMLError('notify.webhook_rejected', `Webhook ${redacted} answered HTTP ${res.status}.`, {
      hint: res.status === 404 || res.status === 401 || res.status === 403 ? 'The webhook URL is wrong or was revoked; subscribe a new one.' : 'The delivery is retried with backoff.',
      details: { status: res.status },
    });
  }
  return { status: res.status, format };
}

/** Webhook URLs embed their secret in the path: never log it. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid url)';
  }
}
