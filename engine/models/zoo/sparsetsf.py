"""SparseTSF: forecasting with cross-period sparse linear maps.

Lin et al., "SparseTSF: Modeling Long-term Time Series Forecasting with 1k Parameters" (ICML 2024).
Each channel is centred on its window mean, smoothed by a 1D convolution spanning one period (added
back as a residual), and the sequence is cut into L/w segments of one period w. A single linear
layer, shared by every phase of the period and every channel, maps the L/w values that share a
phase to the H/w future values of that phase; the result is re-interleaved and the mean added back.
`hidden` > 0 selects the paper's SparseTSF/MLP variant (a two-layer MLP instead of the linear map).
Simplifications: the period is clamped to the lookback, and when L is not a multiple of the
period the (centred) window is zero-padded at the front so that segments stay aligned with the
end of the window, i.e. with the phase of the forecast.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, period_len: int = 24,
                 hidden: int = 0):
        super().__init__()
        self.seq_len = seq_len
        self.pred_len = pred_len
        w = max(1, min(int(period_len), seq_len))
        self.period = w
        self.seg_in = int(math.ceil(seq_len / w))
        self.seg_out = int(math.ceil(pred_len / w))
        self.pad = self.seg_in * w - seq_len
        # Aggregation over one period, as in the paper: a smoothing convolution without bias.
        self.agg = nn.Conv1d(1, 1, kernel_size=1 + 2 * (w // 2), padding=w // 2, bias=False)
        if hidden > 0:
            self.map = nn.Sequential(nn.Linear(self.seg_in, hidden), nn.ReLU(),
                                     nn.Linear(hidden, self.seg_out))
        else:
            self.map = nn.Linear(self.seg_in, self.seg_out, bias=False)
            # Start from the average of the past periods (a seasonal-mean forecast) rather than
            # noise: with ~40 parameters and the search's learning rates (~1e-3, the paper uses
            # 2e-2) a random start needs many epochs to reach a sensible forecast.
            with torch.no_grad():
                self.map.weight.fill_(1.0 / self.seg_in)

    def forward(self, x):  # x: (B, L, C)
        b, l, c = x.shape
        mean = x.mean(dim=1, keepdim=True)
        z = (x - mean).permute(0, 2, 1).reshape(b * c, 1, l)
        z = (self.agg(z) + z).reshape(b * c, l)
        if self.pad > 0:
            z = F.pad(z, (self.pad, 0))
        z = z.reshape(b * c, self.seg_in, self.period).transpose(1, 2)  # (BC, w, segments)
        y = self.map(z).transpose(1, 2).reshape(b * c, self.seg_out * self.period)
        y = y[:, :self.pred_len].reshape(b, c, self.pred_len).permute(0, 2, 1)
        return y + mean


SEARCH_SPACE = {
    "period_len": [12, 24, 48],
    "hidden": [0, 64],
}
