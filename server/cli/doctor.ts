/**
 * `genautoml doctor`: wires the real probes (the runner's environment probe, the database, the
 * pg-boss schema, fonts, fetch) into engine/ops/doctor.ts and prints a table or JSON. Exit code
 * 1 when any check fails. It reads the environment leniently: a bad variable is reported, not
 * fatal, so the other checks still run.
 */
import type { Config } from '../../engine/config.js';
import { silentLogger } from '../../engine/log.js';
import { type DoctorOptions, type DoctorProbes, type DoctorReport, formatDoctorReport, runDoctor } from '../../engine/ops/doctor.js';
import { resolveFont } from '../../engine/plots/fonts.js';
import { RunnerClient } from '../../engine/runner/client.js';
import type { Database } from '../../storage/db.js';
import { openDatabase } from '../../storage/open.js';

export interface DoctorCommandOptions {
  json?: boolean;
  quick?: boolean;
}

/** The real probes. The database stays open between the database and queue checks, then closes. */
export function realProbes(config: Config, opened: { db?: Database; runner?: RunnerClient }): DoctorProbes {
  return {
    async environment() {
      const runner = (opened.runner = RunnerClient.fromConfig(config, { logger: silentLogger, validatePoolSize: 0 }));
      return runner.probeEnvironment();
    },
    async database() {
      const db = (opened.db = await openDatabase(config));
      const r = await db.executeSql<{ v: string }>('SELECT version() AS v');
      const v = /PostgreSQL [\d.]+/.exec(r.rows[0]?.v ?? '')?.[0] ?? 'connected';
      return `${db.kind === 'pglite' ? 'PGlite, ' : ''}${v}, schema ${db.schema} migrated`;
    },
    async queue() {
      const db = opened.db;
      if (!db) throw new Error('no database');
      const schema = `${config.dbSchema}_queue`;
      const exists = await db.executeSql<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'version'`, [schema]);
      if ((exists.rows[0]?.n ?? 0) === 0) return null;
      const ver = await db.executeSql<{ version: number }>(`SELECT version FROM "${schema}".version LIMIT 1`);
      const jobs = await db.executeSql<{ name: string; n: number }>(
        `SELECT name, count(*)::int AS n FROM "${schema}".job WHERE state < 'completed' GROUP BY name ORDER BY name`,
      );
      const pending = jobs.rows.map((r) => `${r.name} ${r.n}`).join(', ') || 'none';
      return `pg-boss schema ${schema} v${ver.rows[0]?.version ?? '?'}; jobs waiting or active: ${pending}`;
    },
    font: () => {
      const f = resolveFont();
      return f.resvg.fontFiles?.[0] ? `${f.family} (${f.source})` : null;
    },
    fetch: globalThis.fetch,
  };
}

export async function doctorReport(env: Record<string, string | undefined>, options: DoctorCommandOptions & Partial<Pick<DoctorOptions, 'probes' | 'slackApiUrl' | 'discordApiUrl' | 'timeoutMs'>> = {}): Promise<DoctorReport> {
  const opened: { db?: Database; runner?: RunnerClient } = {};
  try {
    return await runDoctor({
      env,
      quick: options.quick === true,
      probes: options.probes ?? ((config) => realProbes(config, opened)),
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      ...(options.discordApiUrl ? { discordApiUrl: options.discordApiUrl } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  } finally {
    await opened.runner?.close().catch(() => {});
    await opened.db?.close().catch(() => {});
  }
}

/** The command body: prints the report on stdout and returns the exit code. */
export async function doctorCommand(options: DoctorCommandOptions, env: Record<string, string | undefined> = process.env): Promise<number> {
  const report = await doctorReport(env, options);
  console.log(options.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return report.ok ? 0 : 1;
}
