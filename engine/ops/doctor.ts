/**
 * `genautoml doctor`: checks that this host can run genautoml and says, in one line per problem,
 * how to fix it. Pure logic: every probe of the outside world (Python, the database, the queue,
 * fonts, HTTP) is injected, so each failure mode is testable without breaking a machine.
 */
import { GenAutoMLError } from '../errors.js';
import { type Config, loadConfig } from '../config.js';
import { llmEndpoint, type LlmConfig } from '../llm/presets.js';
import type { EnvironmentInfo } from '../runner/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** One line: what was found. */
  detail: string;
  /** One line: what to do about it (warn and fail only). */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

export interface DoctorProbes {
  /** The runner's environment probe (Python, torch, device, bwrap). */
  environment(): Promise<EnvironmentInfo>;
  /** Opens the database and runs a query; resolves to a short description, throws when unreachable. */
  database(): Promise<string>;
  /** Checks the pg-boss schema; resolves to a description, or null when it has not been created yet. */
  queue(): Promise<string | null>;
  /** The font file plots will use, or null when no known font is installed. */
  font(): string | null;
  fetch: typeof fetch;
}

export interface DoctorOptions {
  /** The raw environment (the doctor reports on bad values instead of refusing them). */
  env: Record<string, string | undefined>;
  /** Skip network checks (LLM, Slack, Discord APIs). */
  quick?: boolean;
  /** The Node.js version, e.g. v20.11.0. */
  nodeVersion?: string;
  /** Timeout of each network check. Default 5 s. */
  timeoutMs?: number;
  slackApiUrl?: string;
  discordApiUrl?: string;
  /** The probes, given the configuration the doctor could load. */
  probes: (config: Config) => DoctorProbes;
}

export const MIN_NODE_MAJOR = 20;
const SLACK_API = 'https://slack.com/api';
const DISCORD_API = 'https://discord.com/api/v10';

/**
 * Loads the configuration, dropping each invalid variable (and reporting it) so that the other
 * checks still run on the rest.
 */
export function loadConfigLenient(env: Record<string, string | undefined>): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const work = { ...env };
  for (let round = 0; round < 5; round++) {
    try {
      return { config: loadConfig(work), problems };
    } catch (err) {
      if (!(err instanceof GenAutoMLError) || err.code !== 'config.invalid') throw err;
      const listed = ((err.details as { problems?: string[] } | undefined)?.problems ?? []) as string[];
      if (listed.length === 0) throw err;
      let dropped = false;
      for (const p of listed) {
        problems.push(p);
        const name = /^([A-Z][A-Z0-9_]*)/.exec(p)?.[1];
        if (name && work[name] !== undefined) {
          delete work[name];
          dropped = true;
        }
      }
      if (!dropped) break;
    }
  }
  return { config: loadConfig({}), problems };
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  checks.push(checkNode(options.nodeVersion ?? process.version));

  const { config, problems } = loadConfigLenient(options.env);
  checks.push(
    problems.length === 0
      ? { name: 'config', status: 'ok', detail: 'every setting parses' }
      : { name: 'config', status: 'fail', detail: problems.join('; '), fix: 'Fix or unset the variables named; docs/configuration.md describes each one.' },
  );

  const probes = options.probes(config);
  checks.push(...(await checkRunner(config, probes)));
  checks.push(...(await checkStorage(config, probes)));
  checks.push(checkFont(probes));
  const net = { fetch: probes.fetch, timeoutMs: options.timeoutMs ?? 5000, quick: options.quick === true };
  checks.push(await checkLlm(config, net));
  checks.push(...(await checkSlack(options.env, net, options.slackApiUrl ?? SLACK_API)));
  checks.push(...(await checkDiscord(options.env, net, options.discordApiUrl ?? DISCORD_API)));
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

