import { describe, expect, it } from 'vitest';
import { checkAccess, RateLimiter } from '../../../bots/chat/access.js';
import { matchKeywords, parseCommand, tokenize } from '../../../bots/chat/grammar.js';
import { renderError, renderToolResult, tableFrom } from '../../../bots/chat/render.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import { getTool } from '../../../tools/index.js';
import { formatChatOrigin, parseChatOrigin } from '../../../tools/origin.js';

describe('chat grammar', () => {
  it('parses search with typed key=value options from the tool schema', () => {
    expect(parseCommand('search ds_x trials=6 sampler=tpe candidates=dlinear,patchtst epochs=2')).toEqual({
      kind: 'tool',
      command: 'search',
      tool: 'search',
      args: { dataset: 'ds_x', maxTrials: 6, sampler: 'tpe', candidates: ['dlinear', 'patchtst'], epochs: 2 },
    });
  });
  it('maps every command to its tool', () => {
    expect(parseCommand('datasets')).toMatchObject({ tool: 'list_datasets', args: {} });
    expect(parseCommand('models')).toMatchObject({ tool: 'list_models', args: {} });
    expect(parseCommand('status')).toMatchObject({ tool: 'search_status', args: {} });
    expect(parseCommand('status st_1')).toMatchObject({ tool: 'search_status', args: { study: 'st_1' } });
    expect(parseCommand('cancel st_1')).toMatchObject({ tool: 'cancel_search', args: { study: 'st_1' } });
    expect(parseCommand('benchmark st_1')).toMatchObject({ tool: 'benchmark', args: { study: 'st_1' } });
    expect(parseCommand('eda ds_1 is there a daily cycle?')).toMatchObject({ tool: 'run_eda', args: { dataset: 'ds_1', question: 'is there a daily cycle?' } });
    expect(parseCommand('load https://example.com/a.csv name=a')).toMatchObject({ tool: 'load_dataset', args: { url: 'https://example.com/a.csv', name: 'a' } });
    expect(parseCommand('load data/etth1.csv')).toMatchObject({ tool: 'load_dataset', args: { path: 'data/etth1.csv' } });
    expect(parseCommand('/automl help')).toEqual({ kind: 'help' });
    expect(parseCommand('')).toEqual({ kind: 'help' });
  });
  it('keeps the free text of generate, taking only known options', () => {
    expect(parseCommand('generate a tiny TCN with x=1 residuals dataset=ds_1 horizon=24')).toMatchObject({
      tool: 'generate_pytorch_model',
      args: { request: 'a tiny TCN with x=1 residuals', dataset: 'ds_1', horizon: 24 },
    });
  });
  it('takes a fenced code block as validate code', () => {
    const p = parseCommand('validate lookback=24\n```python\nclass Model: pass\n```');
    expect(p).toMatchObject({ tool: 'validate', args: { code: 'class Model: pass\n', lookback: 24 } });
  });
  it('refuses unknown options and bad numbers with a clear message', () => {
    expect(() => parseCommand('search ds trials=many')).toThrow(/maxTrials must be a number/);
    expect(() => parseCommand('search ds colour=blue')).toThrow(/no option "colour"/);
    expect(() => parseCommand('export st_1 out=/etc')).toThrow(/no option "out"/);
    expect(() => parseCommand('datasets extra words')).toThrow(/Unexpected/);
  });
  it('treats unknown first words as free text and tokenizes quotes', () => {
    expect(parseCommand('what can you do?')).toEqual({ kind: 'text', text: 'what can you do?' });
    expect(tokenize('a "b c" k="d e"')).toEqual(['a', 'b c', 'k=d e']);
  });
  it('matches keywords without an LLM', () => {
    expect(matchKeywords('show me my datasets please').run).toMatchObject({ tool: 'list_datasets' });
    const m = matchKeywords('I want to train something good');
    expect(m.run).toBeUndefined();
    expect(m.suggestions.join('\n')).toMatch(/search <dataset>/);
  });
});

describe('chat origins', () => {
  it('round-trips slack and discord origins', () => {
    const o = { platform: 'slack' as const, workspace: 'T1', channel: 'C1', thread: '1700000000.000100' };
    expect(formatChatOrigin(o)).toBe('slack:T1/C1/1700000000.000100');
    expect(parseChatOrigin(formatChatOrigin(o))).toEqual(o);
    expect(parseChatOrigin('cli')).toBeUndefined();
  });
});

describe('rendering', () => {
  it('turns arrays of records into a table and long code into a file', () => {
    const tool = getTool('generate_pytorch_model');
    const code = Array.from({ length: 60 }, (_, i) => `x${i} = ${i}`).join('\n');
    const r = renderToolResult(tool, {
      data: { ok: true, rows: [{ name: 'a', v: 1.23456, tags: ['x', 'y'], nested: { a: 1 } }] },
      summary: 'done',
      attachments: [
        { name: 'model.py', text: code },
        { name: 'reflection-log.txt', text: 'log' },
      ],
      images: [{ name: 'plot', title: 'Plot', png: Buffer.from('png') }],
    });
    expect(r.message.text).toBe('done');
    expect(r.message.table).toEqual({ columns: ['name', 'v', 'tags'], rows: [['a', '1.235', 'x, y']] });
    expect(r.message.code?.filename).toBe('model.py');
    expect(r.files.map((f) => f.name)).toEqual(['model.py', 'reflection-log.txt']);
    expect(r.message.images?.[0]?.name).toBe('plot.png');
    expect(tableFrom({ a: 1 })).toBeUndefined();
  });
  it('renders errors with their hint and code', () => {
    const r = renderError(new GenAutoMLError('data.empty_file', 'Bad file.', { hint: 'Fix it.' }));
    expect(r.message).toMatchObject({ tone: 'danger', text: 'Bad file.\nFix it.', footer: 'data.empty_file' });
  });
});

describe('access and rate limits', () => {
  const open = { allowedWorkspaces: [], allowedChannels: [], allowedUsers: [] };
  it('allows everyone when the lists are empty and refuses outsiders clearly', () => {
    const caller = { workspace: 'T1', channel: 'C1', user: 'U1' };
    expect(checkAccess(open, caller)).toBeUndefined();
    expect(checkAccess({ ...open, allowedWorkspaces: ['T2'] }, caller)).toMatch(/workspace/);
    expect(checkAccess({ ...open, allowedChannels: ['C2'] }, caller)).toMatch(/channel/);
    expect(checkAccess({ ...open, allowedUsers: ['U2'] }, caller)).toMatch(/You are not allowed/);
    expect(checkAccess({ allowedWorkspaces: ['T1'], allowedChannels: ['C1'], allowedUsers: ['U1'] }, caller)).toBeUndefined();
  });
  it('limits each user to N per minute and refills over time', () => {
    let now = 0;
    const rl = new RateLimiter(2, () => now);
    expect(rl.take('u').ok).toBe(true);
    expect(rl.take('u').ok).toBe(true);
    const refused = rl.take('u');
    expect(refused).toEqual({ ok: false, retryAfterMs: 30_000 });
    expect(rl.take('other').ok).toBe(true);
    now = 30_000;
    expect(rl.take('u').ok).toBe(true);
  });
});
