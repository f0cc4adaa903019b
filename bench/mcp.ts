/**
 * MCP start-up: how long `genautoml mcp` takes to answer `initialize` (target < 1 s on a quiet
 * machine) and the first tools/list, from spawning the process, on a fresh embedded home. The
 * median of five starts; the first start also creates the database, which initialize must not wait for.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/paths.js';
import type { BenchResult } from './types.js';

const RUNS = 5;

function once(home: string): Promise<{ initializeMs: number; toolsMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'genautoml.js'), 'mcp'], {
      env: { ...process.env, GENAUTOML_HOME: home, GENAUTOML_LOG_LEVEL: 'error', DATABASE_URL: '' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let initializeMs = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!initializeMs && out.includes('"id":1')) {
        initializeMs = performance.now() - t0;
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n');
      }
      if (initializeMs && out.includes('"id":2')) {
        const toolsMs = performance.now() - t0;
        child.stdin.end();
        child.once('exit', () => resolve({ initializeMs, toolsMs }));
      }
    });
    child.once('error', reject);
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } };
    child.stdin.write(JSON.stringify(init) + '\n');
  });
}

export default async function mcpBench(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bench-mcp-'));
  try {
    const runs: { initializeMs: number; toolsMs: number }[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(home));
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const init = median(runs.map((r) => r.initializeMs)) / 1000;
    return [
      {
        name: 'mcp/initialize',
        metrics: { initialize_s: init, first_initialize_s: (runs[0]?.initializeMs ?? 0) / 1000, tools_list_s: median(runs.map((r) => r.toolsMs)) / 1000, load1: os.loadavg()[0] ?? 0 },
        target: 'initialize_s < 1 (quiet machine)',
        pass: init < 1,
        notes: `median of ${RUNS} spawns of genautoml mcp on one embedded home; load1 is the host's load average when measured`,
      },
    ];
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
