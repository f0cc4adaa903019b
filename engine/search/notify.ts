/**
 * The end of a study, told to whoever subscribed: one `notify` job per subscription, so a slow
 * or dead receiver only delays its own delivery (retried with backoff) and never the study.
 */
import type { App } from '../app.js';
import { GenAutoMLError } from '../errors.js';
import type { ChatMessage, MessageImage } from '../notify/message.js';
import { deliverWebhook, type WebhookFormat } from '../notify/webhook.js';
import type { StudyRecord } from '../../storage/studies.js';
import type { Subscription } from '../../storage/subscriptions.js';
import { createRoundRepo } from '../../storage/rounds.js';
import { doneResultOf, type LeaderboardRow } from './result.js';
import { studySpecSchema } from './spec.js';

export type StudyEvent = 'done' | 'failed' | 'cancelled' | 'round';

/** Deliverers for subscription kinds served by this process (bots add theirs). */
export type Deliverer = (sub: Subscription, message: ChatMessage, data: Record<string, unknown>) => Promise<void>;

export const NOTIFY_RETRY = { retryLimit: 5, retryDelaySeconds: 10 };

/** What announcing a study event uses of the App: the subscriptions and the queue to send on. */
export interface NotifyApp {
  subscriptions: Pick<App['subscriptions'], 'forStudy'>;
  queue: Pick<App['queue'], 'send'>;
}

export function notifyStudyEnd(app: NotifyApp, studyId: string, event: Exclude<StudyEvent, 'round'>): Promise<number> {
  return notifyStudyEvent(app, studyId, event);
}

/** The end of a study, or an architect round whose models joined it (`round` names which). */
export async function notifyStudyEvent(app: NotifyApp, studyId: string, event: StudyEvent, round?: number): Promise<number> {
  // One message per place: a study's own subscription and an every-study one can name the same
  // channel (Discord posts to the channel whatever the thread), and it must not hear twice.
  const places = new Set<string>();
  let sent = 0;
  for (const s of await app.subscriptions.forStudy(studyId)) {
    const place = deliveryPlace(s);
    if (places.has(place)) continue;
    places.add(place);
    await app.queue.send(queueFor(s), { studyId, subscriptionId: s.id, event, ...(round === undefined ? {} : { round }) }, NOTIFY_RETRY);
    sent++;
  }
  return sent;
}

/** Where a subscription's message lands, as the deliverers post it. */
export function deliveryPlace(s: Subscription): string {
  const t = s.target as { url?: string; team?: string; guild?: string; channel?: string; thread?: string | null };
  if (s.kind === 'webhook') return `webhook ${t.url ?? ''}`;
  if (s.kind === 'slack') return `slack ${t.team ?? ''}/${t.channel ?? ''}/${t.thread ?? ''}`;
  return `discord ${t.channel ?? ''}`;
}

/** Webhooks go to `notify`; bot subscriptions to their platform's queue, which only the bot consumes. */
export function queueFor(s: Subscription): 'notify' | 'notify_slack' | 'notify_discord' {
  return s.kind === 'slack' ? 'notify_slack' : s.kind === 'discord' ? 'notify_discord' : 'notify';
}

export async function deliverNotification(app: App, job: { studyId: string; subscriptionId: number; event: StudyEvent; round?: number | undefined }, deliverers: Partial<Record<Subscription['kind'], Deliverer>> = {}): Promise<void> {
  const sub = await app.subscriptions.get(job.subscriptionId);
  if (!sub) return; // unsubscribed meanwhile
  const study = await app.studies.get(job.studyId);
  const { message, data } = job.event === 'round' ? await roundMessage(app, study, job.round ?? 1) : await studyMessage(app, study, job.event);
  if (sub.kind === 'webhook') {
    const target = sub.target as { url: string; format?: WebhookFormat };
    await deliverWebhook(target.url, message, { timeoutMs: app.config.webhookTimeoutMs, data, ...(target.format ? { format: target.format } : {}) });
    return;
  }
  const deliver = deliverers[sub.kind];
  if (!deliver) throw new GenAutoMLError('notify.no_deliverer', `No ${sub.kind} bot runs in this process.`, { hint: `Start genautoml ${sub.kind} (or serve with its tokens set).` });
  await deliver(sub, message, data);
}

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

function testScore(r: LeaderboardRow): string {
  if (!r.test) return '—';
  return r.test.task === 'forecasting' ? fmt(r.test.mse) : fmt(r.test.rocAuc, 3);
}

