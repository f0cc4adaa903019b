/**
 * The layering as code. Over every import of engine/ tools/ server/ bots/ storage/ (type-only
 * ones included: a type circle is still two files that cannot be read apart):
 * - no circles;
 * - engine/ and storage/ import no MCP, Slack or Discord package and nothing of tools/, server/
 *   or bots/; tools/ imports nothing of server/ or bots/ and no Slack or Discord package;
 * - bots/ only translate: at run time they may use of the engine only BOTS_MAY_USE (the error
 *   type, the chat message model, the LLM client); everything else they reach through the tool
 *   registry (tools/). Type-only imports of the engine are contracts and are allowed.
 */
import { describe, expect, it } from 'vitest';
import { circles, importGraph, type ImportEdge } from './graph.js';

/** The engine modules bots/ may import at run time (prefixes end in `/` for a folder). */
const BOTS_MAY_USE = ['engine/errors.ts', 'engine/notify/message.ts', 'engine/llm/'] as const;

const PLATFORM_PACKAGES = /^(@modelcontextprotocol\/|@slack\/|discord\.js$|@discordjs\/)/;
const CHAT_PACKAGES = /^(@slack\/|discord\.js$|@discordjs\/)/;

const { files, edges } = importGraph();
const describeEdge = (e: ImportEdge): string => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`;
const under = (dir: string) => (file: string) => file.startsWith(`${dir}/`);

describe('the import graph', () => {
  it('is read from the tree', () => {
    expect(files).toContain('engine/errors.ts');
    expect(edges.some((e) => e.from === 'server/app.ts' && e.to === 'engine/config.ts' && e.typeOnly)).toBe(true);
    expect(edges.some((e) => e.from === 'bots/slack/bot.ts' && e.to === '@slack/bolt' && e.external)).toBe(true);
    // Every relative import resolves to a file of the tree.
    expect(edges.filter((e) => !e.external && !files.includes(e.to)).map(describeEdge)).toEqual([]);
  });

  it('has no circles', () => {
    expect(circles(files, edges)).toEqual([]);
  });

  it('keeps MCP, Slack, Discord and the edges out of engine/ and storage/', () => {
    const bad = edges.filter((e) => (under('engine')(e.from) || under('storage')(e.from)) && (e.external ? PLATFORM_PACKAGES.test(e.to) : /^(tools|server|bots)\//.test(e.to)));
    expect(bad.map(describeEdge)).toEqual([]);
  });

  it('loads discord.js only through bots/discord/discord-js.ts, which makes it safe after vega-lite', () => {
    const direct = edges.filter((e) => e.external && e.to === 'discord.js' && !e.typeOnly && e.from !== 'bots/discord/discord-js.ts');
    expect(direct.map(describeEdge)).toEqual([]);
  });

  it('keeps the servers and the chat platforms out of tools/', () => {
    const bad = edges.filter((e) => under('tools')(e.from) && (e.external ? CHAT_PACKAGES.test(e.to) : /^(server|bots)\//.test(e.to)));
    expect(bad.map(describeEdge)).toEqual([]);
  });

  it('lets bots/ use only the allowed engine modules at run time, and no storage or server', () => {
    const allowed = (to: string): boolean => BOTS_MAY_USE.some((m) => (m.endsWith('/') ? to.startsWith(m) : to === m));
    const bad = edges.filter((e) => under('bots')(e.from) && !e.typeOnly && ((under('engine')(e.to) && !allowed(e.to)) || under('storage')(e.to) || under('server')(e.to)));
    expect(bad.map(describeEdge)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, external: false, typeOnly });

  it('find a circle of three files and a file importing itself, and nothing in a tree', () => {
    const abc = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];
    expect(circles(abc, [edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts', true), edge('c.ts', 'd.ts')])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(circles(abc, [edge('d.ts', 'd.ts')])).toEqual([['d.ts']]);
    expect(circles(abc, [edge('a.ts', 'b.ts'), edge('a.ts', 'c.ts'), edge('b.ts', 'd.ts'), edge('c.ts', 'd.ts')])).toEqual([]);
  });
});
