/**
 * docs/configuration.md and deploy/.env.example are generated from SETTINGS: this fails when
 * either is out of date. Regenerate with
 *   GENAUTOML_WRITE_DOCS=1 npx vitest run tests/unit/docs/config-docs.test.ts
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../engine/config.js';
import { CONFIG_DOC, ENV_EXAMPLE, generate, GENERATED, renderConfigDocs, renderEnvExample } from '../../../scripts/gen-config-docs.js';

const WRITE = process.env.GENAUTOML_WRITE_DOCS === '1';
const ENVS = Object.values(SETTINGS).map((s) => s.env);

describe('generated configuration reference', () => {
  it('is in sync with engine/config.ts', () => {
    if (WRITE) generate(false);
    for (const g of GENERATED) {
      expect(fs.existsSync(g.file), `${g.file} is missing; regenerate it`).toBe(true);
      expect(fs.readFileSync(g.file, 'utf8'), `${g.file} is out of date; regenerate it (see this test's header)`).toBe(g.render());
    }
    expect(generate(true)).toEqual([]);
  });

  it('documents every setting once, with secrets marked', () => {
    const doc = renderConfigDocs();
    for (const [key, s] of Object.entries(SETTINGS)) {
      const rows = doc.split('\n').filter((l) => l.startsWith(`| \`${s.env}\``));
      expect(rows, `${key} (${s.env})`).toHaveLength(1);
      expect(rows[0]!.includes('(secret)')).toBe('secret' in s && s.secret === true);
    }
    expect(doc).toContain('| `GENAUTOML_WORKER_CONCURRENCY` | `1` |');
    expect(doc).toContain('| `GENAUTOML_HOME` | `~/.genautoml` |');
  });

  it('lists every setting in .env.example, sets no secret but the compose token, and nothing unknown', () => {
    const text = renderEnvExample();
    const assigned = text.split('\n').map((l) => /^#? ?([A-Z][A-Z0-9_]*)=/.exec(l)?.[1]).filter((v): v is string => v !== undefined);
    for (const env of ENVS) expect(assigned, env).toContain(env);
    const composeOnly = ['POSTGRES_PASSWORD', 'GENAUTOML_WORKER_REPLICAS', 'GENAUTOML_PUBLISH_PORT'];
    for (const v of assigned) expect([...ENVS, ...composeOnly], v).toContain(v);
    const active = text.split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => l.split('=')[0]);
    expect(active.sort()).toEqual([...composeOnly, 'GENAUTOML_HTTP_TOKEN', 'GENAUTOML_LOG_FORMAT', 'GENAUTOML_WORKER_CONCURRENCY'].sort());
    // The generated file is the one checked in.
    expect(fs.readFileSync(ENV_EXAMPLE, 'utf8')).toBe(text);
    expect(fs.readFileSync(CONFIG_DOC, 'utf8')).toBe(renderConfigDocs());
  });
});
