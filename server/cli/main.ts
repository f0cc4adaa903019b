/**
 * The `genautoml` command line: the long-running servers (mcp, serve, worker), the demo, and one
 * command per tool generated from the registry. Configuration is read from the environment only,
 * when a command runs, so `--help` works whatever the environment holds.
 */
// First: discord.js has to load before vega-lite (see bots/discord/bot.ts).
import { checkDiscordConfig, createDiscordBot, deployCommands } from '../../bots/discord/bot.js';
import { Command } from 'commander';
import { packageVersion } from '../../engine/paths.js';
import { TOOLS } from '../../tools/index.js';
import type { AnyTool } from '../../tools/define.js';
import { startHttpServer } from '../http/server.js';
import { checkHttpConfig } from '../http/security.js';
import { waitForShutdownSignal } from '../lifecycle.js';
import { serveStdio } from '../stdio.js';
import { startServerWorker, startWorker } from '../worker.js';
import { runDemo } from './demo.js';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { checkSlackConfig, createSlackBot } from '../../bots/slack/bot.js';
import { GenAutoMLError } from '../../engine/errors.js';
import { doctorCommand } from './doctor.js';
import { loadRuntime, openApp, runCommand } from './runtime.js';
import { addToolCommand, toolCommandName } from './tool-command.js';

export const BUILTIN_COMMANDS = ['mcp', 'serve', 'worker', 'demo', 'doctor', 'help'];

export function buildProgram(tools: readonly AnyTool[] = TOOLS): Command {
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
    .option('--trials <n>', 'Trials in the search.', positiveInt('--trials'), 8)
    .option('--epochs <n>', 'Maximum epochs per trial.', positiveInt('--epochs'), 8)
    .option('--rows <n>', 'Rows of the generated dataset.', positiveInt('--rows'), 2400)
    .option('--request <text>', 'What the architect should design.', 'design a lightweight inception model')
    .option('--out <dir>', 'Where plots and files go (default $GENAUTOML_HOME/demo).')
    .action((opts: { data?: string; trials: number; epochs: number; rows: number; request: string; out?: string }) => runCommand(() => runDemo(opts)));

  program
    .command('doctor')
    .description('Check this host: Node, Python + PyTorch and its device, bwrap, database, queue, fonts, LLM and bot tokens; prints a fix for each problem. Exit 1 when a check fails.')
    .option('--json', 'Print the report as JSON.')
    .option('--quick', 'Skip network checks (LLM endpoint, Slack and Discord APIs).')
    .action((opts: { json?: boolean; quick?: boolean }) => runCommand(() => doctorCommand(opts)));

  for (const tool of tools) {
    const name = toolCommandName(tool);
    if (BUILTIN_COMMANDS.includes(name)) throw new Error(`tool ${tool.name}: CLI name "${name}" is a built-in command`);
    addToolCommand(program, tool);
  }
  return program;
}

async function mcpCommand(): Promise<number> {
  const rt = loadRuntime();
  // Anything printed to stdout would corrupt the protocol stream; route stray console output to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const app = await openApp(rt);
  try {
    const worker = await startServerWorker(app);
    const stdio = await serveStdio(app, rt.logger);
    await Promise.race([stdio.closed, waitForShutdownSignal(rt.logger)]);
    await stdio.close();
    await worker.stop();
  } finally {
    await app.close();
  }
  return 0;
}

async function serveCommand(): Promise<number> {
  const rt = loadRuntime();
  // Refuse a bad HTTP configuration before opening the database.
  checkHttpConfig(rt.config);
  const app = await openApp(rt);
  try {
    const http = await startHttpServer(app, { config: rt.config, logger: rt.logger });
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
    await bot.start();
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
  const app = await openApp(rt);
  try {
    const worker = await startWorker(app, { concurrency: concurrency ?? rt.config.workerConcurrency, handleSignals: true });
    if (worker.handlers === 0) rt.logger.warn('no job handlers are registered yet; the worker idles until stopped');
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
  await buildProgram().parseAsync(argv);
}
