/**
 * Generates docs/errors.md from ERROR_CODES in engine/errors/codes.ts, the closed list of error
 * codes. tests/unit/docs/error-docs.test.ts fails when the file is out of date; regenerate with
 *   npm run docs:errors
 * or, once built, `node dist/scripts/gen-error-docs.js [--check]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ERROR_CODES, type ErrorCode } from '../engine/errors/codes.js';
import { ROOT } from './gen-config-docs.js';

export const ERRORS_DOC = path.join(ROOT, 'docs', 'errors.md');

/** Section titles by area (the part before the dot); an area missing here is titled by its name. */
const AREAS: Record<string, string> = {
  architect: 'Neural architect',
  benchmark: 'Benchmarks',
  chat: 'Slack and Discord bots',
  cli: 'Command line',
  config: 'Configuration',
  data: 'Reading and preparing data',
  dataset: 'Stored datasets',
  db: 'Database',
  eda: 'Exploratory data analysis',
  export: 'Exporting models',
  http: 'HTTP MCP server',
  internal: 'Unforeseen failures',
  llm: 'LLM endpoint',
  model: 'Model registry',
  notify: 'Notifications',
  plot: 'Charts',
  queue: 'Job queue',
  resource: 'MCP resources',
  runner: 'PyTorch runner',
  sandbox: 'Sandbox',
  search: 'Searches',
  storage: 'Files and disks',
  study: 'Studies',
  subscribe: 'Subscriptions',
  system: 'Operating-system limits',
  task: 'Background runs',
  tool: 'Tools',
  trial: 'Trials',
};

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderErrorDocs(): string {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).sort();
  const areas = [...new Set(codes.map((c) => c.split('.')[0] as string))];
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from ERROR_CODES in engine/errors/codes.ts by scripts/gen-error-docs.ts. Do not edit',
    '     by hand: change the list there and run `npm run docs:errors`. -->',
    '',
    'Every failure genautoml reports carries one of these codes, a message saying what went wrong',
    'and a hint saying what to do. MCP tool errors show them as `[code] message — hint`, the CLI prints',
    'the same line on stderr, the bots put the code in the footer, and recorded failures (a trial’s,',
    'an architect round’s, a study’s) store `{ code, message, hint, details }`. The list is closed:',
    'a client may rely on it. The hint below is the default; most errors give a more specific one.',
    '',
    `${codes.length} codes in ${areas.length} areas.`,
    '',
  ];
  for (const area of areas) {
    lines.push(`## ${AREAS[area] ?? area} (\`${area}.*\`)`, '', '| Code | Meaning | Default hint |', '| --- | --- | --- |');
    for (const code of codes.filter((c) => c.startsWith(`${area}.`))) {
      const { meaning, hint } = ERROR_CODES[code];
      lines.push(`| \`${code}\` | ${cell(meaning)} | ${cell(hint)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes (or with check, only compares) docs/errors.md; true when it was out of date. */
export function generateErrorDocs(check: boolean): boolean {
  const want = renderErrorDocs();
  const have = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, 'utf8') : null;
  if (have === want) return false;
  if (!check) fs.writeFileSync(ERRORS_DOC, want);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  const stale = generateErrorDocs(check);
  if (check && stale) {
    console.error('docs/errors.md is out of date; regenerate it with npm run docs:errors');
    process.exit(1);
  }
  console.error(stale ? 'wrote docs/errors.md' : 'docs/errors.md is up to date');
}