export function checkNode(version: string): CheckResult {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
  return major >= MIN_NODE_MAJOR
    ? { name: 'node', status: 'ok', detail: `Node.js ${version}` }
    : { name: 'node', status: 'fail', detail: `Node.js ${version} is older than ${MIN_NODE_MAJOR}`, fix: `Install Node.js ${MIN_NODE_MAJOR} or newer (nodejs.org, or the node:20 image).` };
}

async function checkRunner(config: Config, probes: DoctorProbes): Promise<CheckResult[]> {
  let env: EnvironmentInfo;
  try {
    env = await probes.environment();
  } catch (err) {
    return [{ name: 'python', status: 'fail', detail: oneLine((err as Error).message), fix: 'Install python3 with PyTorch (Debian: apt install python3-torch) or set GENAUTOML_PYTHON.' }];
  }
  const out: CheckResult[] = [];
  if (env.pythonVersion === null) {
    out.push({ name: 'python', status: 'fail', detail: oneLine(env.error ?? `cannot run ${env.python}`), fix: `Install python3 (apt install python3) or point GENAUTOML_PYTHON at an interpreter; now: ${env.python}.` });
  } else {
    out.push({ name: 'python', status: 'ok', detail: `${env.python} (Python ${env.pythonVersion})` });
  }

  if (env.pythonVersion === null) {
    out.push({ name: 'pytorch', status: 'skip', detail: 'no Python interpreter' });
  } else if (env.torchVersion === null) {
    out.push({ name: 'pytorch', status: 'fail', detail: oneLine(env.error ?? 'torch is not importable'), fix: 'Install PyTorch for that interpreter: apt install python3-torch python3-numpy, or pip install torch numpy.' });
  } else {
    const extras = [`numpy ${env.numpyVersion ?? 'missing'}`, env.onnxVersion ? `onnx ${env.onnxVersion}` : 'onnx not installed (ONNX export off)'];
    out.push({ name: 'pytorch', status: env.numpyVersion ? 'ok' : 'fail', detail: `torch ${env.torchVersion}, ${extras.join(', ')}`, ...(env.numpyVersion ? {} : { fix: 'Install numpy: apt install python3-numpy or pip install numpy.' }) });
    if (config.device === 'cuda' && !env.cudaAvailable) {
      out.push({ name: 'device', status: 'fail', detail: 'GENAUTOML_DEVICE=cuda but torch sees no CUDA device', fix: 'Install a CUDA build of torch and the NVIDIA driver (containers: --gpus all / a device reservation), or set GENAUTOML_DEVICE=auto.' });
    } else {
      out.push({ name: 'device', status: 'ok', detail: env.cudaAvailable ? `${env.device} (${env.cudaDevice ?? 'CUDA'})` : `${env.device}${config.device === 'auto' ? ' (no CUDA device found)' : ''}` });
    }
  }

  if (env.sandbox === 'bwrap') out.push({ name: 'sandbox', status: 'ok', detail: `bubblewrap ${env.bwrap ?? ''} works`.replace('  ', ' ') });
  else if (env.sandbox === 'unsandboxed') {
    out.push({ name: 'sandbox', status: 'warn', detail: `bubblewrap ${env.bwrap ? 'does not work here' : 'is missing'}; running untrusted code unsandboxed (GENAUTOML_ALLOW_UNSANDBOXED)`, fix: 'Install bubblewrap (apt install bubblewrap) and allow user namespaces, then unset GENAUTOML_ALLOW_UNSANDBOXED.' });
  } else if (env.pythonVersion === null) {
    out.push({ name: 'sandbox', status: 'skip', detail: `no Python interpreter (bwrap: ${env.bwrap ?? 'not found'})` });
  } else {
    out.push({
      name: 'sandbox',
      status: 'fail',
      detail: env.bwrap ? `bubblewrap at ${env.bwrap} cannot create a sandbox: ${oneLine(env.error ?? 'user namespaces refused')}` : 'bubblewrap (bwrap) is not installed: model code will be refused',
      fix: env.bwrap
        ? 'Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; in Docker: --security-opt seccomp=unconfined --security-opt apparmor=unconfined), or set GENAUTOML_ALLOW_UNSANDBOXED=true knowingly.'
        : 'apt install bubblewrap (or dnf install bubblewrap), or set GENAUTOML_ALLOW_UNSANDBOXED=true knowingly.',
    });
  }
  // The runner's seccomp filter (python3-seccomp), as the in-sandbox probe reported it.
  if (env.seccomp === 'on') out.push({ name: 'seccomp', status: 'ok', detail: 'the runner loads its seccomp filter before model code' });
  else if (env.seccomp) out.push({ name: 'seccomp', status: 'warn', detail: `runner seccomp filter ${env.seccomp} (GENAUTOML_ALLOW_UNSANDBOXED)`, fix: 'apt install python3-seccomp, then unset GENAUTOML_ALLOW_UNSANDBOXED.' });
  else if (env.error && /seccomp/.test(env.error)) out.push({ name: 'seccomp', status: 'fail', detail: oneLine(env.error), fix: 'apt install python3-seccomp (or set GENAUTOML_ALLOW_UNSANDBOXED=true knowingly).' });
  return out;
}

