"""DLinear: series decomposition followed by two linear maps over time.

Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (AAAI 2023). The input is
split into a trend (moving average with edge replication) and a seasonal remainder; each part is
mapped from L to H steps by its own linear layer and the two forecasts are summed. Channels share
the linear layers unless `individual` is set. Simplifications: the moving-average kernel is clamped
to the lookback so that short windows still work, and the per-channel variant is one batched weight
tensor instead of a list of layers (same maths, faster).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MovingAvg(nn.Module):
    """Moving average over time with the first/last value repeated at the edges, so the trend has
    the same length as the input and is not pulled towards zero at the borders."""

    def __init__(self, kernel_size: int):
        super().__init__()
        self.kernel_size = kernel_size

    def forward(self, x):  # x: (B, L, C)
        k = self.kernel_size
        front = x[:, :1, :].repeat(1, (k - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, k - 1 - (k - 1) // 2, 1)
        padded = torch.cat([front, x, end], dim=1)
        return F.avg_pool1d(padded.permute(0, 2, 1), kernel_size=k, stride=1).permute(0, 2, 1)


class TimeLinear(nn.Module):
    """Linear map L -> H along time, shared by all channels or one per channel."""

    def __init__(self, seq_len: int, pred_len: int, channels: int, individual: bool):
        super().__init__()
        self.individual = individual
        n = channels if individual else 1
        bound = 1.0 / math.sqrt(seq_len)  # nn.Linear's default initialisation range
        self.weight = nn.Parameter(torch.empty(n, pred_len, seq_len).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n, pred_len).uniform_(-bound, bound))

    def forward(self, x):  # (B, L, C) -> (B, H, C)
        if self.individual:
            return torch.einsum('blc,chl->bhc', x, self.weight) + self.bias.t().unsqueeze(0)
        return torch.einsum('blc,hl->bhc', x, self.weight[0]) + self.bias[0].view(1, -1, 1)


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, moving_avg: int = 25,
                 individual: bool = False):
        super().__init__()
        kernel = max(1, min(int(moving_avg), seq_len))
        self.decomp = MovingAvg(kernel)
        self.seasonal = TimeLinear(seq_len, pred_len, enc_in, individual)
        self.trend = TimeLinear(seq_len, pred_len, enc_in, individual)

    def forward(self, x):  # x: (B, L, C)
        trend = self.decomp(x)
        seasonal = x - trend
        return self.seasonal(seasonal) + self.trend(trend)


SEARCH_SPACE = {
    "moving_avg": [13, 25, 49],
    "individual": [False, True],
}
