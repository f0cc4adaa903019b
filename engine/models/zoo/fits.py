"""FITS: frequency interpolation for forecasting with ~10k parameters.

Xu et al., "FITS: Modeling Time Series with 10k Parameters" (ICLR 2024). Each window is instance
normalised (mean and standard deviation per channel), its real spectrum is low-pass filtered to the
first `cut_freq` bins, one complex-valued linear layer shared by all channels interpolates those
bins to the spectrum of a window of length L+H (cut_freq * (L+H)/L bins, the rest zero), the
inverse transform gives L+H steps scaled by (L+H)/L (the paper's energy compensation), and the last
H are the forecast, de-normalised. With `cut_freq` = 0 the cut-off follows the paper's rule,
(L // base_T + 1) * H_order + 10 bins: enough harmonics of the base period `base_T`.
Implementation notes: the transforms are written as products with fixed cosine/sine bases (the
DFT of the kept bins and the inverse DFT of the forecast rows only) instead of torch.fft, the same
maths, and a complex weight is kept as its real and imaginary parts, so training uses real
tensors and the model exports to TorchScript and ONNX.
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, cut_freq: int = 0,
                 base_T: int = 24, H_order: int = 6):
        super().__init__()
        L, H = seq_len, pred_len
        n = L + H
        k = int(cut_freq) if int(cut_freq) > 0 else (L // max(1, int(base_T)) + 1) * int(H_order) + 10
        k = max(1, min(k, L // 2 + 1))
        k2 = max(1, min(int(k * n / L), n // 2 + 1))
        self.ratio = n / L
        t_in = torch.arange(L, dtype=torch.float64).view(-1, 1)
        f_in = torch.arange(k, dtype=torch.float64).view(1, -1)
        ang = 2 * math.pi * t_in * f_in / L
        # Forward DFT of the kept bins: X_k = sum_t x_t exp(-2 pi i k t / L).
        self.register_buffer("cos_in", torch.cos(ang).float(), persistent=False)
        self.register_buffer("sin_in", (-torch.sin(ang)).float(), persistent=False)
        # Inverse real DFT over n points, only for the forecast rows t = L..n-1: each bin other than
        # 0 and n/2 stands for itself and its conjugate, hence the weight 2.
        t_out = torch.arange(L, n, dtype=torch.float64).view(1, -1)
        f_out = torch.arange(k2, dtype=torch.float64).view(-1, 1)
        w = torch.full((k2, 1), 2.0, dtype=torch.float64)
        w[0] = 1.0
        if n % 2 == 0 and k2 - 1 == n // 2:
            w[-1] = 1.0
        ang = 2 * math.pi * f_out * t_out / n
        self.register_buffer("cos_out", (w * torch.cos(ang) / n).float(), persistent=False)
        self.register_buffer("sin_out", (-w * torch.sin(ang) / n).float(), persistent=False)
        # nn.Linear's default range for the real part; the imaginary part starts at zero, as a real
        # layer cast to complex does in the paper's code.
        bound = 1.0 / math.sqrt(k)
        self.w_re = nn.Parameter(torch.empty(k, k2).uniform_(-bound, bound))
        self.w_im = nn.Parameter(torch.zeros(k, k2))
        self.b_re = nn.Parameter(torch.empty(k2).uniform_(-bound, bound))
        self.b_im = nn.Parameter(torch.zeros(k2))

    def forward(self, x):  # x: (B, L, C)
        mean = x.mean(dim=1, keepdim=True)
        std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + 1e-5)
        z = ((x - mean) / std).transpose(1, 2)  # (B, C, L)
        re = z @ self.cos_in  # (B, C, k)
        im = z @ self.sin_in
        y_re = re @ self.w_re - im @ self.w_im + self.b_re
        y_im = re @ self.w_im + im @ self.w_re + self.b_im
        y = (y_re @ self.cos_out + y_im @ self.sin_out) * self.ratio  # (B, C, H)
        return y.transpose(1, 2) * std + mean


SEARCH_SPACE = {
    "H_order": [6, 2, 4, 8, 10],
    "base_T": [24, 12, 168],
}
