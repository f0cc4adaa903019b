/**
 * The reflection loop against the real sandboxed runner (torch):
 * the method's repair cases replayed with scripted replies. Each broken model fails for real, the
 * repair prompt must carry the real traceback, and the corrected model must validate.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateModel, type ArchitectProgress } from '../../../engine/architect/loop.js';
import { createArchitectProvider } from '../../../engine/architect/providers/index.js';
import { ScriptedProvider } from '../../../engine/architect/providers/scripted.js';
import { loadConfig } from '../../../engine/config.js';
import { GenAutoMLError } from '../../../engine/errors.js';
import type { ModelDims } from '../../../engine/runner/types.js';
import { completion, startChatServer } from '../../fixtures/architect/chat-server.js';
import { RunnerValidator } from '../../fixtures/architect/runner-validator.js';

/** Each validation starts Python and torch; on a loaded two-core machine that takes seconds. */
const PYTHON_TIMEOUT_MS = 240_000;
const dims: ModelDims = { task: 'forecasting', lookback: 96, horizon: 24, nFeatures: 7 };
const validator = new RunnerValidator();
afterAll(() => validator.close());

/** A reply the way an LLM writes it: one python block with imports, the model and a space. */
function reply(body: string, space = '{}'): string {
  return ['```python', 'import torch', 'import torch.nn as nn', 'import torch.nn.functional as F', '', body.trim(), '', `SEARCH_SPACE = ${space}`, '```'].join('\n');
}

const FIXED_LINEAR = `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.projection = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        return self.projection(x.transpose(1, 2)).transpose(1, 2)
`;

interface RepairCase {
  name: string;
  broken: string;
  fixed: string;
  stage: string;
  /** Text of the real error that must reach the LLM. */
  expect: RegExp[];
}

