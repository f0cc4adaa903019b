"""TimeBase: forecasting from a handful of basis periods.

Huang et al., "TimeBase: The Power of Minimalism in Efficient Long-term Time Series Forecasting"
(ICML 2025). Each channel's window is cut into N = ceil(L / P) segments of one period P, so that
every phase of the period has N values across segments. After subtracting, per phase, the mean over
segments ("period normalisation"), one linear map shared by all phases and channels turns the N
segments into R basis segments, a second one turns the R basis segments into the M = ceil(H / P)
future segments, and the phase means are added back. With L=720, P=24, R=6, H=96 this is 214
parameters.
Simplifications: the paper's orthogonality penalty on the basis (an extra training loss) is not
used, since the model contract trains on the forecast loss alone; when L is not a multiple of P the
window is padded at the front with its own first values, so that segments stay aligned with the
end of the window (the phase of the forecast).
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, period_len: int = 24,
                 basis_num: int = 6, period_norm: bool = True):
        super().__init__()
        p = max(1, min(int(period_len), seq_len))
        self.period = p
        self.pred_len = pred_len
        self.seg_in = int(math.ceil(seq_len / p))
        self.seg_out = int(math.ceil(pred_len / p))
        self.pad = self.seg_in * p - seq_len
        # With a single segment the per-phase mean is the whole input: fall back to the window mean.
        self.period_norm = period_norm and self.seg_in > 1
        self.to_basis = nn.Linear(self.seg_in, max(1, int(basis_num)))
        self.from_basis = nn.Linear(max(1, int(basis_num)), self.seg_out)

    def forward(self, x):  # x: (B, L, C)
        b, _, c = x.shape
        z = x.transpose(1, 2)  # (B, C, L)
        if self.pad > 0:
            z = torch.cat([z[:, :, :self.pad], z], dim=2)
        z = z.reshape(b * c, self.seg_in, self.period).transpose(1, 2)  # (BC, P, N)
        if self.period_norm:
            mean = z.mean(dim=2, keepdim=True)
        else:
            mean = z.mean(dim=(1, 2), keepdim=True)
        y = self.from_basis(self.to_basis(z - mean)) + mean  # (BC, P, M)
        y = y.transpose(1, 2).reshape(b, c, self.seg_out * self.period)[:, :, :self.pred_len]
        return y.transpose(1, 2)


SEARCH_SPACE = {
    "period_len": [24, 12, 48],
    "basis_num": [6, 3, 12],
    "period_norm": [True, False],
}
