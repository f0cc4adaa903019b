/** docs/: every relative link points at a file that exists (the bot guides may be written later). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/app.js';

const DOCS = path.join(ROOT, 'docs');
const PENDING = new Set(['slack.md', 'discord.md']);

describe('docs links', () => {
  it.each(fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')))('%s links only to existing files', (file) => {
    const text = fs.readFileSync(path.join(DOCS, file), 'utf8');
    for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target) || PENDING.has(target)) continue;
      expect(fs.existsSync(path.resolve(DOCS, target)), `${file} → ${target}`).toBe(true);
    }
  });

  it('the MCP guide has the stdio and HTTP snippets', () => {
    const mcp = fs.readFileSync(path.join(DOCS, 'mcp.md'), 'utf8');
    const blocks = [...mcp.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, Record<string, Record<string, unknown>>>);
    expect(blocks[0]!.mcpServers!.genautoml).toMatchObject({ command: 'npx', args: ['genautoml', 'mcp'] });
    expect(blocks.some((b) => JSON.stringify(b).includes('"Authorization":"Bearer <GENAUTOML_HTTP_TOKEN>"'))).toBe(true);
  });
});
