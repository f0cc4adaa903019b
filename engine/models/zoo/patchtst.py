"""PatchTST: a channel-independent Transformer over patches of each series.

Nie et al., "A Time Series is Worth 64 Words: Long-term Forecasting with Transformers" (ICLR
2023). Every channel is treated as its own univariate series (weights shared across channels):
the window is instance-normalised (RevIN), padded at the end by `stride` copies of the last value,
cut into overlapping patches, each patch is embedded linearly with a learnable position
embedding, a Transformer encoder with BatchNorm (as in the paper) mixes the patches, and a flatten
head maps all patch embeddings to the H-step forecast. Simplifications: the supervised model only
(no masked pre-training), no residual-attention variant, patch length and stride are clamped so any
L >= 1 yields at least two patches, and the attention is written out by hand so that the same code
runs on torch 1.13 and 2.x. The defaults are the paper's setting for the small ETT datasets
(d_model 16, 4 heads, d_ff 128, 3 layers, dropout 0.3), which is also cheap on a CPU.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.attn_dropout = nn.Dropout(dropout)

    def forward(self, x):  # (N, T, D)
        n, t, d = x.shape
        q, k, v = self.qkv(x).view(n, t, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.d_head)
        attn = self.attn_dropout(F.softmax(scores, dim=-1))
        y = torch.matmul(attn, v).transpose(1, 2).reshape(n, t, d)
        return self.out(y)


class BatchNormTokens(nn.Module):
    """BatchNorm over the feature dimension of (N, T, D) token sequences; the paper prefers it to
    LayerNorm because it copes better with outliers in time-series patches."""

    def __init__(self, d_model: int):
        super().__init__()
        self.bn = nn.BatchNorm1d(d_model)

    def forward(self, x):
        return self.bn(x.transpose(1, 2)).transpose(1, 2)


class EncoderLayer(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float):
        super().__init__()
        self.attn = SelfAttention(d_model, n_heads, 0.0)
        self.norm1 = BatchNormTokens(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout),
                                nn.Linear(d_ff, d_model))
        self.norm2 = BatchNormTokens(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):  # post-norm, as in the paper's encoder
        x = self.norm1(x + self.dropout(self.attn(x)))
        return self.norm2(x + self.dropout(self.ff(x)))


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, patch_len: int = 16,
                 stride: int = 8, d_model: int = 16, n_heads: int = 4, e_layers: int = 3,
                 d_ff: int = 128, dropout: float = 0.3, head_dropout: float = 0.0,
                 revin: bool = True):
        super().__init__()
        self.pred_len = pred_len
        self.revin = revin
        self.eps = 1e-5
        self.patch_len = max(1, min(int(patch_len), seq_len))
        self.stride = max(1, min(int(stride), self.patch_len))
        # End padding by `stride` guarantees the last observed value is inside a patch.
        self.num_patches = (seq_len + self.stride - self.patch_len) // self.stride + 1
        if d_model % n_heads != 0:
            n_heads = math.gcd(d_model, n_heads)
        if revin:
            self.affine_weight = nn.Parameter(torch.ones(enc_in))
            self.affine_bias = nn.Parameter(torch.zeros(enc_in))
        self.embed = nn.Linear(self.patch_len, d_model)
        self.pos = nn.Parameter(torch.empty(self.num_patches, d_model).uniform_(-0.02, 0.02))
        self.embed_dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            [EncoderLayer(d_model, n_heads, d_ff, dropout) for _ in range(e_layers)])
        self.head = nn.Linear(d_model * self.num_patches, pred_len)
        self.head_dropout = nn.Dropout(head_dropout)

    def forward(self, x):  # x: (B, L, C)
        b, _, c = x.shape
        if self.revin:
            mean = x.mean(dim=1, keepdim=True).detach()
            std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + self.eps).detach()
            x = (x - mean) / std * self.affine_weight + self.affine_bias
        z = x.permute(0, 2, 1)  # (B, C, L)
        z = torch.cat([z, z[:, :, -1:].repeat(1, 1, self.stride)], dim=-1)
        z = z.unfold(-1, self.patch_len, self.stride)  # (B, C, P, patch_len)
        z = z.reshape(b * c, self.num_patches, self.patch_len)
        h = self.embed_dropout(self.embed(z) + self.pos)
        for layer in self.layers:
            h = layer(h)
        y = self.head(self.head_dropout(h.reshape(b * c, -1)))  # (B*C, H)
        y = y.reshape(b, c, self.pred_len).permute(0, 2, 1)
        if self.revin:
            y = (y - self.affine_bias) / (self.affine_weight + self.eps * self.eps)
            y = y * std + mean
        return y


SEARCH_SPACE = {
    "patch_len": [8, 16],
    "d_model": [16, 64, 128],
    "e_layers": [2, 3],
    "dropout": [0.1, 0.3],
    "revin": [True, False],
}