const CASES: RepairCase[] = [
  {
    name: 'missing projection attribute',
    broken: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.encoder = nn.Linear(seq_len, 64)

    def forward(self, x):
        h = torch.relu(self.encoder(x.transpose(1, 2)))
        return self.projection(h).transpose(1, 2)
`,
    fixed: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.encoder = nn.Linear(seq_len, 64)
        self.projection = nn.Linear(64, pred_len)

    def forward(self, x):
        h = torch.relu(self.encoder(x.transpose(1, 2)))
        return self.projection(h).transpose(1, 2)
`,
    stage: 'forward',
    expect: [/AttributeError: 'Model' object has no attribute 'projection'/, /File "model.py", line 12, in forward/, /Offending line 12: return self\.projection\(h\)\.transpose\(1, 2\)/],
  },
  {
    name: 'concatenation mismatch',
    broken: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.trend = nn.Linear(seq_len, pred_len)
        self.head = nn.Linear(seq_len + pred_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)
        both = torch.cat([z, self.trend(z)], dim=1)
        return self.head(both).transpose(1, 2)
`,
    fixed: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.trend = nn.Linear(seq_len, pred_len)
        self.head = nn.Linear(seq_len + pred_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)
        both = torch.cat([z, self.trend(z)], dim=-1)
        return self.head(both).transpose(1, 2)
`,
    stage: 'forward',
    expect: [/RuntimeError: Sizes of tensors must match except in dimension 1/, /line 13, in forward/, /torch\.cat\(\[z, self\.trend\(z\)\], dim=1\)/],
  },
  {
    name: 'channel alignment in a residual block',
    broken: `
class ResBlock(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv1 = nn.Conv1d(in_ch, out_ch, 3, padding=1)
        self.conv2 = nn.Conv1d(out_ch, out_ch, 3, padding=1)

    def forward(self, h):
        return torch.relu(self.conv2(torch.relu(self.conv1(h))) + h)


class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, channels=32):
        super().__init__()
        self.block = ResBlock(enc_in, channels)
        self.out = nn.Conv1d(channels, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        h = self.block(x.transpose(1, 2))
        return self.time(self.out(h)).transpose(1, 2)
`,
    fixed: `
class ResBlock(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv1 = nn.Conv1d(in_ch, out_ch, 3, padding=1)
        self.conv2 = nn.Conv1d(out_ch, out_ch, 3, padding=1)
        self.shortcut = nn.Conv1d(in_ch, out_ch, 1)

    def forward(self, h):
        return torch.relu(self.conv2(torch.relu(self.conv1(h))) + self.shortcut(h))


class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, channels=32):
        super().__init__()
        self.block = ResBlock(enc_in, channels)
        self.out = nn.Conv1d(channels, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        h = self.block(x.transpose(1, 2))
        return self.time(self.out(h)).transpose(1, 2)
`,
    stage: 'forward',
    expect: [/The size of tensor a \(32\) must match the size of tensor b \(7\) at non-singleton dimension 1/, /line 12, in forward/, /line 23, in forward/],
  },
  {
    name: 'sequence-length reduction',
    broken: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        # An unpadded convolution shortens the window by 4 steps; the head still expects seq_len.
        self.conv = nn.Conv1d(enc_in, enc_in, kernel_size=5)
        self.head = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        h = self.conv(x.transpose(1, 2))
        return self.head(h).transpose(1, 2)
`,
    fixed: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.conv = nn.Conv1d(enc_in, enc_in, kernel_size=5, padding=2)
        self.head = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        h = self.conv(x.transpose(1, 2))
        return self.head(h).transpose(1, 2)
`,
    stage: 'forward',
    expect: [/mat1 and mat2 shapes cannot be multiplied/, /File "model.py", line \d+, in forward/],
  },
  {
    name: 'parameter broadcasting',
    broken: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.head = nn.Linear(seq_len, pred_len)
        self.scale = nn.Parameter(torch.ones(enc_in))

    def forward(self, x):
        y = self.head(x.transpose(1, 2))
        y = y * self.scale
        return y.transpose(1, 2)
`,
    fixed: `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.head = nn.Linear(seq_len, pred_len)
        self.scale = nn.Parameter(torch.ones(enc_in))

    def forward(self, x):
        y = self.head(x.transpose(1, 2)).transpose(1, 2)
        return y * self.scale
`,
    stage: 'forward',
    expect: [/The size of tensor a \(24\) must match the size of tensor b \(7\) at non-singleton dimension 2/, /Offending line 13: y = y \* self\.scale/],
  },
];

describe('reflection loop: the method repair cases', { timeout: PYTHON_TIMEOUT_MS }, () => {
  for (const c of CASES) {
    it(`repairs a ${c.name}`, async () => {
      const provider = new ScriptedProvider([reply(c.broken), reply(c.fixed)]);
      const result = await generateModel({ request: 'a small model', dims, provider, validator });
      expect(result.ok, result.log).toBe(true);
      expect(result.iterations).toHaveLength(2);
      const first = result.iterations[0];
      expect(first?.error?.stage).toBe(c.stage);
      // The repair request is the second call's last message, and must carry the real error.
      const repair = provider.calls[1]?.messages.at(-1);
      expect(repair?.role).toBe('user');
      for (const re of c.expect) expect(repair?.content).toMatch(re);
      if (c.stage !== 'shape') expect(repair?.content).toContain('Traceback (model frames only):');
      // The assistant turn before it is the broken code, so the model sees what it wrote.
      expect(provider.calls[1]?.messages.at(-2)?.content).toContain(c.broken.trim().split('\n')[0] ?? '');
      expect(result.report?.ok).toBe(true);
      expect(result.report?.outputShape).toEqual([2, 24, 7]);
      expect(result.log).toContain(`Validation: FAILED at ${c.stage}`);
      expect(result.log).toContain('Result: valid model after 2 iterations.');
    });
  }
});

describe('reflection loop: other failures', { timeout: PYTHON_TIMEOUT_MS }, () => {
  it('applies administrative fixes without spending an iteration', async () => {
    const renamed = ['Here is my design.', '```py', 'import torch', 'import torch.nn as nn', '', 'class Forecaster(nn.Module):',
      '\tdef __init__(self, seq_len, pred_len, enc_in):', '\t\tsuper(Forecaster, self).__init__()', '\t\tself.projection = nn.Linear(seq_len, pred_len)', '',
      '\tdef forward(self, x):', '\t\treturn self.projection(x.transpose(1, 2)).transpose(1, 2)', '```'].join('\r\n');
    const provider = new ScriptedProvider([renamed]);
    const result = await generateModel({ request: 'linear', dims, provider, validator, existingNames: ['Forecaster'] });
    expect(result.ok, result.log).toBe(true);
    expect(result.iterations).toHaveLength(1);
    expect(result.iterations[0]?.fixes).toEqual([
      'renamed class Forecaster to Model (the contract\'s class name)',
      'added an empty SEARCH_SPACE',
      'name Forecaster is taken; using Forecaster_2',
    ]);
    expect(result.name).toBe('Forecaster_2');
    expect(result.code).toContain('super(Model, self).__init__()');
    expect(result.log).toContain('System fix (not counted): renamed class Forecaster to Model');
  });

  it('asks again when the reply has no code, and repairs a policy violation with its line', async () => {
    const withOs = reply(`
import os

class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.projection = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        return self.projection(x.transpose(1, 2)).transpose(1, 2)
`);
    const provider = new ScriptedProvider(['I would use a linear model.', withOs, reply(FIXED_LINEAR)]);
    const result = await generateModel({ request: 'linear', dims, provider, validator });
    expect(result.ok, result.log).toBe(true);
    expect(result.iterations.map((i) => i.error?.stage ?? 'ok')).toEqual(['extract', 'policy', 'ok']);
    expect(provider.calls[1]?.messages.at(-1)?.content).toContain('could not be used: the reply contains no Python code block');
    const policyRepair = provider.calls[2]?.messages.at(-1)?.content ?? '';
    expect(policyRepair).toMatch(/line 5, col 0 \[import\]: import of 'os' is not allowed/);
    expect(policyRepair).toContain('Offending line 5: import os');
    expect(policyRepair).toContain('Earlier attempts failed with:\n  1. extract:');
  });

  it('repairs NaN output, dead gradients and a budget overrun in turn', async () => {
    const nan = `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.projection = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        return torch.log(-torch.ones(1)) + self.projection(x.transpose(1, 2)).transpose(1, 2)
`;
    const dead = `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in):
        super().__init__()
        self.projection = nn.Linear(seq_len, pred_len)
        self.unused = nn.Linear(4, 4)

    def forward(self, x):
        return self.projection(x.transpose(1, 2)).transpose(1, 2)
`;
    const big = `
class Model(nn.Module):
    def __init__(self, seq_len, pred_len, enc_in, hidden=512):
        super().__init__()
        self.a = nn.Linear(seq_len, hidden)
        self.b = nn.Linear(hidden, pred_len)

    def forward(self, x):
        return self.b(torch.relu(self.a(x.transpose(1, 2)))).transpose(1, 2)
`;
    const provider = new ScriptedProvider([reply(nan), reply(dead), reply(big, '{"hidden": [256, 512]}'), reply(FIXED_LINEAR)]);
    const events: ArchitectProgress[] = [];
    const result = await generateModel({
      request: 'linear',
      dims,
      provider,
      validator,
      constraints: { paramBudget: 10_000 },
      onProgress: (e) => events.push(e),
    });
    expect(result.ok, result.log).toBe(true);
    expect(result.iterations.map((i) => i.error?.stage ?? 'ok')).toEqual(['finite', 'gradient', 'budget', 'ok']);
    expect(provider.calls[2]?.messages.at(-1)?.content).toContain('receive no gradient (unused in forward?): unused.weight, unused.bias');
    expect(provider.calls[3]?.messages.at(-1)?.content).toMatch(/Error: model has 61,976 trainable parameters; the budget is 10,000/);
    expect(validator.calls.at(-1)?.paramBudget).toBe(10_000);
    expect(events.at(-1)?.phase).toBe('done');
    expect(events.filter((e) => e.phase === 'validating')).toHaveLength(4);
    expect(result.tokens.completionTokens).toBeGreaterThan(0);
  });

  it('fails after N iterations with the last error and the log (latency over budget)', async () => {
    const provider = new ScriptedProvider([reply(FIXED_LINEAR), reply(FIXED_LINEAR)]);
    const result = await generateModel({ request: 'linear', dims, provider, validator, maxIterations: 2, constraints: { latencyMsBudget: 0.000001 } });
    expect(result.ok).toBe(false);
    expect(result.iterations).toHaveLength(2);
    expect(result.error?.stage).toBe('latency');
    expect(result.error?.message).toMatch(/forward latency .* ms at batch 1, over the budget of 0.000001 ms/);
    expect(result.code).toContain('class Model');
    expect(result.log).toContain('Result: FAILED — no valid model after 2 iterations');
    expect(provider.calls).toHaveLength(2);
  });

  it('propagates a provider failure with the trace so far', async () => {
    const provider = new ScriptedProvider([reply(FIXED_LINEAR.replace('self.projection = ', 'self.proj = ')), new GenAutoMLError('llm.rate_limited', 'Groq rate-limited the request')]);
    const err = await generateModel({ request: 'linear', dims, provider, validator }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenAutoMLError);
    expect((err as GenAutoMLError).code).toBe('llm.rate_limited');
    expect((err as GenAutoMLError).details?.iteration).toBe(2);
    expect(String((err as GenAutoMLError).details?.log)).toContain("AttributeError: 'Model' object has no attribute 'projection'");
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const provider = new ScriptedProvider([reply(FIXED_LINEAR)]);
    await expect(generateModel({ request: 'x', dims, provider, validator, signal: controller.signal })).rejects.toMatchObject({ code: 'architect.cancelled' });
    expect(provider.calls).toHaveLength(0);
  });
});

