"""RLinear: reversible instance normalisation around a single linear map over time.

Li et al., "Revisiting Long-term Time Series Forecasting: An Investigation on Linear Mapping"
(2023). Each window is normalised per channel (RevIN: subtract the mean, divide by the standard
deviation, then a learnable per-channel affine), mapped from L to H steps by one linear layer with
dropout on its input, and de-normalised with the inverse transform. `revin` switches the
normalisation off so that the system's external Dyn-RevIN wrapper can be used instead.
Simplification: the per-channel (`individual`) variant is one batched weight tensor.
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, revin: bool = True,
                 individual: bool = False, dropout: float = 0.0):
        super().__init__()
        self.revin = revin
        self.individual = individual
        self.eps = 1e-5
        if revin:
            self.affine_weight = nn.Parameter(torch.ones(enc_in))
            self.affine_bias = nn.Parameter(torch.zeros(enc_in))
        n = enc_in if individual else 1
        bound = 1.0 / math.sqrt(seq_len)  # nn.Linear's default initialisation range
        self.weight = nn.Parameter(torch.empty(n, pred_len, seq_len).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n, pred_len).uniform_(-bound, bound))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):  # x: (B, L, C)
        if self.revin:
            mean = x.mean(dim=1, keepdim=True).detach()
            std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + self.eps).detach()
            x = (x - mean) / std * self.affine_weight + self.affine_bias
        z = self.dropout(x)
        if self.individual:
            y = torch.einsum('blc,chl->bhc', z, self.weight) + self.bias.t().unsqueeze(0)
        else:
            y = torch.einsum('blc,hl->bhc', z, self.weight[0]) + self.bias[0].view(1, -1, 1)
        if self.revin:
            # Inverse affine (eps keeps the division safe if a weight crosses zero), then scale back.
            y = (y - self.affine_bias) / (self.affine_weight + self.eps * self.eps)
            y = y * std + mean
        return y


SEARCH_SPACE = {
    "revin": [True, False],
    "individual": [False, True],
    "dropout": [0.0, 0.1],
}
