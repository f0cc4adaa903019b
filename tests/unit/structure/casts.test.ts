/**
 * No double casts in source. `x as unknown as T` tells the type checker to believe anything; where
 * a value comes from outside the process (database rows, JSON columns, platform payloads) it is
 * parsed with a zod schema instead, and where the types merely disagree a type guard says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SOURCE_DIRS } from './graph.js';

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** `file:line` of every `as unknown as` (any spacing, across a line break too) in `text`. */
export function doubleCasts(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bas\s+unknown\s+as\b/g)) out.push(`${file}:${text.slice(0, m.index).split('\n').length}`);
  return out;
}

describe('casts', () => {
  it('finds double casts (the check itself)', () => {
    expect(doubleCasts('a.ts', 'const a = 1;\nconst b = row as unknown as Row;\nconst c = x as\n  unknown as Y;')).toEqual(['a.ts:2', 'a.ts:3']);
    expect(doubleCasts('a.ts', 'const a = b as Row; // unknown as a word')).toEqual([]);
  });

  it('has no `as unknown as` in engine, tools, server, bots or storage', () => {
    const found = SOURCE_DIRS.flatMap(tsFiles).flatMap((f) => doubleCasts(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