describe('reflection loop over HTTP', { timeout: PYTHON_TIMEOUT_MS }, () => {
  it('sends the real traceback back to an OpenAI-compatible endpoint and ends with a valid model', async () => {
    const broken = CASES[0]!;
    const server = await startChatServer([{ body: completion(reply(broken.broken)) }, { body: completion(`<think>add the projection</think>\n${reply(broken.fixed)}`) }]);
    try {
      const provider = createArchitectProvider(loadConfig({ GENAUTOML_LLM_BASE_URL: `${server.url}/v1`, GENAUTOML_LLM_MODEL: 'llama-test', GENAUTOML_LLM_MAX_RETRIES: '0' }));
      const result = await generateModel({ request: 'an MLP', dims, provider, validator, edaContext: 'dominant periods (in steps): 24' });
      expect(result.ok, result.log).toBe(true);
      expect(result.provider).toBe('openai');
      expect(result.tokens).toEqual({ promptTokens: 246, completionTokens: 90 });
      const second = server.requests[1]?.body as { messages: { role: string; content: string }[] };
      expect(second.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(second.messages[0]?.content).toContain('dominant periods (in steps): 24');
      expect(second.messages[3]?.content).toContain("AttributeError: 'Model' object has no attribute 'projection'");
    } finally {
      await server.close();
    }
  });
});
