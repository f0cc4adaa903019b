/**
 * The deployment files, checked without a Docker engine (none runs on the development machine):
 * a structural check of deploy/docker-compose.yml, `docker compose config` when the compose
 * plugin is installed, and a small Dockerfile lint (pinned bases, multi-stage, non-root,
 * HEALTHCHECK, apt hygiene, every runtime asset copied).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/app.js';

const DEPLOY = path.join(ROOT, 'deploy');
const require = createRequire(import.meta.url);
// js-yaml comes with eslint's dependencies; the lead may add it as a devDependency.
const yaml = require('js-yaml') as { load(text: string): unknown };

type Obj = Record<string, unknown>;
const compose = yaml.load(fs.readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8')) as Obj;
const services = compose.services as Record<string, Obj>;
const GENAUTOML_SERVICES = ['serve', 'worker', 'worker-gpu', 'slack', 'discord'];
const envExample = fs.readFileSync(path.join(DEPLOY, '.env.example'), 'utf8');

function composeAvailable(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

describe('docker-compose.yml', () => {
  it('has PostgreSQL with a volume and a healthcheck, and pinned images', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:\d+(\.\d+)*-/);
    expect(pg.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^pgdata:\/var\/lib\/postgresql\/data$/)]));
    expect((pg.healthcheck as Obj).test).toEqual(expect.arrayContaining([expect.stringContaining('pg_isready')]));
    for (const [name, s] of Object.entries(services)) {
      expect(String(s.image), name).toMatch(/:[^:]*\d/);
      expect(String(s.image), name).not.toMatch(/:latest$/);
    }
  });

  it('runs every genautoml service against PostgreSQL once it is healthy', () => {
    for (const name of GENAUTOML_SERVICES) {
      const s = services[name]!;
      expect(s, name).toBeDefined();
      expect((s.depends_on as Obj).postgres, name).toEqual({ condition: 'service_healthy' });
      expect(String((s.environment as Obj).DATABASE_URL), name).toMatch(/^postgres:\/\/genautoml:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/genautoml$/);
      expect(s.stop_grace_period, name).toBeDefined();
      expect(s.security_opt, name).toEqual(expect.arrayContaining(['seccomp=unconfined']));
    }
  });

  it('serves HTTP MCP with a readiness healthcheck, N workers, GPU workers and bots under profiles', () => {
    expect(services.serve!.command).toEqual(['serve']);
    expect(services.serve!.ports).toEqual([expect.stringMatching(/:8787$/)]);
    expect(JSON.stringify((services.serve!.healthcheck as Obj).test)).toContain('/readyz');
    expect(services.worker!.command).toEqual(['worker']);
    expect((services.worker!.deploy as Obj).replicas).toMatch(/GENAUTOML_WORKER_REPLICAS/);
    expect(services.worker!.profiles).toBeUndefined();

    const gpu = services['worker-gpu']!;
    expect(gpu.profiles).toEqual(['gpu']);
    expect((gpu.build as Obj).dockerfile).toBe('deploy/Dockerfile.worker-cuda');
    expect((gpu.environment as Obj).GENAUTOML_DEVICE).toBe('cuda');
    const devices = (((gpu.deploy as Obj).resources as Obj).reservations as Obj).devices as Obj[];
    expect(devices[0]).toMatchObject({ driver: 'nvidia', capabilities: ['gpu'] });

    expect(services.slack).toMatchObject({ profiles: ['slack'], command: ['slack'] });
    expect(services.discord).toMatchObject({ profiles: ['discord'], command: ['discord'] });
  });

  it('declares every named volume it mounts and takes every interpolated variable from .env.example', () => {
    const declared = Object.keys(compose.volumes as Obj);
    for (const [name, s] of Object.entries(services)) {
      for (const v of (s.volumes as string[] | undefined) ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared, `${name} mounts ${source}`).toContain(source);
      }
    }
    const text = fs.readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8');
    const vars = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}/g)].map((m) => m[1]!));
    for (const v of vars) expect(envExample, v).toMatch(new RegExp(`^#? ?${v}=`, 'm'));
  });

  it.skipIf(!composeAvailable())('passes `docker compose config`', () => {
    execFileSync('docker', ['compose', '-f', path.join(DEPLOY, 'docker-compose.yml'), '--env-file', path.join(DEPLOY, '.env.example'), '--profile', 'gpu', '--profile', 'slack', '--profile', 'discord', 'config', '--quiet'], { stdio: 'pipe' });
  });
});

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(file: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  let buf = '';
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (buf === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (buf === '') start = i + 1;
    if (line.trim().startsWith('#')) return;
    buf += (buf ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      const m = /^(\w+)\s+(.*)$/.exec(buf);
      if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]!, line: start });
      buf = '';
    }
  });
  return out;
}

function lint(file: string): string[] {
  const ins = instructions(file);
  const problems: string[] = [];
  const args = new Map<string, string>();
  for (const i of ins) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(i.args);
    if (i.op === 'ARG' && m) args.set(m[1]!, m[2]!);
  }
  const froms = ins.filter((i) => i.op === 'FROM');
  if (froms.length < 2) problems.push('not multi-stage');
  const stages = new Set<string>();
  for (const f of froms) {
    const [ref, , alias] = f.args.split(/\s+/);
    const image = ref!.replace(/^\$\{?(\w+)\}?$/, (_, a: string) => args.get(a) ?? '');
    if (!stages.has(ref!)) {
      if (!/:[^:@]*\d[^:@]*(@sha256:[0-9a-f]{64})?$/.test(image) && !/@sha256:[0-9a-f]{64}$/.test(image)) problems.push(`line ${f.line}: FROM ${image || ref} is not pinned to a version`);
      if (/:latest\b/.test(image)) problems.push(`line ${f.line}: FROM uses :latest`);
    }
    if (alias) stages.add(alias);
  }
  const users = ins.filter((i) => i.op === 'USER');
  const lastUser = users.at(-1)?.args.split(':')[0];
  if (!lastUser || lastUser === 'root' || lastUser === '0') problems.push('the final stage does not switch to a non-root USER');
  const lastFrom = ins.lastIndexOf(froms.at(-1)!);
  if (!ins.slice(lastFrom).some((i) => i.op === 'USER')) problems.push('no USER in the final stage');
  if (!ins.some((i) => i.op === 'HEALTHCHECK' && /CMD/.test(i.args))) problems.push('no HEALTHCHECK');
  for (const i of ins.filter((x) => x.op === 'RUN')) {
    if (/apt-get install/.test(i.args)) {
      if (!/--no-install-recommends/.test(i.args)) problems.push(`line ${i.line}: apt-get install without --no-install-recommends`);
      if (!/\s-y\b|--yes/.test(i.args)) problems.push(`line ${i.line}: apt-get install without -y`);
      if (!/apt-get update/.test(i.args)) problems.push(`line ${i.line}: apt-get install without apt-get update in the same RUN`);
      if (!/rm -rf \/var\/lib\/apt\/lists/.test(i.args)) problems.push(`line ${i.line}: apt lists not removed in the same RUN`);
    } else if (/apt-get update/.test(i.args)) problems.push(`line ${i.line}: apt-get update alone in a RUN`);
    if (/\bsudo\b/.test(i.args)) problems.push(`line ${i.line}: sudo`);
    if (/curl[^|]*\|\s*(ba)?sh/.test(i.args)) problems.push(`line ${i.line}: pipes a download into a shell`);
  }
  for (const i of ins.filter((x) => x.op === 'ADD')) if (/https?:\/\//.test(i.args)) problems.push(`line ${i.line}: ADD from a URL`);
  for (const op of ['ENTRYPOINT', 'CMD']) {
    const i = ins.filter((x) => x.op === op).at(-1);
    if (i && !i.args.startsWith('[')) problems.push(`line ${i.line}: ${op} not in exec form`);
  }
  for (const i of ins.filter((x) => x.op === 'COPY' && !/--from=/.test(x.args))) {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) if (!fs.existsSync(path.join(ROOT, src))) problems.push(`line ${i.line}: COPY source ${src} does not exist`);
  }
  return problems;
}

/** Directories of non-TypeScript files the runtime needs (see engine/paths.ts). */
function assetDirs(): string[] {
  const dirs = new Set<string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__pycache__') walk(r);
      } else if (!e.name.endsWith('.ts') && !e.name.endsWith('.md') && !e.name.endsWith('.pyc')) dirs.add(rel);
    }
  };
  for (const top of ['engine', 'storage']) walk(top);
  return [...dirs];
}

