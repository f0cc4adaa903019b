/**
 * Configuration: every setting comes from the environment, is parsed here once at start-up with
 * zod, and is frozen. Nothing else reads `process.env`. Each setting is declared once in
 * SETTINGS with its variable name and description, which also generates docs/configuration.md.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { GenAutoMLError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((v) =>
  v
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url();

interface Setting<S extends z.ZodType> {
  env: string;
  schema: S;
  description: string;
  /** What the docs show as the default; computed defaults say so in words. */
  defaultText?: string;
  secret?: boolean;
}
function setting<S extends z.ZodType>(s: Setting<S>): Setting<S> {
  return s;
}

export const SETTINGS = {
  home: setting({
    env: 'GENAUTOML_HOME',
    schema: z.string().min(1).default(path.join(os.homedir(), '.genautoml')),
    defaultText: '~/.genautoml',
    description: 'Directory for the embedded database (db/), the artefact cache (cache/) and exports (exports/).',
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    description: 'PostgreSQL server to use instead of the embedded PGlite database. Required for several processes or hosts.',
    secret: true,
  }),
  dbSchema: setting({
    env: 'GENAUTOML_DB_SCHEMA',
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('genautoml'),
    description: 'PostgreSQL schema holding the tables (the queue lives in `<schema>_queue`).',
  }),
  logLevel: setting({
    env: 'GENAUTOML_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    description: 'Minimum level written to stderr.',
  }),
  logFormat: setting({
    env: 'GENAUTOML_LOG_FORMAT',
    schema: z.enum(['json', 'pretty']).default('json'),
    description: 'Log line format: one JSON object per line, or a short human-readable line.',
  }),
  dataDirs: setting({
    env: 'GENAUTOML_DATA_DIRS',
    schema: list.optional(),
    defaultText: 'the current directory',
    description: 'Comma-separated directories that load_dataset may read files from. Paths outside them (also through `..` or symlinks) are refused.',
  }),
  maxUploadBytes: setting({
    env: 'GENAUTOML_MAX_UPLOAD_BYTES',
    schema: int(1024, 10 * 1024 ** 3).default(200 * 1024 ** 2),
    defaultText: '209715200 (200 MiB)',
    description: 'Largest dataset file, URL download or inline upload accepted.',
  }),
  urlTimeoutMs: setting({
    env: 'GENAUTOML_URL_TIMEOUT_MS',
    schema: int(100, 600_000).default(30_000),
    description: 'Timeout for downloading a dataset from an http(s) URL.',
  }),
  urlAllowHosts: setting({
    env: 'GENAUTOML_URL_ALLOW_HOSTS',
    schema: list.optional(),
    defaultText: 'none (only public addresses)',
    description:
      'Comma-separated host names, IP addresses or CIDR ranges (10.0.0.0/8, fd00::/8) that load_dataset may download from although they are loopback, private, link-local or otherwise non-public. Without it such URLs are refused after DNS resolution and on every redirect.',
  }),
  python: setting({
    env: 'GENAUTOML_PYTHON',
    schema: z.string().min(1).optional(),
    defaultText: '/usr/bin/python3 if present, else python3 on PATH',
    description: 'Python interpreter with PyTorch used by the model runner.',
  }),
  device: setting({
    env: 'GENAUTOML_DEVICE',
    schema: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    description: 'Torch device for training: auto picks CUDA when available.',
  }),
  cudaVisibleDevices: setting({
    env: 'GENAUTOML_CUDA_VISIBLE_DEVICES',
    schema: z.string().regex(/^[0-9a-zA-Z,-]*$/, 'must be a comma-separated list of device ids').optional(),
    description: 'GPUs the runner may use (passed to it as CUDA_VISIBLE_DEVICES), e.g. 0 or 0,1; one worker per GPU is the usual layout.',
  }),
  allowUnsandboxed: setting({
    env: 'GENAUTOML_ALLOW_UNSANDBOXED',
    schema: bool.default(false),
    description: 'Run untrusted model code without bubblewrap when bwrap is missing. Only the static policy and rlimits then protect the host; leave false unless you accept that.',
  }),
  runnerMemoryMb: setting({
    env: 'GENAUTOML_RUNNER_MEMORY_MB',
    schema: int(256, 1024 * 1024).default(6144),
    description: 'Address-space limit (RLIMIT_AS) of one runner process, in MiB.',
  }),
  validateTimeoutS: setting({
    env: 'GENAUTOML_VALIDATE_TIMEOUT_S',
    schema: int(1, 3600).default(60),
    description: 'Wall-clock limit of one validation.',
  }),
  trialTimeoutS: setting({
    env: 'GENAUTOML_TRIAL_TIMEOUT_S',
    schema: int(10, 7 * 24 * 3600).default(1800),
    description: 'Wall-clock limit of one training trial.',
  }),
  trialLeaseGraceS: setting({
    env: 'GENAUTOML_TRIAL_LEASE_GRACE_S',
    schema: int(1, 24 * 3600).default(300),
    description: 'A trial job still active this long past the trial limit has its queue lease run out and is redelivered: the last resort behind heartbeats, which requeue a dead worker’s trial after GENAUTOML_TRIAL_STALE_S.',
  }),
  queueMaintenanceS: setting({
    env: 'GENAUTOML_QUEUE_MAINTENANCE_S',
    schema: int(1, 3600).default(60),
    description: 'How often the queue looks for jobs whose lease ran out (one host at a time does the work); heartbeats, not this, bring a dead worker’s trial back in seconds.',
  }),
  trialHeartbeatS: setting({
    env: 'GENAUTOML_TRIAL_HEARTBEAT_S',
    schema: int(1, 300).default(5),
    description: 'How often a worker writes a sign of life on each trial it runs (and a finaliser on its study).',
  }),
  trialStaleS: setting({
    env: 'GENAUTOML_TRIAL_STALE_S',
    schema: int(3, 3600).default(20),
    description: 'A running trial (or a finalising study) with no sign of life for this long is requeued (taken over) by any live worker; at least twice GENAUTOML_TRIAL_HEARTBEAT_S.',
  }),
  runnerRetries: setting({
    env: 'GENAUTOML_RUNNER_RETRIES',
    schema: int(0, 10).default(2),
    description: 'Times a trial is retried when its runner was killed by a signal or ran out of memory (not when the model itself failed).',
  }),
  runnerSlots: setting({
    env: 'GENAUTOML_RUNNER_SLOTS',
    schema: int(0, 256).default(0),
    defaultText: '0 (auto: the cores, at most as many runners as 80% of the memory holds at GENAUTOML_RUNNER_BUDGET_MB each)',
    description: 'Sandboxed runners (validate, generate, trials, evaluation, benchmark, export) this process runs at once; more wait in a first-come, first-served queue. The warm validate processes (GENAUTOML_VALIDATE_POOL) idle outside it.',
  }),
  runnerBudgetMb: setting({
    env: 'GENAUTOML_RUNNER_BUDGET_MB',
    schema: int(64, 1024 * 1024).default(1024),
    description: 'Memory one runner is expected to use, in MiB, counted against the machine’s memory to size the automatic GENAUTOML_RUNNER_SLOTS (the hard cap of one runner is GENAUTOML_RUNNER_MEMORY_MB).',
  }),
  runnerQueue: setting({
    env: 'GENAUTOML_RUNNER_QUEUE',
    schema: int(0, 10_000).default(16),
    description: 'Tool calls that may wait for a runner slot; one more is refused at once with runner.busy and a retry-after (trials and finalisation always wait).',
  }),
  runnerQueueWaitS: setting({
    env: 'GENAUTOML_RUNNER_QUEUE_WAIT_S',
    schema: int(1, 3600).default(60),
    description: 'Longest a tool call waits for a runner slot; then it is refused with runner.busy and a retry-after.',
  }),
  paramBudget: setting({
    env: 'GENAUTOML_PARAM_BUDGET',
    schema: int(1, 2_000_000_000).default(5_000_000),
    description: 'Largest parameter count a model may have unless a request sets its own budget.',
  }),
  workerConcurrency: setting({
    env: 'GENAUTOML_WORKER_CONCURRENCY',
    schema: int(1, 256).default(1),
    description: 'Trials one worker process runs at once (its slots). Each trial gets torch threads by the policy of GENAUTOML_TRIAL_THREADS.',
  }),
  trialThreads: setting({
    env: 'GENAUTOML_TRIAL_THREADS',
    schema: int(1, 256).default(1),
    description: 'Most torch threads one trial may use. A trial gets min(this, cores / slots, idle cores / slots) by the 1-minute load, at least 1 (docs/scale-out.md); 1 is fastest for the small models searched on CPUs.',
  }),
  inprocessWorker: setting({
    env: 'GENAUTOML_INPROCESS_WORKER',
    schema: bool.default(true),
    description: 'Whether `mcp`, `serve`, `slack` and `discord` run a worker in their own process. Set false when dedicated `genautoml worker` processes serve the queue (PostgreSQL only).',
  }),
  validatePoolSize: setting({
    env: 'GENAUTOML_VALIDATE_POOL',
    schema: int(0, 32).default(1),
    description: 'Warm runner processes kept for validate (0 disables the pool).',
  }),
  trialPoolSize: setting({
    env: 'GENAUTOML_TRIAL_POOL',
    schema: int(0, 8).optional(),
    description: 'Warm runner processes kept per device for train, evaluate, latency and export: each has torch imported and serves one call, so a trial skips interpreter and torch start-up (0 disables). Default: one per trial slot (GENAUTOML_WORKER_CONCURRENCY), so trials running at once each find one. Each idles at ~230 MB of memory (measured: torch imported, CPU build); see GENAUTOML_TRIAL_POOL_IDLE_S.',
  }),
  trialPoolIdleS: setting({
    env: 'GENAUTOML_TRIAL_POOL_IDLE_S',
    schema: int(1, 7 * 24 * 3600).default(600),
    description: 'Seconds a warm trial process waits for a call before it exits and gives its memory back. The pool fills again when a study is coordinated or a trial starts in this process.',
  }),
  llmProvider: setting({
    env: 'GENAUTOML_LLM_PROVIDER',
    schema: z.enum(['auto', 'offline', 'groq', 'openai']).default('auto'),
    description: 'Neural architect: auto uses Groq when GROQ_API_KEY is set, an OpenAI-compatible endpoint when GENAUTOML_LLM_BASE_URL is set, and the offline template architect otherwise.',
  }),
  groqApiKey: setting({ env: 'GROQ_API_KEY', schema: z.string().min(1).optional(), description: 'Groq API key.', secret: true }),
  groqModel: setting({
    env: 'GENAUTOML_GROQ_MODEL',
    schema: z.string().min(1).default('llama-3.3-70b-versatile'),
    description: 'Groq chat model.',
  }),
  groqBaseUrl: setting({
    env: 'GENAUTOML_GROQ_BASE_URL',
    schema: url.optional(),
    description: 'Override of the Groq host root (proxies, tests), as groq-sdk reads GROQ_BASE_URL: requests go to BASE/openai/v1/chat/completions for the architect and the chat bots alike.',
  }),
  llmBaseUrl: setting({
    env: 'GENAUTOML_LLM_BASE_URL',
    schema: url.optional(),
    description: 'Base URL of an OpenAI-compatible chat endpoint, e.g. http://localhost:11434/v1 for Ollama.',
  }),
  llmApiKey: setting({
    env: 'GENAUTOML_LLM_API_KEY',
    schema: z.string().min(1).optional(),
    description: 'API key for the OpenAI-compatible endpoint (sent as a bearer token).',
    secret: true,
  }),
  llmModel: setting({
    env: 'GENAUTOML_LLM_MODEL',
    schema: z.string().min(1).optional(),
    description: 'Model name for the OpenAI-compatible endpoint.',
  }),
  llmTimeoutMs: setting({
    env: 'GENAUTOML_LLM_TIMEOUT_MS',
    schema: int(1000, 3_600_000).default(120_000),
    description: 'Timeout of one LLM request.',
  }),
  llmMaxRetries: setting({
    env: 'GENAUTOML_LLM_MAX_RETRIES',
    schema: int(0, 20).default(4),
    description: 'Retries of an LLM request on 429 and 5xx, with backoff honouring Retry-After.',
  }),
  httpHost: setting({
    env: 'GENAUTOML_HTTP_HOST',
    schema: z.string().min(1).default('127.0.0.1'),
    description: 'Interface the HTTP MCP server binds to.',
  }),
  httpPort: setting({
    env: 'GENAUTOML_HTTP_PORT',
    schema: int(0, 65535).default(8787),
    description: 'Port of the HTTP MCP server (0 picks a free one).',
  }),
  httpToken: setting({
    env: 'GENAUTOML_HTTP_TOKEN',
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    description: 'Bearer token required by the HTTP MCP server.',
    secret: true,
  }),
  httpAuth: setting({
    env: 'GENAUTOML_HTTP_AUTH',
    schema: z.enum(['required', 'disabled']).default('required'),
    description: 'Set to disabled to serve without a token; allowed only when bound to a loopback address.',
  }),
  httpAllowedOrigins: setting({
    env: 'GENAUTOML_HTTP_ALLOWED_ORIGINS',
    schema: list.default([]),
    defaultText: 'none (requests without an Origin header are accepted)',
    description: 'Comma-separated Origins accepted by the HTTP MCP server (browser clients).',
  }),
  httpAllowedHosts: setting({
    env: 'GENAUTOML_HTTP_ALLOWED_HOSTS',
    schema: list.optional(),
    defaultText: 'localhost, 127.0.0.1 and [::1] with the port, when bound to loopback',
    description: 'Comma-separated Host header values accepted (DNS-rebinding protection).',
  }),
  slackBotToken: setting({ env: 'SLACK_BOT_TOKEN', schema: z.string().startsWith('xoxb-').optional(), description: 'Slack bot token (xoxb-…).', secret: true }),
  slackAppToken: setting({ env: 'SLACK_APP_TOKEN', schema: z.string().startsWith('xapp-').optional(), description: 'Slack app-level token for Socket Mode (xapp-…).', secret: true }),
  slackSigningSecret: setting({ env: 'SLACK_SIGNING_SECRET', schema: z.string().min(1).optional(), description: 'Slack signing secret (HTTP mode).', secret: true }),
  slackMode: setting({ env: 'GENAUTOML_SLACK_MODE', schema: z.enum(['socket', 'http']).default('socket'), description: 'Slack connection: Socket Mode (no public URL) or HTTP events.' }),
  slackPort: setting({ env: 'GENAUTOML_SLACK_PORT', schema: int(0, 65535).default(3000), description: 'Port for Slack HTTP mode.' }),
  slackApiUrl: setting({
    env: 'GENAUTOML_SLACK_API_URL',
    schema: url.optional(),
    defaultText: 'https://slack.com/api/',
    description: 'Slack Web API base (GovSlack: https://slack-gov.com/api/; proxies; tests). Socket Mode opens its connection through it too.',
  }),
  discordApiUrl: setting({
    env: 'GENAUTOML_DISCORD_API_URL',
    schema: url.optional(),
    defaultText: 'https://discord.com/api',
    description: 'Discord REST base (proxies, tests). The gateway address is read from it (GET /gateway/bot).',
  }),
  discordToken: setting({ env: 'DISCORD_TOKEN', schema: z.string().min(1).optional(), description: 'Discord bot token.', secret: true }),
  discordApplicationId: setting({ env: 'DISCORD_APPLICATION_ID', schema: z.string().regex(/^\d+$/).optional(), description: 'Discord application id (for registering slash commands).' }),
  allowedWorkspaces: setting({ env: 'GENAUTOML_ALLOWED_WORKSPACES', schema: list.default([]), defaultText: 'all', description: 'Slack team ids / Discord guild ids the bots answer in.' }),
  allowedChannels: setting({ env: 'GENAUTOML_ALLOWED_CHANNELS', schema: list.default([]), defaultText: 'all', description: 'Channel ids the bots answer in.' }),
  allowedUsers: setting({ env: 'GENAUTOML_ALLOWED_USERS', schema: list.default([]), defaultText: 'all', description: 'User ids the bots answer.' }),
  botRateLimitPerMinute: setting({ env: 'GENAUTOML_BOT_RATE_LIMIT', schema: int(1, 10_000).default(20), description: 'Commands one user may send the bots per minute.' }),
  webhookUrls: setting({ env: 'GENAUTOML_WEBHOOK_URLS', schema: list.default([]), defaultText: 'none', description: 'Webhooks notified of every finished study (Slack, Discord or plain JSON, detected from the URL).', secret: true }),
  webhookTimeoutMs: setting({ env: 'GENAUTOML_WEBHOOK_TIMEOUT_MS', schema: int(100, 600_000).default(10_000), description: 'Timeout of one webhook delivery.' }),
} as const;

