/**
 * Architect rounds inside a live study, on the real queue, runner and PyTorch: the offline
 * architect mutates its templates from the leaderboard with no key, and an LLM (a local
 * OpenAI-compatible server playing a scripted model) gets the same brief in its prompt. Each
 * round's models join the running study, get their coverage trial and appear on the board with
 * their lineage; a proposal that is the same model under other names is turned away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerSearchWorkers } from '../../../engine/search/worker.js';
import { startStudy, studyStatus } from '../../../engine/search/service.js';
import { studySpecSchema } from '../../../engine/search/spec.js';
import { createRoundRepo } from '../../../storage/rounds.js';
import { completion, startChatServer, type ChatServer } from '../../fixtures/architect/chat-server.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { loadSynthetic } from '../../helpers/data.js';
import { DB_MODE } from '../../helpers/db.js';
import { until } from '../../helpers/wait.js';

const BASE = { lookback: 24, horizon: 8, candidates: ['dlinear', 'nlinear'], maxTrials: 2, epochs: 1, patience: 1, parallelism: 2, sampler: 'random' as const, pruner: 'none' as const, seed: 5, topK: 1 };

async function runToEnd(t: TestApp, id: string) {
  return until(() => studyStatus(t.app, id), (s) => ['done', 'failed', 'cancelled'].includes(s.state), 600_000, 'the study to end');
}

const lineage = z.object({ parents: z.array(z.string()), round: z.number().nullable() }).nullable();
const boardSchema = z.object({
  leaderboard: z.array(z.object({ arch: z.string(), origin: z.object({ kind: z.string(), source: z.string(), lineage }) })),
  unranked: z.array(z.object({ arch: z.string(), kind: z.string(), source: z.string(), lineage })),
});

describe(`architect rounds on ${DB_MODE}`, () => {
  describe('offline architect', () => {
    let t: TestApp;
    let dataset: string;
    const abort = new AbortController();
    beforeAll(async () => {
      t = await createTestApp({ startQueue: true });
      dataset = await loadSynthetic(t.app, { rows: 500, features: 2 });
      await registerSearchWorkers(t.app, { concurrency: 2, pollingIntervalSeconds: 0.5, signal: abort.signal });
    }, 120_000);
    afterAll(async () => {
      abort.abort();
      await t?.dispose();
    });

    it('runs two rounds: each proposes from the leaderboard, its model joins the live study, is trained and shown with its parents', async () => {
      const study = await startStudy(t.app, { dataset, ...BASE, architect: { rounds: 2, modelsPerRound: 1, maxIterations: 2 } }, { origin: 'test' });
      const status = await runToEnd(t, study.id);
      expect(status.state).toBe('done');

      const rounds = await createRoundRepo(t.app.db).list(study.id);
      expect(rounds.map((r) => [r.round, r.state])).toEqual([
        [1, 'done'],
        [2, 'done'],
      ]);
      const added = rounds.flatMap((r) => r.added);
      expect(added.length).toBeGreaterThanOrEqual(1);
      const spec = studySpecSchema.parse((await t.app.studies.get(study.id)).spec);
      const trials = await t.app.studies.trials(study.id);
      for (const name of added) {
        const c = spec.candidates.find((x) => x.name === name);
        expect(c).toMatchObject({ late: true, source: 'architect', kind: 'generated' });
        expect(c?.lineage?.round).toBeGreaterThanOrEqual(1);
        // Every added model got its coverage trial, on top of the two-trial budget.
        expect(trials.filter((tr) => tr.params.arch === name).length).toBeGreaterThanOrEqual(1);
        // The registry keeps the lineage (get_model shows it).
        const m = await t.app.models.get(name);
        expect(m.lineage).toMatchObject({ study: study.id, round: c?.lineage?.round });
        expect(m.code).toMatch(/^# Family: \w+/m);
      }
      expect(trials.length).toBe(2 + added.length);
      // Round 1 saw both baselines' results, so its model derives from the best of them.
      const first = spec.candidates.find((x) => x.name === rounds[0]?.added[0]);
      if (first?.lineage?.operation !== 'new') expect(['dlinear', 'nlinear']).toContain(first?.lineage?.parents[0]);

      const result = boardSchema.parse(status.result);
      const shown = [...result.leaderboard.map((r) => ({ arch: r.arch, ...r.origin })), ...result.unranked];
      for (const name of added) expect(shown.find((r) => r.arch === name)).toMatchObject({ source: 'architect', lineage: { round: expect.any(Number) } });
    }, 900_000);
  });

  describe('scripted LLM', () => {
    let t: TestApp;
    let llm: ChatServer;
    let dataset: string;
    const abort = new AbortController();
    const MODEL = [
      '```python',
      '# Name: TrendSkip',
      'import torch',
      'import torch.nn as nn',
      '',
      'class Model(nn.Module):',
      '    """A linear map over time plus a learned level skip."""',
      '    def __init__(self, seq_len, pred_len, enc_in, hidden=16):',
      '        super().__init__()',
      '        self.proj = nn.Linear(seq_len, pred_len)',
      '        self.skip = nn.Parameter(torch.zeros(enc_in))',
      '',
      '    def forward(self, x):',
      '        y = self.proj(x.transpose(1, 2)).transpose(1, 2)',
      '        return y + self.skip * x[:, -1:, :]',
      '',
      'SEARCH_SPACE = {"hidden": [8, 16]}',
      '```',
    ].join('\n');
    // The same model with other names, comments and docstring: not novel.
    const TWIN = MODEL.replace('# Name: TrendSkip', '# Name: LevelLinear').replace(/self\.proj/g, 'self.time_map').replace(/\by\b/g, 'out').replace('A linear map over time plus a learned level skip.', 'Brand new idea.');

    beforeAll(async () => {
      llm = await startChatServer([{ body: completion(`Mutation of dlinear.\n${MODEL}`) }, { body: completion(`A recombination.\n${TWIN}`) }]);
      t = await createTestApp({ startQueue: true, env: { GENAUTOML_LLM_BASE_URL: `${llm.url}/v1`, GENAUTOML_LLM_MODEL: 'scripted' } });
      dataset = await loadSynthetic(t.app, { rows: 500, features: 2 });
      await registerSearchWorkers(t.app, { concurrency: 2, pollingIntervalSeconds: 0.5, signal: abort.signal });
    }, 120_000);
    afterAll(async () => {
      abort.abort();
      await t?.dispose();
      await llm?.close();
    });

    it('sends the leaderboard brief and the best code to the LLM, injects its model and turns away its renamed twin', async () => {
      const study = await startStudy(t.app, { dataset, ...BASE, architect: { rounds: 1, modelsPerRound: 2, request: 'keep it linear', maxIterations: 1 } }, { origin: 'test' });
      const status = await runToEnd(t, study.id);
      expect(status.state).toBe('done');

      const prompts = llm.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => JSON.stringify((r.body as { messages: unknown[] }).messages));
      expect(prompts).toHaveLength(2);
      const trials = await t.app.studies.trials(study.id);
      const baseline = trials.filter((tr) => tr.state === 'complete').map((tr) => tr.value as number);
      expect(prompts[0]).toContain('Leaderboard so far');
      for (const arch of ['dlinear', 'nlinear']) expect(prompts[0]).toContain(arch);
      // The real numbers, the best model's code and the user's steering request are in the prompt.
      expect(prompts[0]).toContain(Math.min(...baseline).toFixed(4));
      expect(prompts[0]).toContain('class Model');
      expect(prompts[0]).toContain('keep it linear');
      expect(prompts[1]).toContain('Already proposed this round');

      const [round] = await createRoundRepo(t.app.db).list(study.id);
      expect(round?.added).toEqual(['TrendSkip']);
      expect(round?.rejected).toEqual([{ name: 'LevelLinear', reason: expect.stringMatching(/not novel.*TrendSkip/) }]);
      const mine = trials.filter((tr) => tr.params.arch === 'TrendSkip');
      expect(mine.length).toBe(1);
      expect(['complete', 'pruned']).toContain(mine[0]?.state);
      const result = boardSchema.parse(status.result);
      const row = result.leaderboard.find((r) => r.arch === 'TrendSkip');
      expect(row?.origin).toMatchObject({ kind: 'generated', source: 'architect', lineage: { round: 1, parents: [expect.stringMatching(/linear/)] } });
    }, 900_000);
  });
});