describe.each(['Dockerfile', 'Dockerfile.worker-cuda'])('deploy/%s', (name) => {
  const file = path.join(DEPLOY, name);
  const ins = instructions(file);
  const text = ins.map((i) => `${i.op} ${i.args}`).join('\n');

  it('passes the lint', () => {
    expect(lint(file)).toEqual([]);
  });

  it('builds with npm ci and tsc, and copies every runtime asset into the final stage', () => {
    expect(text).toMatch(/RUN npm ci\b/);
    expect(text).toMatch(/npm run build/);
    expect(text).toMatch(/npm prune --omit=dev/);
    const copied = ins.filter((i) => i.op === 'COPY' && /--from=build/.test(i.args)).flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1).map((a) => a.replace(/^\/src\//, '')));
    for (const dir of assetDirs()) expect(copied.some((c) => dir === c || dir.startsWith(`${c}/`)), `${dir} is not copied`).toBe(true);
    for (const need of ['dist', 'bin', 'node_modules', 'package.json']) expect(copied.some((c) => c === need || c.startsWith(need)), need).toBe(true);
  });

  it('has a build-context ignore file that keeps node_modules and secrets out', () => {
    const ignore = fs.readFileSync(`${file}.dockerignore`, 'utf8');
    expect(ignore).toMatch(/node_modules/);
    expect(ignore).toMatch(/deploy\/\.env$/m);
  });

  it('runs genautoml through an init process', () => {
    expect(text).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--", "genautoml"\]/);
  });
});

describe('image contents', () => {
  it('the CPU image installs the Debian packages the runner needs', () => {
    const text = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
    for (const pkg of ['python3-torch', 'python3-numpy', 'bubblewrap', 'fonts-dejavu-core']) expect(text).toContain(pkg);
    expect(text).toMatch(/^CMD \["serve"\]$/m);
  });

  it('the GPU image is a CUDA PyTorch base running `genautoml worker` on cuda', () => {
    const text = fs.readFileSync(path.join(DEPLOY, 'Dockerfile.worker-cuda'), 'utf8');
    expect(text).toMatch(/^ARG TORCH_IMAGE=pytorch\/pytorch:[\d.]+-cuda[\d.]+-cudnn\d+-runtime$/m);
    expect(text).toMatch(/GENAUTOML_DEVICE=cuda/);
    expect(text).toMatch(/^CMD \["worker"\]$/m);
    expect(text).toContain('bubblewrap');
  });

  it('the lint catches what it is meant to catch', () => {
    const tmp = fs.mkdtempSync(path.join(ROOT, 'tests', 'unit', 'docs', '.tmp-'));
    try {
      const bad = path.join(tmp, 'Dockerfile');
      fs.writeFileSync(bad, ['FROM node:latest', 'RUN apt-get update', 'RUN apt-get install -y curl', 'COPY nowhere ./x', 'CMD genautoml serve', ''].join('\n'));
      const problems = lint(bad).join('\n');
      for (const p of [/not multi-stage/, /:latest/, /non-root USER/, /no HEALTHCHECK/, /without --no-install-recommends/, /apt-get update alone/, /apt lists not removed/, /COPY source nowhere/, /CMD not in exec form/]) expect(problems).toMatch(p);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
