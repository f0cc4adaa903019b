"""TimesNet (light): 1D series folded into 2D by their dominant periods, processed by 2D convs.

Wu et al., "TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis" (ICLR 2023).
The window is normalised per series (the paper's forecasting setup, behind `use_norm`), embedded
(a circular token convolution plus a fixed sinusoidal position code), extended from L to L+H steps
by a linear map over time, and passed through TimesBlocks: each finds the top-k frequencies of the
batch with an FFT, folds the sequence into a (length/period, period) grid for each period, applies
an Inception block of 2D convolutions (kernels 1, 3, 5, ...), unfolds, and merges the k results
weighted by the softmax of their FFT amplitudes, with a residual connection. A linear layer maps the
features back to the channels and the last H steps are the forecast. Simplifications: no timestamp
embedding, fewer Inception kernels by default, and small widths so it trains on a CPU.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Inception2d(nn.Module):
    """Parallel 2D convolutions of growing odd kernel size, averaged (the paper's Inception_Block_V1)."""

    def __init__(self, c_in: int, c_out: int, num_kernels: int):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv2d(c_in, c_out, kernel_size=2 * i + 1, padding=i) for i in range(num_kernels)])

    def forward(self, x):
        return torch.stack([conv(x) for conv in self.convs], dim=-1).mean(dim=-1)


class TimesBlock(nn.Module):
    def __init__(self, d_model: int, d_ff: int, top_k: int, num_kernels: int):
        super().__init__()
        self.top_k = top_k
        self.conv = nn.Sequential(Inception2d(d_model, d_ff, num_kernels), nn.GELU(),
                                  Inception2d(d_ff, d_model, num_kernels))

    def forward(self, x):  # (B, T, D)
        b, t, d = x.shape
        amp = torch.fft.rfft(x, dim=1).abs()  # (B, T//2+1, D)
        k = max(1, min(self.top_k, amp.shape[1] - 1))
        # Frequencies are chosen from the batch-average spectrum, skipping the constant term; the
        # choice is discrete, so it carries no gradient (the weights below do).
        freq = torch.topk(amp.detach().mean(dim=0).mean(dim=-1)[1:], k).indices + 1
        weights = F.softmax(amp.mean(dim=-1)[:, freq], dim=1)  # (B, k)
        outs = []
        for f in freq.tolist():
            period = max(1, t // f)
            rows = (t + period - 1) // period
            z = F.pad(x, (0, 0, 0, rows * period - t))  # zero-pad time to a multiple of the period
            z = z.reshape(b, rows, period, d).permute(0, 3, 1, 2)  # (B, D, rows, period)
            z = self.conv(z).permute(0, 2, 3, 1).reshape(b, rows * period, d)[:, :t]
            outs.append(z)
        out = torch.stack(outs, dim=-1)  # (B, T, D, k)
        return (out * weights.view(b, 1, 1, k)).sum(dim=-1) + x


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, d_model: int = 32,
                 d_ff: int = 32, e_layers: int = 2, top_k: int = 3, num_kernels: int = 3,
                 dropout: float = 0.1, use_norm: bool = True):
        super().__init__()
        self.pred_len = pred_len
        self.use_norm = use_norm
        self.token = nn.Conv1d(enc_in, d_model, kernel_size=3, padding=1, padding_mode='circular',
                               bias=False)
        pe = torch.zeros(seq_len, d_model)
        pos = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32)
                        * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)[:, : d_model // 2]
        self.register_buffer('pos_code', pe.unsqueeze(0))  # fixed, not trained
        self.embed_dropout = nn.Dropout(dropout)
        self.extend = nn.Linear(seq_len, seq_len + pred_len)
        self.blocks = nn.ModuleList(
            [TimesBlock(d_model, d_ff, top_k, num_kernels) for _ in range(e_layers)])
        self.norm = nn.LayerNorm(d_model)
        self.project = nn.Linear(d_model, enc_in)

    def forward(self, x):  # x: (B, L, C)
        if self.use_norm:
            mean = x.mean(dim=1, keepdim=True).detach()
            std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + 1e-5).detach()
            x = (x - mean) / std
        h = self.token(x.permute(0, 2, 1)).permute(0, 2, 1) + self.pos_code
        h = self.embed_dropout(h)
        h = self.extend(h.permute(0, 2, 1)).permute(0, 2, 1)  # (B, L+H, D)
        for block in self.blocks:
            h = self.norm(block(h))
        y = self.project(h)[:, -self.pred_len:, :]
        if self.use_norm:
            y = y * std + mean
        return y


SEARCH_SPACE = {
    "d_model": [16, 32, 64],
    "e_layers": [1, 2],
    "top_k": [2, 3, 5],
    "use_norm": [True, False],
}
