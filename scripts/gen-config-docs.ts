/**
 * Generates docs/configuration.md and deploy/.env.example from SETTINGS in engine/config.ts, the
 * one place every setting is declared. tests/unit/docs/config-docs.test.ts fails when either file
 * is out of date; regenerate with
 *   GENAUTOML_WRITE_DOCS=1 npx vitest run tests/unit/docs/config-docs.test.ts
 * or, once built, `node dist/scripts/gen-config-docs.js [--check]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { SETTINGS } from '../engine/config.js';

const UP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root, from scripts/ or from dist/scripts/ when built. */
export const ROOT = path.basename(UP) === 'dist' ? path.dirname(UP) : UP;
export const CONFIG_DOC = path.join(ROOT, 'docs', 'configuration.md');
export const ENV_EXAMPLE = path.join(ROOT, 'deploy', '.env.example');

interface SettingView {
  key: string;
  env: string;
  description: string;
  defaultText: string;
  /** The default as a plain value for .env (empty when there is none or it is computed). */
  defaultValue: string;
  secret: boolean;
}

/** Sections of the reference, by setting key; a setting in none lands in "Other". */
const SECTIONS: [string, string[]][] = [
  ['Storage and logs', ['home', 'databaseUrl', 'dbSchema', 'logLevel', 'logFormat']],
  ['Data', ['dataDirs', 'maxUploadBytes', 'urlTimeoutMs']],
  ['Runner (PyTorch sandbox) and workers', ['python', 'device', 'allowUnsandboxed', 'runnerMemoryMb', 'validateTimeoutS', 'trialTimeoutS', 'paramBudget', 'workerConcurrency', 'validatePoolSize']],
  ['Neural architect (LLM)', ['llmProvider', 'groqApiKey', 'groqModel', 'groqBaseUrl', 'llmBaseUrl', 'llmApiKey', 'llmModel', 'llmTimeoutMs', 'llmMaxRetries']],
  ['HTTP MCP server', ['httpHost', 'httpPort', 'httpToken', 'httpAuth', 'httpAllowedOrigins', 'httpAllowedHosts']],
  ['Slack and Discord bots', ['slackBotToken', 'slackAppToken', 'slackSigningSecret', 'slackMode', 'slackPort', 'discordToken', 'discordApplicationId', 'allowedWorkspaces', 'allowedChannels', 'allowedUsers', 'botRateLimitPerMinute']],
  ['Notifications', ['webhookUrls', 'webhookTimeoutMs']],
];

export function settingViews(): SettingView[] {
  return Object.entries(SETTINGS).map(([key, raw]) => {
    const s = raw as { env: string; schema: z.ZodType; description: string; defaultText?: string; secret?: boolean };
    const parsed = s.schema.safeParse(undefined);
    const value = parsed.success ? parsed.data : undefined;
    const plain = value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
    return {
      key,
      env: s.env,
      description: s.description,
      defaultText: s.defaultText ?? (value === undefined ? 'unset' : Array.isArray(value) && value.length === 0 ? 'empty' : plain),
      // A computed default (home directory, PATH lookup) must not be frozen into a .env file.
      defaultValue: s.defaultText !== undefined && !/^\d/.test(s.defaultText) ? '' : plain,
      secret: s.secret === true,
    };
  });
}

