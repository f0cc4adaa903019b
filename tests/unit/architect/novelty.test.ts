import { describe, expect, it } from 'vitest';
import { fingerprints } from '../../../engine/architect/novelty.js';
import { pythonPath } from '../../../engine/config.js';

const A = `import torch.nn as nn

class Block(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.lin = nn.Linear(n, n)

class Model(nn.Module):
    """A linear map over time."""

    def __init__(self, seq_len, pred_len, enc_in, width=16):
        super().__init__()
        self.proj = nn.Linear(seq_len, pred_len)  # the only layer

    def forward(self, x):
        y = self.proj(x.transpose(1, 2))
        return y.transpose(1, 2)

SEARCH_SPACE = {"width": [8, 16]}
`;

describe('novelty fingerprints (normalised AST)', () => {
  const python = pythonPath(undefined);

  it('match when only comments, docstrings, formatting and own names differ', async () => {
    const renamed = A.replace(/self\.proj/g, 'self.time_map').replace(/\by\b/g, 'out').replace(/Block/g, 'Unit').replace('"""A linear map over time."""', '"""Something new!"""').replace('  # the only layer', '').replace('(x.transpose(1, 2))', '( x.transpose( 1, 2 ) )');
    const [a, b] = await fingerprints([A, renamed], python);
    expect(a).toMatch(/^ast:[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it('differ when a layer, a constant or the search space changes', async () => {
    const [a, conv, wider, space] = await fingerprints([A, A.replace('nn.Linear(seq_len', 'nn.Conv1d(seq_len'), A.replace('width=16', 'width=32'), A.replace('[8, 16]', '[8, 16, 32]')], python);
    expect(new Set([a, conv, wider, space]).size).toBe(4);
  });

  it('falls back to a text hash for code that does not parse, without running anything', async () => {
    const [bad, same, other] = await fingerprints(['def broken(:\n  pass  # x', 'def broken(:\n  pass', 'class (:'], python);
    expect(bad).toMatch(/^text:/);
    expect(same).toBe(bad);
    expect(other).not.toBe(bad);
  });
});
