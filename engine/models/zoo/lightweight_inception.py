"""LightweightInception: a small InceptionTime-style network for forecasting.

Ismail Fawaz et al., "InceptionTime: Finding AlexNet for Time Series Classification" (Data Mining
and Knowledge Discovery, 2020), made lightweight; one of the GenAutoML method's reference families.
Each Inception module squeezes its input with a 1x1 bottleneck, runs parallel convolutions with
short, medium and long kernels on it, adds a max-pool branch followed by a 1x1 convolution,
concatenates the branches, and applies BatchNorm and ReLU; modules are stacked with a residual
shortcut around the stack. A 1x1 convolution maps the features back to the C channels as a residual
correction of the input, and a linear map over time produces the H steps. Simplifications: few
filters, kernels clamped to the lookback, one residual shortcut instead of one every three modules,
and a forecasting head instead of the classifier.
"""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


class InceptionModule(nn.Module):
    def __init__(self, c_in: int, filters: int, bottleneck: int, kernels: List[int]):
        super().__init__()
        self.bottleneck = nn.Conv1d(c_in, bottleneck, 1, bias=False)
        self.branches = nn.ModuleList(
            [nn.Conv1d(bottleneck, filters, k, padding=k // 2, bias=False) for k in kernels])
        self.pool_conv = nn.Conv1d(c_in, filters, 1, bias=False)
        self.bn = nn.BatchNorm1d(filters * (len(kernels) + 1))

    def forward(self, x):  # (B, D, L)
        n = x.shape[-1]
        z = self.bottleneck(x)
        outs = [branch(z)[..., :n] for branch in self.branches]
        outs.append(self.pool_conv(F.max_pool1d(x, 3, stride=1, padding=1)))
        return F.relu(self.bn(torch.cat(outs, dim=1)))


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, filters: int = 8,
                 depth: int = 2, max_kernel: int = 39, bottleneck: int = 16,
                 dropout: float = 0.1):
        super().__init__()
        longest = max(3, min(int(max_kernel), seq_len))
        # Short, medium and long kernels, odd so that same padding keeps the length.
        kernels = sorted({max(1, longest // 4) | 1, max(1, longest // 2) | 1, longest | 1})
        width = filters * (len(kernels) + 1)
        self.stack = nn.ModuleList(
            [InceptionModule(enc_in if i == 0 else width, filters, bottleneck, kernels)
             for i in range(depth)])
        self.shortcut = nn.Sequential(nn.Conv1d(enc_in, width, 1, bias=False),
                                      nn.BatchNorm1d(width))
        self.dropout = nn.Dropout(dropout)
        self.to_channels = nn.Conv1d(width, enc_in, 1)
        # Small start for the correction (cf. zero-init of residual branches, Goyal et al.
        # 2017): the model begins close to the temporal linear map and the convolutions
        # learn what it misses; not zero, so that every layer gets a gradient at once.
        with torch.no_grad():
            self.to_channels.weight.mul_(0.1)

        self.temporal = nn.Linear(seq_len, pred_len)

    def forward(self, x):  # x: (B, L, C)
        z = x.permute(0, 2, 1)
        h = z
        for module in self.stack:
            h = module(h)
        h = F.relu(h + self.shortcut(z))
        z = z + self.to_channels(self.dropout(h))
        return self.temporal(z).permute(0, 2, 1)


SEARCH_SPACE = {
    "filters": [8, 16, 32],
    "depth": [1, 2, 3],
    "max_kernel": [19, 39],
    "dropout": [0.0, 0.1],
}