/** An architect round's models joined the live study: which, derived from what, and what was turned away. */
export async function roundMessage(app: App, study: StudyRecord, round: number): Promise<{ message: ChatMessage; data: Record<string, unknown> }> {
  const spec = studySpecSchema.parse(study.spec);
  const row = await createRoundRepo(app.db).get(study.id, round);
  const added = row?.added ?? [];
  const describe = (name: string): string => {
    const c = spec.candidates.find((x) => x.name === name);
    const parents = c?.lineage?.parents ?? [];
    return `*${name}*${c?.lineage?.operation ? ` — ${c.lineage.operation}` : ''}${parents.length ? ` of ${parents.join(' + ')}` : ''}`;
  };
  const total = spec.request.architect?.rounds ?? round;
  return {
    message: {
      title: added.length ? `Search ${study.id}: round ${round} of ${total} added ${added.length} model${added.length === 1 ? '' : 's'}` : `Search ${study.id}: round ${round} of ${total} added no model`,
      text: [
        ...(added.length ? [`Joined the running study (each gets its first trial next): ${added.map(describe).join('; ')}.`] : []),
        ...(row?.rejected.length ? [`Turned away: ${row.rejected.map((r) => `${r.name ?? 'a proposal'} (${r.reason})`).join('; ')}.`] : []),
        ...(row?.state === 'failed' ? [`The round failed: ${(row.error as { message?: string } | null)?.message ?? 'unknown error'}.`] : []),
      ].join('\n') || 'No proposal this round.',
      fields: [{ name: 'Dataset', value: spec.datasetName }],
      footer: `search_status ${study.id} follows it.`,
      tone: added.length ? 'good' : 'warning',
    },
    data: { studyId: study.id, event: 'round', round, added, rejected: row?.rejected ?? [] },
  };
}

export async function studyMessage(app: App, study: StudyRecord, event: Exclude<StudyEvent, 'round'>): Promise<{ message: ChatMessage; data: Record<string, unknown> }> {
  const spec = studySpecSchema.parse(study.spec);
  const task = `${spec.request.task} (L=${spec.request.lookback}, H=${spec.request.horizon})`;
  const base = { studyId: study.id, event, dataset: spec.datasetName, datasetId: study.datasetId, task: spec.request.task, lookback: spec.request.lookback, horizon: spec.request.horizon };
  if (event !== 'done' || !study.result) {
    const error = study.error as { message?: string; hint?: string } | null;
    return {
      message: {
        title: event === 'cancelled' ? `Search ${study.id} was cancelled` : `Search ${study.id} failed`,
        text: event === 'cancelled' ? 'No model was selected.' : `${error?.message ?? 'unknown error'}${error?.hint ? `\n${error.hint}` : ''}`,
        fields: [
          { name: 'Dataset', value: spec.datasetName },
          { name: 'Task', value: task },
        ],
        footer: `search_status ${study.id} shows every trial.`,
        tone: event === 'cancelled' ? 'warning' : 'danger',
      },
      data: { ...base, error: study.error },
    };
  }
  const result = doneResultOf(study);
  const best = result.best;
  const forecasting = spec.request.task === 'forecasting';
  const images: MessageImage[] = [];
  for (const name of result.charts.slice(0, 1)) {
    const link = await app.artifacts.findLink('study', study.id, name);
    if (link) images.push({ name: name.replace(/^charts\//, ''), title: 'Leaderboard', png: await app.artifacts.get(link.sha256) });
  }
  const testText = best.test
    ? best.test.task === 'forecasting'
      ? `test MSE ${fmt(best.test.mse)} · MAE ${fmt(best.test.mae)} (scaled)`
      : `ROC-AUC ${fmt(best.test.rocAuc, 3)} · PR-AUC ${fmt(best.test.prAuc, 3)} · F1 ${fmt(best.test.bestF1, 3)}`
    : 'test evaluation failed';
  return {
    message: {
      title: `Search ${study.id} finished: ${best.arch} wins`,
      text: best.ensemble
        ? `Best by validation: *ensemble* of ${best.ensemble.members.map((m) => `${m.arch} (trial ${m.trial}) × ${fmt(m.weight, 2)}`).join(' + ')} (held-out val MAE ${fmt(best.causalValLoss ?? Number.NaN)}); ${testText}.`
        : `Best by validation: *${best.arch}* (trial ${best.trial}, val ${forecasting ? 'MAE' : 'MSE'} ${fmt(best.valLoss)}); ${testText}.`,
      fields: [
        { name: 'Dataset', value: spec.datasetName },
        { name: 'Task', value: task },
        { name: 'Trials', value: Object.entries(result.counts).map(([k, v]) => `${v} ${k}`).join(', ') },
        { name: 'Parameters', value: best.modelParams === null ? '—' : best.modelParams.toLocaleString('en-US') },
        { name: 'Latency', value: best.latency ? `${fmt(best.latency.batch1MsPerSample, 3)} ms/sample (batch 1)` : '—' },
      ],
      table: {
        columns: ['#', 'model', forecasting ? 'val MAE' : 'val MSE', forecasting ? 'test MSE' : 'ROC-AUC', 'params'],
        rows: result.leaderboard.slice(0, 5).map((r) => [String(r.rank), r.arch, fmt(r.valLoss), testScore(r), r.modelParams === null ? '—' : String(r.modelParams)]),
      },
      images,
      footer: `Get the model: export_model ${study.id} (files: ${result.export?.files.map((f) => f.name).join(', ') || 'export failed'})`,
      buttons: [
        { label: 'Benchmark', command: `benchmark ${study.id}` },
        { label: 'Export', command: `export ${study.id}` },
        { label: 'Evolve', command: `evolve ${study.id}` },
      ],
      tone: 'good',
    },
    data: { ...base, best, leaderboard: result.leaderboard.slice(0, 5), counts: result.counts },
  };
}
