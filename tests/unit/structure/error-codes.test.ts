/**
 * The closed list of error codes (engine/errors/codes.ts) stays the list of codes in use: the type
 * checker refuses a code that is not listed, and this refuses a listed code that nothing raises or
 * records any more (a dead entry would document a failure that cannot happen).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../engine/errors/codes.js';
import { ROOT } from './graph.js';

const LIST = 'engine/errors/codes.ts';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel));
    else if (/\.(ts|py|js)$/.test(entry.name) && rel !== LIST) out.push(rel);
  }
  return out;
}

const source = ['engine', 'server', 'storage', 'bots', 'tools', 'bench', 'bin'].flatMap(files).map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));

describe('the error code list', () => {
  it('lists only codes that source raises or records', () => {
    const used = (code: string): boolean => source.some((text) => text.includes(`'${code}'`) || text.includes(`"${code}"`));
    expect(Object.keys(ERROR_CODES).filter((c) => !used(c))).toEqual([]);
  });

  it('names each code area.reason in lower snake case, with a one-line meaning and hint', () => {
    for (const [code, { meaning, hint }] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+\.[a-z][a-z0-9_]*$/);
      for (const text of [meaning, hint]) {
        expect(text.length, code).toBeGreaterThan(10);
        expect(text, code).not.toContain('\n');
        expect(text, code).toMatch(/[.)]$/);
      }
    }
  });
});
