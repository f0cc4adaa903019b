import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../engine/notify/message.js';
import { deliverWebhook, detectWebhookFormat, redact } from '../../../engine/notify/webhook.js';
import { startTestServer, type TestServer } from '../../helpers/http.js';

const msg: ChatMessage = {
  title: 'Search st_1 finished',
  text: 'Best: *dlinear* (val MAE 0.412)',
  fields: [{ name: 'Dataset', value: 'ETTh1' }],
  table: { columns: ['#', 'model', 'val MAE'], rows: [['1', 'dlinear', '0.412'], ['2', 'patchtst', '0.420']] },
  images: [{ name: 'leaderboard.png', title: 'Leaderboard', png: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }],
  footer: 'export_model st_1',
  tone: 'good',
};

describe('webhooks', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  it('detects the format from the URL', () => {
    expect(detectWebhookFormat('https://hooks.slack.com/services/T/B/x')).toBe('slack');
    expect(detectWebhookFormat('https://discord.com/api/webhooks/1/abc')).toBe('discord');
    expect(detectWebhookFormat('https://example.org/hook')).toBe('json');
    expect(redact('https://hooks.slack.com/services/T/B/secret')).not.toContain('secret');
  });

  it('posts Slack Block Kit with a text fallback', async () => {
    server = await startTestServer((_req, res) => res.end('ok'));
    await deliverWebhook(server.url + '/slack', msg, { timeoutMs: 2000, format: 'slack' });
    const body = JSON.parse(server.requests[0]!.body.toString());
    expect(body.text).toContain('Search st_1 finished');
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Search st_1 finished' } });
    expect(JSON.stringify(body.blocks)).toContain('patchtst');
  });

  it('posts Discord embeds with the chart as a multipart attachment', async () => {
    server = await startTestServer((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    await deliverWebhook(server.url + '/api/webhooks/1/x', msg, { timeoutMs: 2000, format: 'discord' });
    const req = server.requests[0]!;
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const raw = req.body.toString('latin1');
    expect(raw).toContain('name="payload_json"');
    expect(raw).toContain('name="files[0]"; filename="leaderboard.png"');
    const payload = JSON.parse(raw.split('name="payload_json"')[1]!.split('\r\n\r\n')[1]!.split('\r\n--')[0]!);
    expect(payload.embeds[0].image.url).toBe('attachment://leaderboard.png');
    expect(payload.embeds[0].color).toBe(0x2eb67d);
  });

  it('posts plain JSON with structured data', async () => {
    server = await startTestServer((_req, res) => res.end());
    await deliverWebhook(server.url + '/hook', msg, { timeoutMs: 2000, data: { studyId: 'st_1', best: { arch: 'dlinear' } } });
    const body = JSON.parse(server.requests[0]!.body.toString());
    expect(body.studyId).toBe('st_1');
    expect(body.text).toContain('dlinear');
  });

  it('reports a rejecting, a dead and a hanging webhook with distinct codes', async () => {
    server = await startTestServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.statusCode = 500;
      res.end();
    });
    await expect(deliverWebhook(server.url + '/x', msg, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'notify.webhook_rejected' });
    await expect(deliverWebhook(server.url + '/hang', msg, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'notify.webhook_timeout' });
    await expect(deliverWebhook('http://127.0.0.1:1/x', msg, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'notify.webhook_unreachable' });
  });
});
