"""iTransformer: a Transformer whose tokens are whole variates rather than time steps.

Liu et al., "iTransformer: Inverted Transformers Are Effective for Time Series Forecasting" (ICLR
2024). Each channel's full lookback window is embedded by one linear layer into a token; self-
attention then mixes information across variates, a feed-forward network and LayerNorm act on
each variate token, and a linear projection maps every token to its H-step forecast. The paper's
series-wise normalisation (subtract the window mean, divide by its standard deviation, undo on the
output) is kept behind `use_norm`. Simplifications: no timestamp covariate tokens (the contract
passes values only), attention written out by hand for torch 1.13-2.x, and with a single variate
the query/key projections are not created, because softmax over one token is constant and they
would never receive a gradient. Defaults are narrower than the paper's ETTh1 setting (d_model
256, lr 1e-4): at the search's learning rate of 1e-3 the wide model overfits ETTh1 within one or two
epochs, and d_model 64 / d_ff 128 scored best of the widths tried (see tests/fixtures/zoo).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class VariateAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float, n_tokens: int):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.mixes = n_tokens > 1
        if self.mixes:
            self.q = nn.Linear(d_model, d_model)
            self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.attn_dropout = nn.Dropout(dropout)

    def forward(self, x):  # (B, N, D)
        b, n, d = x.shape
        v = self.v(x)
        if not self.mixes:
            return self.out(v)
        q = self.q(x).view(b, n, self.n_heads, self.d_head).transpose(1, 2)
        k = self.k(x).view(b, n, self.n_heads, self.d_head).transpose(1, 2)
        v = v.view(b, n, self.n_heads, self.d_head).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.d_head)
        attn = self.attn_dropout(F.softmax(scores, dim=-1))
        return self.out(torch.matmul(attn, v).transpose(1, 2).reshape(b, n, d))


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float, n_tokens: int):
        super().__init__()
        self.attn = VariateAttention(d_model, n_heads, dropout, n_tokens)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout),
                                nn.Linear(d_ff, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.norm1(x + self.dropout(self.attn(x)))
        return self.norm2(x + self.dropout(self.ff(x)))


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, d_model: int = 64,
                 n_heads: int = 8, e_layers: int = 2, d_ff: int = 128, dropout: float = 0.1,
                 use_norm: bool = True):
        super().__init__()
        self.use_norm = use_norm
        if d_model % n_heads != 0:
            n_heads = math.gcd(d_model, n_heads)
        self.embed = nn.Linear(seq_len, d_model)
        self.embed_dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            [EncoderLayer(d_model, n_heads, d_ff, dropout, enc_in) for _ in range(e_layers)])
        self.norm = nn.LayerNorm(d_model)
        self.project = nn.Linear(d_model, pred_len)

    def forward(self, x):  # x: (B, L, C)
        if self.use_norm:
            mean = x.mean(dim=1, keepdim=True).detach()
            std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + 1e-5).detach()
            x = (x - mean) / std
        h = self.embed_dropout(self.embed(x.permute(0, 2, 1)))  # (B, C, D): one token per variate
        for layer in self.layers:
            h = layer(h)
        y = self.project(self.norm(h)).permute(0, 2, 1)  # (B, H, C)
        if self.use_norm:
            y = y * std + mean
        return y


SEARCH_SPACE = {
    "d_model": [64, 128, 256],
    "e_layers": [1, 2, 3],
    "d_ff": [128, 256],
    "dropout": [0.1, 0.2],
    "use_norm": [True, False],
}
