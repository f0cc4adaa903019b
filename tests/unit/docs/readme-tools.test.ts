/** The README's list of MCP tools is the registry's: a tool added or renamed shows up there. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { TOOLS } from '../../../tools/index.js';

it('names every registered tool, and no other, in the README', () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
  const para = /Every command is also an MCP tool:([\s\S]*?)\. Stored objects/.exec(readme)?.[1] ?? '';
  const listed = [...para.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort();
  expect(listed).toEqual(TOOLS.map((t) => t.name).sort());
});