async function checkStorage(config: Config, probes: DoctorProbes): Promise<CheckResult[]> {
  const where = config.databaseUrl ? redactUrl(config.databaseUrl) : `embedded PGlite in ${config.home}/db`;
  try {
    const detail = await probes.database();
    const out: CheckResult[] = [{ name: 'database', status: 'ok', detail: `${where}: ${detail}` }];
    try {
      const q = await probes.queue();
      out.push(
        q === null
          ? { name: 'queue', status: 'warn', detail: `pg-boss schema ${config.dbSchema}_queue does not exist yet`, fix: 'It is created when `genautoml serve`, `mcp` or `worker` first starts; start one.' }
          : { name: 'queue', status: 'ok', detail: q },
      );
    } catch (err) {
      out.push({ name: 'queue', status: 'fail', detail: oneLine((err as Error).message), fix: `Check that the database user may read schema ${config.dbSchema}_queue; restart a worker to migrate it.` });
    }
    return out;
  } catch (err) {
    const e = err instanceof GenAutoMLError ? err : null;
    const fix =
      e?.code === 'db.locked'
        ? 'Another genautoml process holds the embedded database: stop it, or run every process against PostgreSQL (DATABASE_URL).'
        : config.databaseUrl
          ? 'Check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running and reachable from here.'
          : (e?.hint ?? `Check that ${config.home} is writable, or set GENAUTOML_HOME.`);
    return [
      { name: 'database', status: 'fail', detail: `${where}: ${oneLine((err as Error).message)}`, fix },
      { name: 'queue', status: 'skip', detail: 'no database' },
    ];
  }
}

function checkFont(probes: DoctorProbes): CheckResult {
  const font = probes.font();
  return font
    ? { name: 'fonts', status: 'ok', detail: font }
    : { name: 'fonts', status: 'warn', detail: 'no known font file: plots may have no text', fix: 'apt install fonts-dejavu-core' };
}

interface Net {
  fetch: typeof fetch;
  timeoutMs: number;
  quick: boolean;
}

type Probe = { ok: true; status: number; body: unknown } | { ok: false; error: string };

