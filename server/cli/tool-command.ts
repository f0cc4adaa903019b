/** One CLI command per registered tool, generated from its definition; no tool has CLI code of its own. */
import fs from 'node:fs';
import path from 'node:path';
import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import { GenAutoMLError } from '../../engine/errors.js';
import type { AnyTool } from '../../tools/define.js';
import { invokeTool } from '../../tools/invoke.js';
import { type CliField, cliFields, OUT_FLAG, parseValue, splitList } from './fields.js';
import { renderHuman, writeResultFiles } from './output.js';
import { createProgressBar } from './progress.js';
import { loadRuntime, openApp, runCommand } from './runtime.js';

export function toolCommandName(tool: AnyTool): string {
  return tool.cli?.name ?? tool.name;
}

function fieldHelp(f: CliField): string {
  const extra: string[] = [];
  if (f.required) extra.push('required');
  if (f.kind === 'array') extra.push('repeat or separate with commas');
  if (f.kind === 'array' && f.choices) extra.push(`one of: ${f.choices.join(', ')}`);
  if (f.kind === 'json' || f.element === 'json') extra.push('JSON');
  if (f.defaultValue !== undefined) extra.push(`default: ${JSON.stringify(f.defaultValue)}`);
  return [f.description, extra.length > 0 ? `(${extra.join('; ')})` : ''].filter(Boolean).join(' ');
}

function parser(f: CliField): ((value: string, previous: unknown) => unknown) | undefined {
  const wrap = (fn: (value: string, previous: unknown) => unknown) => (value: string, previous: unknown) => {
    try {
      return fn(value, previous);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
  if (f.kind === 'array') {
    const el = f.element ?? 'string';
    return wrap((value, previous) => [...(Array.isArray(previous) ? previous : []), ...splitList(el, value).map((v) => parseValue(el, v))]);
  }
  if (f.kind === 'number' || f.kind === 'integer' || f.kind === 'json') {
    const kind = f.kind;
    return wrap((value) => parseValue(kind, value));
  }
  return undefined;
}

/** Adds `tool`'s command to `program`: flags from its input schema, --json, --out. */
export function addToolCommand(program: Command, tool: AnyTool): Command {
  const fields = cliFields(tool);
  const name = toolCommandName(tool);
  const cmd = program.command(name).summary(tool.title).description(`${tool.title}: ${tool.description}`);
  const aliases = [...new Set([tool.name, tool.name.replace(/_/g, '-')])].filter((a) => a !== name);
  if (aliases.length > 0) cmd.aliases(aliases);

  const positionals = fields.filter((f) => f.positional);
  for (const f of positionals) {
    const arg = new Argument(f.kind === 'array' ? `[${f.flag}...]` : `[${f.flag}]`, `${fieldHelp(f)} (or --${f.flag})`);
    if (f.kind === 'enum' && f.choices) arg.choices(f.choices);
    const p = parser(f);
    if (p) arg.argParser(p);
    cmd.addArgument(arg);
  }
  const attr = new Map<string, CliField>();
  for (const f of fields) {
    if (f.kind === 'boolean') {
      const yes = new Option(`--${f.flag}`, fieldHelp(f));
      cmd.addOption(yes);
      cmd.addOption(new Option(`--no-${f.flag}`, `Turn off --${f.flag}.`));
      attr.set(yes.attributeName(), f);
      continue;
    }
    const option = new Option(`--${f.flag} <${f.kind === 'array' ? 'values' : 'value'}>`, fieldHelp(f));
    if (f.kind === 'enum' && f.choices) option.choices(f.choices);
    const p = parser(f);
    if (p) option.argParser(p);
    cmd.addOption(option);
    attr.set(option.attributeName(), f);
  }
  cmd.option('--json', 'Print the result data as JSON on stdout.');
  const ownsOut = fields.some((f) => f.flag === OUT_FLAG);
  if (!ownsOut) cmd.option(`--${OUT_FLAG} <dir>`, 'Directory for images and attachments (default: the current directory).');

  cmd.action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const opts = command.opts<Record<string, unknown>>();
    const values = received.slice(0, positionals.length);
    await runCommand(async () => {
      const args: Record<string, unknown> = {};
      for (const [key, f] of attr) if (opts[key] !== undefined) args[f.name] = opts[key];
      const out = opts[OUT_FLAG];
      positionals.forEach((f, i) => {
        const v = values[i];
        if (v === undefined || (Array.isArray(v) && v.length === 0)) return;
        if (args[f.name] !== undefined) {
          throw new GenAutoMLError('cli.conflicting_arguments', `${f.flag} was given both as an argument and as --${f.flag}.`, { hint: 'Give it once.' });
        }
        args[f.name] = v;
      });
      for (const [k, v] of Object.entries(tool.cli?.defaults ?? {})) if (args[k] === undefined) args[k] = v;
      // The caller means paths from where they stand, whatever directory the tool resolves against.
      for (const k of tool.cli?.paths ?? []) {
        const v = args[k];
        if (typeof v === 'string' && !/^https?:\/\//i.test(v)) args[k] = path.resolve(v);
      }
      for (const k of tool.cli?.files ?? []) {
        const v = args[k];
        if (typeof v === 'string' && !v.includes('\n') && fs.existsSync(v) && fs.statSync(v).isFile()) args[k] = fs.readFileSync(v, 'utf8');
      }
      return runTool(tool, args, { json: opts.json === true, out: typeof out === 'string' ? out : undefined });
    });
  });
  return cmd;
}

async function runTool(tool: AnyTool, args: Record<string, unknown>, options: { json: boolean; out: string | undefined }): Promise<number> {
  const rt = loadRuntime({ interactive: true });
  // Read-only tools never enqueue work, so they skip starting the queue (faster, no queue schema writes).
  const app = await openApp(rt, tool.annotations.readOnlyHint !== true);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('Cancelling… (press Ctrl-C again to quit at once)');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const bar = createProgressBar();
  // A tool that enqueues trials needs a worker; a one-shot command runs one beside it.
  const worker = tool.needsWorker ? await (await import('../worker.js')).startWorker(app, { concurrency: rt.config.workerConcurrency }) : undefined;
  try {
    const result = await invokeTool(tool, args, {
      app,
      progress: bar.report,
      signal: controller.signal,
      logger: rt.logger.child({ tool: tool.name }),
      origin: 'cli',
    });
    bar.stop();
    const written = writeResultFiles(result, path.resolve(options.out ?? '.'));
    if (options.json) process.stdout.write(JSON.stringify(result.data, null, 2) + '\n');
    else process.stdout.write(renderHuman(result) + '\n');
    for (const file of written) console.error(`wrote ${file}`);
    return 0;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await worker?.stop().catch(() => {});
    await app.close().catch(() => {});
  }
}
