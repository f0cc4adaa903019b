/**
 * Architect rounds inside a live study on ETTh1 (L=96, H=96), two trial slots on the embedded
 * database, a fixed wall-clock budget (15 minutes; GENAUTOML_BENCH_ARCHITECT_MINUTES to change it).
 * The architect is whichever the environment configures — with no key, the offline architect,
 * which mutates its template families from the leaderboard. Candidates are the light baselines
 * (every baseline's coverage trial would eat most of the budget on two cores), so rounds start
 * early; each round's models join the running study and get their coverage trial.
 *
 * Reported honestly either way: how many generated models were trained, and whether the best of
 * them beat the best baseline — on validation (what selects) and, for the evaluated top K, on test.
 */
import { z } from 'zod';
import { resolveLlmProvider } from '../engine/config.js';
import { studySpecSchema } from '../engine/search/spec.js';
import type { SearchRequest } from '../engine/search/spec.js';
import { runStudy, withEtth1App } from './study.js';
import type { BenchResult } from './types.js';

const BASELINES = ['dlinear', 'nlinear', 'rlinear', 'sparsetsf'];

/** The parts of a stored study result this bench reads. */
const resultSchema = z.object({
  leaderboard: z.array(
    z.object({
      arch: z.string(),
      valLoss: z.number(),
      causalValLoss: z.number().nullable().optional(),
      test: z.object({ mse: z.number().optional() }).passthrough().nullable(),
    }),
  ),
  best: z.object({ arch: z.string() }),
});

export default async function (): Promise<BenchResult[]> {
  const minutes = Number(process.env.GENAUTOML_BENCH_ARCHITECT_MINUTES ?? 15);
  return withEtth1App(2, async (app, dataset) => {
    const request: SearchRequest = {
      dataset, lookback: 96, horizon: 96, candidates: BASELINES, maxMinutes: minutes, sampler: 'tpe', pruner: 'median', parallelism: 2,
      epochs: 10, patience: 3, seed: 0, topK: 3, revin: 'search', architect: { rounds: 3, modelsPerRound: 2, maxIterations: 3 },
    };
    const { wallS, studyId } = await runStudy(app, request);
    const study = await app.studies.get(studyId);
    const spec = studySpecSchema.parse(study.spec);
    const generated = new Set(spec.candidates.filter((c) => c.source === 'architect').map((c) => c.name));
    const trials = await app.studies.trials(studyId);
    const trained = new Set(trials.filter((t) => t.state === 'complete' && generated.has(String(t.params.arch))).map((t) => String(t.params.arch)));
    const parsed = resultSchema.safeParse(study.result);
    const board = parsed.success ? parsed.data.leaderboard : [];
    const bestOf = (names: (arch: string) => boolean) => board.filter((r) => names(r.arch)).sort((a, b) => a.valLoss - b.valLoss)[0];
    const gen = bestOf((a) => generated.has(a));
    const base = bestOf((a) => BASELINES.includes(a));
    const genTest = gen?.test?.mse;
    const baseTest = base?.test?.mse;
    const load = (await import('node:os')).loadavg()[0]!;
    return [
      {
        name: `search/etth1-${minutes}min-architect`,
        metrics: {
          wall_s: wallS,
          trials: trials.length,
          generated_models: generated.size,
          generated_trained: trained.size,
          best_generated_val: gen?.valLoss ?? NaN,
          best_baseline_val: base?.valLoss ?? NaN,
          generated_beats_baseline_val: gen && base && gen.valLoss < base.valLoss ? 1 : 0,
          ...(genTest !== undefined ? { best_generated_test_mse: genTest } : {}),
          ...(baseTest !== undefined ? { best_baseline_test_mse: baseTest } : {}),
        },
        target: 'generated_trained >= 3 (whether one beats the best baseline is reported, not a target)',
        pass: trained.size >= 3,
        notes:
          `study ${study.state}; winner ${parsed.success ? parsed.data.best.arch : 'none'}; generated: ${[...generated].join(', ') || 'none'}; ` +
          `best generated ${gen?.arch ?? '-'} vs best baseline ${base?.arch ?? '-'}` +
          (genTest === undefined || baseTest === undefined ? ' (test MSE only for the evaluated top 3)' : '') +
          `; architect ${resolveLlmProvider(app.config)}; load ${load.toFixed(1)} at the end`,
      },
    ];
  });
}