async function request(net: Net, url: string, init: RequestInit): Promise<Probe> {
  try {
    const res = await net.fetch(url, { ...init, signal: AbortSignal.timeout(net.timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { ok: true, status: res.status, body };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${net.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, error: why };
  }
}

export async function checkLlm(config: LlmConfig, net: Net): Promise<CheckResult> {
  // The same endpoint the architect and the chat bots use, so doctor probes what they call.
  const endpoint = llmEndpoint(config);
  if (!endpoint) return { name: 'llm', status: 'ok', detail: 'offline template architect (no LLM configured)' };
  const { kind: provider, apiBase: base, model, apiKey: key, keyVariable: keyVar } = endpoint;
  const what = `${provider} ${model} at ${base}`;
  if (net.quick) return { name: 'llm', status: 'skip', detail: `${what} (not contacted: --quick)` };
  const r = await request(net, `${base}/models`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  if (!r.ok) return { name: 'llm', status: 'fail', detail: `${what}: unreachable (${r.error})`, fix: `Check the network route to ${base}${provider === 'openai' ? ' and that the local server is running' : ''}; unset the LLM settings to use the offline architect.` };
  if (r.status === 401 || r.status === 403) return { name: 'llm', status: 'fail', detail: `${what}: the API key was refused (HTTP ${r.status})`, fix: `Set a valid ${keyVar}.` };
  if (r.status >= 400) return { name: 'llm', status: 'fail', detail: `${what}: GET /models answered HTTP ${r.status}`, fix: `Check ${endpoint.baseUrlVariable} (it should end at the API root, e.g. …/v1).` };
  const ids = ((r.body as { data?: { id?: unknown }[] } | null)?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  if (ids.length > 0 && !ids.includes(model)) {
    return { name: 'llm', status: 'warn', detail: `${what}: reachable, but model ${model} is not listed (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`, fix: `Set ${endpoint.modelVariable} to one of the listed models.` };
  }
  return { name: 'llm', status: 'ok', detail: `${what}: reachable` };
}

const SLACK_BOT = /^xoxb-[A-Za-z0-9-]+$/;
const SLACK_APP = /^xapp-[A-Za-z0-9-]+$/;
/** Discord bot tokens are three base64url segments separated by dots. */
const DISCORD_TOKEN = /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;

export async function checkSlack(env: Record<string, string | undefined>, net: Net, api: string): Promise<CheckResult[]> {
  const bot = env.SLACK_BOT_TOKEN?.trim() || undefined;
  const app = env.SLACK_APP_TOKEN?.trim() || undefined;
  if (!bot && !app) return [{ name: 'slack', status: 'skip', detail: 'not configured (SLACK_BOT_TOKEN unset)' }];
  const mode = env.GENAUTOML_SLACK_MODE?.trim() || 'socket';
  if (!bot) return [{ name: 'slack', status: 'fail', detail: 'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not', fix: 'Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from the app’s OAuth & Permissions page.' }];
  if (!SLACK_BOT.test(bot)) {
    return [{ name: 'slack', status: 'fail', detail: `SLACK_BOT_TOKEN does not look like a bot token (starts ${JSON.stringify(bot.slice(0, 5))}, expected xoxb-)`, fix: 'Use the Bot User OAuth Token (xoxb-…), not a user (xoxp-) or app-level (xapp-) token.' }];
  }
  if (mode === 'socket' && (!app || !SLACK_APP.test(app))) {
    return [{ name: 'slack', status: 'fail', detail: app ? 'SLACK_APP_TOKEN does not start with xapp-' : 'Socket Mode needs SLACK_APP_TOKEN', fix: 'Create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set SLACK_APP_TOKEN=xapp-…' }];
  }
  if (mode === 'http' && !env.SLACK_SIGNING_SECRET) {
    return [{ name: 'slack', status: 'fail', detail: 'GENAUTOML_SLACK_MODE=http needs SLACK_SIGNING_SECRET', fix: 'Copy the Signing Secret from the app’s Basic Information page into SLACK_SIGNING_SECRET.' }];
  }
  if (net.quick) return [{ name: 'slack', status: 'ok', detail: `tokens well-formed (${mode} mode; not contacted: --quick)` }];
  const r = await request(net, `${api.replace(/\/+$/, '')}/auth.test`, { method: 'POST', headers: { Authorization: `Bearer ${bot}`, 'Content-Type': 'application/x-www-form-urlencoded' } });
  if (!r.ok) return [{ name: 'slack', status: 'fail', detail: `Slack API unreachable (${r.error})`, fix: 'Check outbound HTTPS to slack.com from this host.' }];
  const body = r.body as { ok?: boolean; error?: string; team?: string; user?: string } | null;
  if (r.status !== 200 || !body || body.ok !== true) {
    return [{ name: 'slack', status: 'fail', detail: `auth.test refused the bot token: ${body?.error ?? `HTTP ${r.status}`}`, fix: 'Reinstall the app to the workspace and copy the current Bot User OAuth Token into SLACK_BOT_TOKEN.' }];
  }
  return [{ name: 'slack', status: 'ok', detail: `authenticated as ${body.user ?? '?'} in ${body.team ?? '?'} (${mode} mode)` }];
}

export async function checkDiscord(env: Record<string, string | undefined>, net: Net, api: string): Promise<CheckResult[]> {
  const token = env.DISCORD_TOKEN?.trim() || undefined;
  const appId = env.DISCORD_APPLICATION_ID?.trim() || undefined;
  if (!token && !appId) return [{ name: 'discord', status: 'skip', detail: 'not configured (DISCORD_TOKEN unset)' }];
  if (!token) return [{ name: 'discord', status: 'fail', detail: 'DISCORD_APPLICATION_ID is set but DISCORD_TOKEN is not', fix: 'Copy the bot token from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN.' }];
  if (!DISCORD_TOKEN.test(token)) {
    return [{ name: 'discord', status: 'fail', detail: 'DISCORD_TOKEN is not a bot token (expected three dot-separated base64url parts)', fix: 'Use the bot token from Bot → Reset Token, not the client secret or the public key.' }];
  }
  if (!appId || !/^\d{5,25}$/.test(appId)) {
    return [{ name: 'discord', status: 'fail', detail: appId ? 'DISCORD_APPLICATION_ID is not a numeric snowflake' : 'DISCORD_APPLICATION_ID is not set', fix: 'Copy the Application ID from the Developer Portal (General Information).' }];
  }
  if (net.quick) return [{ name: 'discord', status: 'ok', detail: 'token well-formed (not contacted: --quick)' }];
  const r = await request(net, `${api.replace(/\/+$/, '')}/users/@me`, { headers: { Authorization: `Bot ${token}` } });
  if (!r.ok) return [{ name: 'discord', status: 'fail', detail: `Discord API unreachable (${r.error})`, fix: 'Check outbound HTTPS to discord.com from this host.' }];
  if (r.status === 401) return [{ name: 'discord', status: 'fail', detail: 'Discord refused DISCORD_TOKEN (HTTP 401)', fix: 'Reset the bot token in the Developer Portal and set the new one.' }];
  if (r.status !== 200) return [{ name: 'discord', status: 'fail', detail: `Discord answered HTTP ${r.status}`, fix: 'Retry later; check https://discordstatus.com.' }];
  const me = r.body as { username?: string; id?: string } | null;
  return [{ name: 'discord', status: 'ok', detail: `authenticated as ${me?.username ?? '?'}${me?.id && me.id !== appId ? ` (user id ${me.id} differs from DISCORD_APPLICATION_ID ${appId})` : ''}` }];
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (unparsable)';
  }
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: '-' };

/** A table for people: one row per check, the fix indented under each problem. */
export function formatDoctorReport(report: DoctorReport): string {
  const nameW = Math.max(...report.checks.map((c) => c.name.length), 5);
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status].padEnd(4)}  ${c.name.padEnd(nameW)}  ${c.detail}`);
    if (c.fix && (c.status === 'fail' || c.status === 'warn')) lines.push(`${' '.repeat(6 + nameW)}  fix: ${c.fix}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  lines.push(fails > 0 ? `${fails} check(s) failed, ${warns} warning(s).` : warns > 0 ? `All required checks passed, ${warns} warning(s).` : 'All checks passed.');
  return lines.join('\n');
}
