/**
 * Vitest global setup: the end-to-end tests spawn the built binary, so dist/ must be at least as
 * new as the sources. Builds once per run when it is not, and only when the run may include e2e
 * tests (a run filtered to other folders skips the check, since a build takes a while).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = ['server', 'bots', 'tools', 'engine', 'storage', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const ENTRY = path.join(ROOT, 'dist', 'server', 'cli', 'main.js');

function newestSource(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return p.endsWith('.ts') || p.endsWith('.json') ? st.mtimeMs : 0;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestSource(path.join(p, entry)));
  }
  return newest;
}

function runMayIncludeE2e(): boolean {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch' && !a.includes('vitest'));
  return filters.length === 0 || filters.some((f) => f.includes('e2e') || 'tests/e2e'.startsWith(f.replace(/\/$/, '')));
}

export default function setup(): void {
  if (!runMayIncludeE2e()) return;
  const built = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestSource(path.join(ROOT, s))));
  if (built >= newest) return;
  console.warn('global setup: dist/ is older than the sources; running the TypeScript build for the e2e tests…');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } catch (err) {
    // tsc still emits when other files have type errors; only a missing entry point is fatal.
    if (!fs.existsSync(ENTRY)) throw err;
    console.warn('global setup: the build reported type errors; the e2e tests use what it emitted.');
  }
  // tsc leaves unchanged outputs untouched; mark the build as current so the next run skips it.
  const now = new Date();
  fs.utimesSync(ENTRY, now, now);
}