function sections(): [string, SettingView[]][] {
  const views = settingViews();
  const byKey = new Map(views.map((v) => [v.key, v]));
  const used = new Set<string>();
  const out: [string, SettingView[]][] = [];
  for (const [title, keys] of SECTIONS) {
    const list = keys.map((k) => byKey.get(k)).filter((v): v is SettingView => v !== undefined);
    for (const v of list) used.add(v.key);
    if (list.length > 0) out.push([title, list]);
  }
  const rest = views.filter((v) => !used.has(v.key));
  if (rest.length > 0) out.push(['Other', rest]);
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigDocs(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from SETTINGS in engine/config.ts by scripts/gen-config-docs.ts. Do not edit by hand:',
    '     change the setting there and regenerate (tests/unit/docs/config-docs.test.ts says how). -->',
    '',
    'Every setting comes from an environment variable, is parsed once at start-up and is validated:',
    'a bad value stops the process with a message naming each bad variable (exit code 2), and',
    '`genautoml doctor` reports it without stopping. An empty value counts as unset. Settings marked',
    '**secret** are never logged; keep them out of version control (the compose file reads them from',
    '`deploy/.env`, which is ignored; `deploy/.env.example` lists every variable).',
    '',
  ];
  for (const [title, list] of sections()) {
    lines.push(`## ${title}`, '', '| Variable | Default | Description |', '| --- | --- | --- |');
    for (const v of list) {
      lines.push(`| \`${v.env}\`${v.secret ? ' (secret)' : ''} | ${cell(v.defaultText === 'unset' ? 'unset' : v.defaultText.includes(' ') ? v.defaultText : `\`${v.defaultText}\``)} | ${cell(v.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Values the compose deployment sets in .env itself (the rest stay commented at their defaults). */
const COMPOSE_ACTIVE: Record<string, string> = {
  GENAUTOML_HTTP_TOKEN: 'change-me-to-a-long-random-string',
  GENAUTOML_LOG_FORMAT: 'json',
  GENAUTOML_WORKER_CONCURRENCY: '1',
};

export function renderEnvExample(): string {
  const lines = [
    '# genautoml environment for deploy/docker-compose.yml. Copy to deploy/.env and edit:',
    '#   cp deploy/.env.example deploy/.env',
    '# Generated from engine/config.ts by scripts/gen-config-docs.ts; docs/configuration.md explains',
    '# every variable. Commented lines show the default; uncomment to change one.',
    '',
    '# --- Compose only (not read by genautoml itself) ---',
    '# Password of the bundled PostgreSQL; DATABASE_URL below is built from it in docker-compose.yml.',
    'POSTGRES_PASSWORD=change-me',
    '# CPU trial workers to run (docker compose up --scale worker=N also works).',
    'GENAUTOML_WORKER_REPLICAS=2',
    '# Host port the HTTP MCP server is published on.',
    'GENAUTOML_PUBLISH_PORT=8787',
    '',
  ];
  for (const [title, list] of sections()) {
    lines.push(`# --- ${title} ---`);
    for (const v of list) {
      lines.push(`# ${v.description}${v.secret ? ' (secret)' : ''}`);
      if (v.env in COMPOSE_ACTIVE) lines.push(`${v.env}=${COMPOSE_ACTIVE[v.env]}`);
      else if (v.env === 'DATABASE_URL') lines.push('# Set by docker-compose.yml to the bundled PostgreSQL; set it here to use another server.', `# ${v.env}=postgres://genautoml:change-me@postgres:5432/genautoml`);
      else lines.push(`# ${v.env}=${v.defaultValue}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export const GENERATED: { file: string; render: () => string }[] = [
  { file: CONFIG_DOC, render: renderConfigDocs },
  { file: ENV_EXAMPLE, render: renderEnvExample },
];

/** Writes (or with check, compares) the generated files; returns the ones out of date. */
export function generate(check: boolean): string[] {
  const stale: string[] = [];
  for (const g of GENERATED) {
    const want = g.render();
    const have = fs.existsSync(g.file) ? fs.readFileSync(g.file, 'utf8') : null;
    if (have === want) continue;
    stale.push(path.relative(ROOT, g.file));
    if (!check) {
      fs.mkdirSync(path.dirname(g.file), { recursive: true });
      fs.writeFileSync(g.file, want);
    }
  }
  return stale;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  const stale = generate(check);
  if (check && stale.length > 0) {
    console.error(`out of date: ${stale.join(', ')}; regenerate with scripts/gen-config-docs.ts`);
    process.exit(1);
  }
  console.error(stale.length === 0 ? 'configuration docs are up to date' : `wrote ${stale.join(', ')}`);
}
