/**
 * The hostile corpus (tests/fixtures/hostile): every source is refused or contained with a
 * clear message, the client keeps validating good models afterwards, and nothing outside the
 * scratch directory changes (canary files, host paths the code tried to create).
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerPythonDir } from '../../../engine/runner/sandbox.js';
import type { ValidationReport } from '../../../engine/runner/types.js';
import { FIXTURES, makeClient, model, tmp, removeTmp } from './helpers.js';

interface Expect {
  stage?: string | string[];
  match?: string;
  ok?: boolean;
  timeoutS?: number;
  hostAbsent?: string[];
  contained?: boolean;
}
const dir = path.join(FIXTURES, 'hostile');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, { policy: Expect; os?: Expect }>;
const files = readdirSync(dir).filter((f) => f.endsWith('.py'));
const dims = { task: 'forecasting' as const, lookback: 24, horizon: 6, nFeatures: 3 };

const client = makeClient({ validatePoolSize: 2, runnerMemoryMb: 3072 });
const canaryDir = tmp('canary');
const canary = path.join(canaryDir, 'canary.txt');
const source = (f: string): string =>
  readFileSync(path.join(dir, f), 'utf8').replaceAll('CANARY_PATH', canary).replaceAll('RUNNER_DIR', runnerPythonDir());

beforeAll(() => writeFileSync(canary, 'untouched'));
afterAll(async () => {
  await client.close();
  removeTmp();
});

function check(r: ValidationReport, e: Expect): void {
  if (e.ok) {
    expect(r.ok, `${r.stage}: ${r.message}`).toBe(true);
  } else if (e.contained) {
    expect(typeof r.message).toBe('string');
  } else {
    expect(r.ok).toBe(false);
    const stages = Array.isArray(e.stage) ? e.stage : [e.stage];
    expect(stages, r.message).toContain(r.stage);
  }
  if (e.match) expect(r.message).toMatch(new RegExp(e.match, 'm'));
  for (const p of e.hostAbsent ?? []) expect(existsSync(p), `${p} must not exist on the host`).toBe(false);
  expect(readFileSync(canary, 'utf8')).toBe('untouched');
}

describe('hostile corpus', () => {
  it('has at least 25 sources, each with an expected outcome', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const f of files) expect(expected[f], f).toBeDefined();
  });

  it.each(files)('%s (static policy on)', async (f) => {
    const e = expected[f]!.policy;
    const r = await client.validate(source(f), dims, e.timeoutS ? { timeoutS: e.timeoutS } : {});
    check(r, e);
    expect(r.sandboxed).toBe(true);
    if (r.stage === 'policy') {
      expect(r.violations.length).toBeGreaterThan(0);
      expect(r.violations[0]!.line).toBeGreaterThan(0);
    }
  }, 120_000);

  const osCases = files.filter((f) => expected[f]!.os);
  it.each(osCases)('%s (policy off: the OS layer contains it)', async (f) => {
    const e = expected[f]!.os!;
    const r = await client.validate(source(f), dims, { policy: false, ...(e.timeoutS ? { timeoutS: e.timeoutS } : {}) });
    check(r, e);
  }, 120_000);

  it('still validates good models afterwards, and the canary is untouched', async () => {
    const r = await client.validate(model('linear.py'), dims);
    expect(r.ok, `${r.stage}: ${r.message}\n${r.traceback ?? ''}`).toBe(true);
    expect(readFileSync(canary, 'utf8')).toBe('untouched');
    expect(statSync(canaryDir).isDirectory()).toBe(true);
    expect(readdirSync(canaryDir)).toEqual(['canary.txt']);
  });
});
