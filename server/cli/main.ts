/**
 * The `genautoml` command line: the long-running servers (mcp, serve, worker), the demo, and one
 * command per tool generated from the registry. Configuration is read from the environment only,
 * when a command runs, so `--help` works whatever the environment holds.
 */
// Only what every command needs is imported here; each command imports its own modules when it
// runs, so `genautoml mcp` answers `initialize` before the bots, the charts or the engine load.
import { Command } from 'commander';
import { GenAutoMLError } from '../../engine/errors.js';
import { packageVersion } from '../../engine/paths.js';
import type { App } from '../../engine/app.js';
import type { AnyTool } from '../../tools/define.js';
import { loadRuntime, openApp, reportError, runCommand } from './runtime.js';
import { addToolCommand, toolCommandName } from './tool-command.js';

export const BUILTIN_COMMANDS = ['mcp', 'serve', 'worker', 'demo', 'doctor', 'help'];

export function buildProgram(tools: readonly AnyTool[]): Command {
  const program = new Command('genautoml')
    .description('Time-series data to small, validated PyTorch models: MCP server, worker and tools.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('mcp')
    .description('MCP server on stdio (for desktop assistants), with an in-process worker. Logs go to stderr.')
    .action(() => runCommand(mcpCommand));

  program
    .command('serve')
    .description('MCP server over Streamable HTTP at /mcp (plus /healthz and /readyz), with an in-process worker.')
    .action(() => runCommand(serveCommand));

  program
    .command('worker')
    .description('Trial worker only: runs queued jobs against the configured database until SIGINT/SIGTERM.')
    .option('--concurrency <n>', 'Jobs run at once (default GENAUTOML_WORKER_CONCURRENCY).', positiveInt('--concurrency'))
    .action((opts: { concurrency?: number }) => runCommand(() => workerCommand(opts.concurrency)));

  program
    .command('slack')
    .description('Slack bot (Socket Mode, or HTTP with GENAUTOML_SLACK_MODE=http) with an in-process worker and study notifications.')
    .action(() => runCommand(() => botCommand('slack')));

  program
    .command('discord')
    .description('Discord bot with an in-process worker and study notifications; --deploy-commands registers /automl first.')
    .option('--deploy-commands', 'Register the /automl slash command (PUT applications/{id}/commands) before starting.')
    .option('--guild <id>', 'Register in this guild only (instant) instead of globally.')
    .action((opts: { deployCommands?: boolean; guild?: string }) => runCommand(() => botCommand('discord', opts)));

  program
    .command('demo')
    .description('Run the whole pipeline end to end on the embedded defaults: load, EDA, generate, validate, search, benchmark.')
    .option('--data <file>', 'A CSV or Parquet file to use instead of the generated dataset.')
    .option('--trials <n>', 'Trials in the search (an architect round adds one per model it proposes).', positiveInt('--trials'), 4)
    .option('--epochs <n>', 'Maximum epochs per trial.', positiveInt('--epochs'), 6)
    .option('--rows <n>', 'Rows of the generated dataset.', positiveInt('--rows'), 2400)
    .option('--request <text>', 'What the architect should design.', 'design a lightweight inception model')
    .option('--out <dir>', 'Where plots and files go (default $GENAUTOML_HOME/demo).')
    .action((opts: { data?: string; trials: number; epochs: number; rows: number; request: string; out?: string }) =>
      runCommand(async () => (await import('./demo.js')).runDemo(opts)),
    );

  program
    .command('doctor')
    .description('Check this host: Node, Python + PyTorch and its device, bwrap, database, queue, fonts, LLM and bot tokens; prints a fix for each problem. Exit 1 when a check fails.')
    .option('--json', 'Print the report as JSON.')
    .option('--quick', 'Skip network checks (LLM endpoint, Slack and Discord APIs).')
    .action((opts: { json?: boolean; quick?: boolean }) => runCommand(async () => (await import('./doctor.js')).doctorCommand(opts)));

  for (const tool of tools) {
    const name = toolCommandName(tool);
    if (BUILTIN_COMMANDS.includes(name)) throw new Error(`tool ${tool.name}: CLI name "${name}" is a built-in command`);
    addToolCommand(program, tool);
  }
  return program;
}

/**
 * The program with the commands `argv` can need: a built-in server command needs no tool
 * commands (and must not wait for the tool modules to load); anything else gets all of them.
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  const builtin = first !== undefined && [...BUILTIN_COMMANDS, 'slack', 'discord'].includes(first) && first !== 'help';
  const tools = builtin ? [] : (await import('../../tools/index.js')).TOOLS;
  return buildProgram(tools);
}

async function mcpCommand(): Promise<number> {
  const rt = loadRuntime();
  // Anything printed to stdout would corrupt the protocol stream; route stray console output to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const { serveStdio } = await import('../stdio.js');
  const { waitForShutdownSignal } = await import('../lifecycle.js');
  // The transport answers at once; the database opens meanwhile, and a failure to open it (another
  // process holds the embedded database: db.locked) is what every request then answers.
  const opening = openApp(rt);
  const stdio = await serveStdio(opening, rt.logger);
  const signal = waitForShutdownSignal(rt.logger);
  let app;
  try {
    app = await opening;
  } catch (err) {
    const code = reportError(err);
    await Promise.race([stdio.closed, signal]);
    await stdio.close();
    return code;
  }
  try {
    const { startServerWorker } = await import('../worker.js');
    const worker = await startServerWorker(app);
    const stopped = await Promise.race([stdio.closed.then(() => 'client' as const), signal.then(() => 'signal' as const)]);
    await stdio.close();
    if (stopped === 'client') await finishRuns(app, rt, signal);
    await worker.stop();
  } finally {
    await app.close();
  }
  return 0;
}

/**
 * The client went away: background tool runs it started (a benchmark, an export) finish before
 * the process exits, so their work (stored charts, exported files) is not thrown away. A signal
 * still stops at once. Studies need no such wait: their trials are queued in the database.
 */
async function finishRuns(app: App, rt: ReturnType<typeof loadRuntime>, signal: Promise<unknown>): Promise<void> {
  const { activeRuns } = await import('../../tools/runs.js');
  const runs = activeRuns(app);
  if (runs.length === 0) return;
  rt.logger.info('client gone; finishing background runs first', { runs: runs.map((r) => `${r.tool} ${r.id}`) });
  await Promise.race([Promise.all(runs.map((r) => r.settled)), signal]);
}

async function serveCommand(): Promise<number> {
  const rt = loadRuntime();
  const { checkHttpConfig } = await import('../http/security.js');
  // Refuse a bad HTTP configuration before opening the database.
  checkHttpConfig(rt.config);
  const { startHttpServer } = await import('../http/server.js');
  const { startServerWorker } = await import('../worker.js');
  const { waitForShutdownSignal } = await import('../lifecycle.js');
  const app = await openApp(rt);
  try {
    const http = await startHttpServer(app, { config: rt.config, logger: rt.logger, mcpApp: app });
    // One plain line whatever the log level, so people and scripts learn the bound port.
    console.error(`genautoml: MCP over HTTP at ${http.url}`);
    const worker = await startServerWorker(app);
    await waitForShutdownSignal(rt.logger);
    await http.close();
    await worker.stop();
  } finally {
    await app.close();
  }
  return 0;
}

async function botCommand(platform: 'slack' | 'discord', opts: { deployCommands?: boolean; guild?: string } = {}): Promise<number> {
  const rt = loadRuntime();
  const { checkDiscordConfig, createDiscordBot, deployCommands } = await import('../../bots/discord/bot.js');
  const { commandDefinitions } = await import('../../bots/discord/commands.js');
  const { checkSlackConfig, createSlackBot } = await import('../../bots/slack/bot.js');
  const { startBot } = await import('../bots.js');
  const { startServerWorker } = await import('../worker.js');
  const { waitForShutdownSignal } = await import('../lifecycle.js');
  // Refuse missing tokens before opening the database.
  if (platform === 'slack') checkSlackConfig(rt.config);
  else checkDiscordConfig(rt.config);
  if (platform === 'discord' && opts.deployCommands && !rt.config.discordApplicationId)
    throw new GenAutoMLError('config.invalid', 'DISCORD_APPLICATION_ID is not set.', { hint: 'Set it to register /automl.' });
  const app = await openApp(rt);
  try {
    const worker = await startServerWorker(app);
    const bot = platform === 'slack' ? createSlackBot(app) : createDiscordBot(app);
    if (platform === 'discord' && opts.deployCommands && rt.config.discordApplicationId) {
      await deployCommands((bot as ReturnType<typeof createDiscordBot>).rest, rt.config.discordApplicationId, commandDefinitions(), opts.guild);
      console.error('genautoml: registered /automl');
    }
    await startBot(app, platform, bot);
    console.error(`genautoml: ${platform} bot running; Ctrl-C to stop`);
    await waitForShutdownSignal(rt.logger);
    await bot.stop();
    await worker.stop();
  } finally {
    await app.close();
  }
  return 0;
}

async function workerCommand(concurrency: number | undefined): Promise<number> {
  const rt = loadRuntime();
  const { startWorker } = await import('../worker.js');
  const app = await openApp(rt);
  try {
    const worker = await startWorker(app, { concurrency: concurrency ?? rt.config.workerConcurrency, handleSignals: true });
    if (worker.handlers === 0) rt.logger.warn('no job handlers are registered yet; the worker idles until stopped');
    // A dedicated worker exists to run trials: its warm trial processes start now, not at its first trial.
    else void app.runner.trialsReady().then((ok) => ok && rt.logger.info('warm trial processes ready'));
    console.error('genautoml: worker running; Ctrl-C to stop');
    await worker.stopped;
  } finally {
    await app.close();
  }
  return 0;
}

function positiveInt(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
    return n;
  };
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await (await programFor(argv)).parseAsync(argv);
}
