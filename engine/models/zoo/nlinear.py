"""NLinear: one linear map over time applied to the window minus its last value.

Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (AAAI 2023). Subtracting the
last observed value (and adding it back to the forecast) is a minimal normalisation against level
shifts between training and test data; a single linear layer maps the L past steps to the H future
steps. Channels share the layer unless `individual` is set. Simplification: the per-channel variant
is one batched weight tensor rather than a list of layers.
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, individual: bool = False):
        super().__init__()
        self.individual = individual
        n = enc_in if individual else 1
        bound = 1.0 / math.sqrt(seq_len)  # nn.Linear's default initialisation range
        self.weight = nn.Parameter(torch.empty(n, pred_len, seq_len).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n, pred_len).uniform_(-bound, bound))

    def forward(self, x):  # x: (B, L, C)
        last = x[:, -1:, :].detach()  # the anchor is data, not something to learn through
        z = x - last
        if self.individual:
            y = torch.einsum('blc,chl->bhc', z, self.weight) + self.bias.t().unsqueeze(0)
        else:
            y = torch.einsum('blc,hl->bhc', z, self.weight[0]) + self.bias[0].view(1, -1, 1)
        return y + last


SEARCH_SPACE = {
    "individual": [False, True],
}