type Settings = typeof SETTINGS;
/** The interpreter the runner and the novelty check use: GENAUTOML_PYTHON, else /usr/bin/python3 when present, else python3 on PATH. */
export function pythonPath(configured: string | undefined): string {
  return configured ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

export type Config = Readonly<{ [K in keyof Settings]: z.output<Settings[K]['schema']> }>;

/** Parses the environment once; throws config.invalid listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(SETTINGS) as [string, Setting<z.ZodType>][]) {
    const raw = env[s.env];
    const parsed = s.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${s.env}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) {
    throw new GenAutoMLError('config.invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix or unset the variables listed; docs/configuration.md describes each one.',
      details: { problems },
    });
  }
  const config = out as { -readonly [K in keyof Config]: Config[K] };
  config.home = path.resolve(config.home);
  crossCheck(config, problems);
  if (problems.length > 0) {
    throw new GenAutoMLError('config.invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the combination of settings listed.',
      details: { problems },
    });
  }
  return Object.freeze(config);
}

function crossCheck(c: { -readonly [K in keyof Config]: Config[K] }, problems: string[]): void {
  if (c.llmProvider === 'groq' && !c.groqApiKey) problems.push('GENAUTOML_LLM_PROVIDER=groq needs GROQ_API_KEY');
  if (c.llmProvider === 'openai' && (!c.llmBaseUrl || !c.llmModel))
    problems.push('GENAUTOML_LLM_PROVIDER=openai needs GENAUTOML_LLM_BASE_URL and GENAUTOML_LLM_MODEL');
  if (c.llmBaseUrl && !c.llmModel) problems.push('GENAUTOML_LLM_BASE_URL is set but GENAUTOML_LLM_MODEL is not');
  if (c.slackMode === 'http' && c.slackBotToken && !c.slackSigningSecret)
    problems.push('GENAUTOML_SLACK_MODE=http needs SLACK_SIGNING_SECRET');
  if (c.trialStaleS < 2 * c.trialHeartbeatS) problems.push('GENAUTOML_TRIAL_STALE_S must be at least twice GENAUTOML_TRIAL_HEARTBEAT_S (one missed heartbeat must not requeue a live trial)');
  // The embedded database admits one process, so nothing else could ever run the jobs.
  if (!c.inprocessWorker && !c.databaseUrl) problems.push('GENAUTOML_INPROCESS_WORKER=false needs DATABASE_URL (separate worker processes cannot share the embedded database)');
}

/** The effective LLM provider after resolving `auto`. */
export function resolveLlmProvider(c: Pick<Config, 'llmProvider' | 'groqApiKey' | 'llmBaseUrl' | 'llmModel'>): 'offline' | 'groq' | 'openai' {
  if (c.llmProvider !== 'auto') return c.llmProvider;
  if (c.groqApiKey) return 'groq';
  if (c.llmBaseUrl && c.llmModel) return 'openai';
  return 'offline';
}

export function dataDirectories(c: Config, cwd: string = process.cwd()): string[] {
  return (c.dataDirs ?? [cwd]).map((d) => path.resolve(cwd, d));
}
