import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../engine/search/cost.js';
import { zooFiles } from '../../../engine/models/registry.js';

describe('coverage cost estimate', () => {
  it('orders layer kinds attention > recurrence > convolution > linear, and by size within one', () => {
    const attn = estimateCost('self.a = nn.MultiheadAttention(16, 4)', null);
    const rnn = estimateCost('self.r = nn.LSTM(4, 8)', null);
    const conv = estimateCost('self.c = nn.Conv1d(4, 8, 3)', null);
    const lin = estimateCost('self.l = nn.Linear(96, 24)', 2328);
    expect([lin, conv, rnn, attn]).toEqual([...[lin, conv, rnn, attn]].sort((a, b) => a - b));
    expect(estimateCost('nn.Linear(1, 1)', 10)).toBeLessThan(estimateCost('nn.Linear(1, 1)', 1000));
    expect(estimateCost('nn.Linear(1, 1)', 1e12)).toBeLessThan(conv);
  });

  it('puts the linear baselines of the zoo before PatchTST', () => {
    const zoo = new Map(zooFiles().map((z) => [z.name, estimateCost(z.code, null)]));
    expect(zoo.get('dlinear')).toBeLessThan(zoo.get('patchtst') as number);
    expect(zoo.get('nlinear')).toBeLessThan(zoo.get('lstm') as number);
  });
});
