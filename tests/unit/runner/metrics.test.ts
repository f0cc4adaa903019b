/** Detection metrics (numpy, in the runner) against small hand-computed cases. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runnerPythonDir } from '../../../engine/runner/sandbox.js';

type Case = { scores: number[]; labels: number[] };
interface Out {
  roc: number | null;
  pr: number | null;
  f1: [number | null, number | null];
}

function metrics(cases: Case[]): Out[] {
  const script = `import json,sys\nimport numpy as np\nsys.path.insert(0, ${JSON.stringify(runnerPythonDir())})\nfrom genautoml_runner import metrics as m\nout=[]\nfor c in json.load(sys.stdin):\n    s=np.array(c['scores'],dtype=float); y=np.array(c['labels'])\n    out.append({'roc':m.roc_auc(s,y),'pr':m.pr_auc(s,y),'f1':list(m.best_f1(s,y))})\nprint(json.dumps(out))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-I', '-c', script], { input: JSON.stringify(cases), encoding: 'utf8' })) as Out[];
}

describe('detection metrics', () => {
  const [basic, perfect, inverted, ties, allNeg, fault] = metrics([
    { scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1] },
    { scores: [0.1, 0.2, 0.9, 0.8], labels: [0, 0, 1, 1] },
    { scores: [0.9, 0.8, 0.1, 0.2], labels: [0, 0, 1, 1] },
    { scores: [0.5, 0.5, 0.5, 0.5], labels: [0, 1, 0, 1] },
    { scores: [0.1, 0.2], labels: [0, 0] },
    // one 3-row fault, partially detected: no point adjustment, so recall counts rows
    { scores: [0, 0, 0, 5, 5, 0.1, 0, 0, 0, 0], labels: [0, 0, 0, 1, 1, 1, 0, 0, 0, 0] },
  ]);

  it('ROC-AUC is the Mann-Whitney statistic with averaged ties', () => {
    // pairs (pos, neg): (0.35 vs 0.1 ✓, 0.35 vs 0.4 ✗, 0.8 vs both ✓) = 3/4
    expect(basic!.roc).toBeCloseTo(0.75, 12);
    expect(perfect!.roc).toBe(1);
    expect(inverted!.roc).toBe(0);
    expect(ties!.roc).toBeCloseTo(0.5, 12);
    expect(allNeg!.roc).toBeNull();
  });

  it('PR-AUC is average precision over distinct thresholds', () => {
    // thresholds 0.8 (P=1, R=.5), 0.4 (P=.5, R=.5), 0.35 (P=2/3, R=1): AP = .5·1 + .5·2/3
    expect(basic!.pr).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    expect(perfect!.pr).toBeCloseTo(1, 12);
    expect(ties!.pr).toBeCloseTo(0.5, 12);
  });

  it('best F1 scans every threshold without point adjustment', () => {
    expect(basic!.f1[0]).toBeCloseTo(0.8, 12); // threshold 0.35: P=2/3, R=1
    expect(basic!.f1[1]).toBeCloseTo(0.35, 12);
    // threshold 5: TP=2, FP=0, FN=1 → F1 = 4/5; threshold 0.1: TP=3, FP=0 → F1 = 1
    expect(fault!.f1[0]).toBeCloseTo(1, 12);
    expect(fault!.f1[1]).toBeCloseTo(0.1, 12);
    expect(allNeg!.f1[0]).toBeNull();
  });
});
