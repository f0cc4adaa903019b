"""MultiScaleCNN: parallel convolutional branches on the series at several time resolutions.

In the spirit of multi-scale CNNs for time series (Cui, Chen and Chen, "Multi-Scale Convolutional
Neural Networks for Time Series Classification", 2016) and of multi-resolution forecasters such as
N-HiTS; one of the GenAutoML method's reference families. The window is average-pooled by factors
1, 2, 4, ... (each coarser view sees longer-range structure with fewer steps); every scale has its
own small stack of same-padded convolutions whose output is mapped back to C channels, added to
that scale's pooled input as a residual correction, and projected from its own length to the H
steps by a linear map over time; the scale forecasts are summed. Simplifications: average pooling
only (no learned downsampling), and scales whose pooled length would drop below two steps are not
built, so short lookbacks still work.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaleBranch(nn.Module):
    def __init__(self, length: int, pred_len: int, enc_in: int, channels: int, kernel_size: int,
                 n_layers: int, dropout: float):
        super().__init__()
        layers = []
        for i in range(n_layers):
            layers += [nn.Conv1d(enc_in if i == 0 else channels, channels, kernel_size,
                                 padding=kernel_size // 2),
                       nn.GELU(), nn.Dropout(dropout)]
        self.convs = nn.Sequential(*layers)
        self.to_channels = nn.Conv1d(channels, enc_in, 1)
        # Small start for the correction (cf. zero-init of residual branches, Goyal et al.
        # 2017): the model begins close to the temporal linear map and the convolutions
        # learn what it misses; not zero, so that every layer gets a gradient at once.
        with torch.no_grad():
            self.to_channels.weight.mul_(0.1)

        self.temporal = nn.Linear(length, pred_len)

    def forward(self, z):  # (B, C, length)
        n = z.shape[-1]
        return self.temporal(z + self.to_channels(self.convs(z)[..., :n]))  # (B, C, H)


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, n_scales: int = 3,
                 channels: int = 32, kernel_size: int = 5, n_layers: int = 2,
                 dropout: float = 0.1):
        super().__init__()
        factors = []
        for i in range(max(1, n_scales)):
            f = 2 ** i
            if f == 1 or seq_len // f >= 2:
                factors.append(f)
        self.factors = factors
        self.branches = nn.ModuleList(
            [ScaleBranch((seq_len + f - 1) // f, pred_len, enc_in, channels, kernel_size,
                         n_layers, dropout) for f in factors])

    def forward(self, x):  # x: (B, L, C)
        z = x.permute(0, 2, 1)
        y = None
        for f, branch in zip(self.factors, self.branches):
            # ceil_mode keeps the most recent (partial) block when L is not a multiple of f.
            zs = z if f == 1 else F.avg_pool1d(z, f, stride=f, ceil_mode=True)
            out = branch(zs)
            y = out if y is None else y + out
        return y.permute(0, 2, 1)


SEARCH_SPACE = {
    "n_scales": [2, 3, 4],
    "channels": [16, 32, 64],
    "kernel_size": [3, 5],
    "dropout": [0.0, 0.1],
}
