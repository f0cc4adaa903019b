"""WaveInterferenceNet: a learnable sinusoidal basis continued into the future, plus a linear map.

Our own design in the spirit of the GenAutoML method's wave-interference family (learnable
frequencies, amplitudes and phases whose superposition forms the forecast). Each channel is handled
independently with shared weights. K waves have learnable periods (initialised log-uniformly from
2 steps to twice the lookback). The window is projected onto each wave's cosine and sine over the
input steps, which measures the wave's in-phase and quadrature amplitude in this window (a DFT at
learned, not fixed, frequencies); an optional learned coupling lets waves exchange energy
(interference). Each wave is then continued over the horizon with a learnable gain and phase
offset, and the waves are summed. A linear map from the L inputs to the H outputs runs in parallel
and carries level and trend, which a finite set of sinusoids represents poorly; the forecast is
the sum of both. Time is counted from the first forecast step, so phases stay well conditioned.
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, n_waves: int = 16,
                 learn_freq: bool = True, coupling: bool = False, dropout: float = 0.0):
        super().__init__()
        self.seq_len = seq_len
        k = max(1, int(n_waves))
        lo, hi = math.log(2.0), math.log(2.0 * max(seq_len, 2))
        log_period = torch.linspace(lo, hi, k) if k > 1 else torch.tensor([hi])
        if learn_freq:
            self.log_period = nn.Parameter(log_period)
        else:
            self.register_buffer('log_period', log_period)
        self.register_buffer('t_in', torch.arange(-seq_len, 0, dtype=torch.float32))
        self.register_buffer('t_out', torch.arange(0, pred_len, dtype=torch.float32))
        # Small initial gains: the linear path starts as the main predictor and the waves learn
        # what it misses; non-zero so that the frequencies get a gradient from the first step.
        self.gain = nn.Parameter(torch.full((k,), 0.1))
        self.phase = nn.Parameter(torch.zeros(k))
        self.coupling = nn.Linear(2 * k, 2 * k) if coupling else None
        bound = 1.0 / math.sqrt(seq_len)
        self.weight = nn.Parameter(torch.empty(pred_len, seq_len).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(pred_len).uniform_(-bound, bound))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):  # x: (B, L, C)
        omega = 2.0 * math.pi * torch.exp(-self.log_period)  # (K,) angular frequency per step
        arg_in = self.t_in.unsqueeze(1) * omega  # (L, K)
        basis_in = torch.cat([torch.cos(arg_in), torch.sin(arg_in)], dim=1)  # (L, 2K)
        coef = torch.einsum('blc,lk->bck', x, basis_in) * (2.0 / self.seq_len)  # (B, C, 2K)
        if self.coupling is not None:
            coef = coef + self.coupling(coef)
        k = omega.shape[0]
        a, b = coef[..., :k], coef[..., k:]
        arg_out = self.t_out.unsqueeze(1) * omega + self.phase  # (H, K)
        waves = (torch.einsum('bck,hk->bhc', a * self.gain, torch.cos(arg_out))
                 + torch.einsum('bck,hk->bhc', b * self.gain, torch.sin(arg_out)))
        linear = torch.einsum('blc,hl->bhc', self.dropout(x), self.weight) + self.bias.view(1, -1, 1)
        return linear + waves


SEARCH_SPACE = {
    "n_waves": [8, 16, 32],
    "learn_freq": [True, False],
    "coupling": [False, True],
    "dropout": [0.0, 0.1],
}
