"""TCN: a temporal convolutional network of dilated causal residual blocks.

Bai, Kolter and Koltun, "An Empirical Evaluation of Generic Convolutional and Recurrent Networks
for Sequence Modeling" (2018). Each block holds two causal 1D convolutions (left padding only, so
no step sees the future) with the same dilation, ReLU and dropout, plus a residual connection
(1x1 convolution when widths differ); dilations double per block to widen the receptive field.
For forecasting, a 1x1 convolution maps the features back to the C channels, adds them to the
input as a residual correction, and a linear map over time (shared by all channels) produces the H
steps. Simplifications: no weight normalisation (deprecated API churn across torch versions), and
the linear temporal head replaces the original per-step output layer.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.left = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(c_in, c_out, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(c_out, c_out, kernel_size, dilation=dilation)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x):  # (B, C, L)
        h = self.dropout(F.relu(self.conv1(F.pad(x, (self.left, 0)))))
        h = self.dropout(F.relu(self.conv2(F.pad(h, (self.left, 0)))))
        return F.relu(h + self.skip(x))


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, channels: int = 32,
                 levels: int = 4, kernel_size: int = 3, dropout: float = 0.1):
        super().__init__()
        blocks = []
        for i in range(levels):
            blocks.append(CausalBlock(enc_in if i == 0 else channels, channels, kernel_size,
                                      2 ** i, dropout))
        self.blocks = nn.Sequential(*blocks)
        self.to_channels = nn.Conv1d(channels, enc_in, 1)
        # Small start for the correction (cf. zero-init of residual branches, Goyal et al.
        # 2017): the model begins close to the temporal linear map and the convolutions
        # learn what it misses; not zero, so that every layer gets a gradient at once.
        with torch.no_grad():
            self.to_channels.weight.mul_(0.1)

        self.temporal = nn.Linear(seq_len, pred_len)

    def forward(self, x):  # x: (B, L, C)
        z = x.permute(0, 2, 1)
        z = z + self.to_channels(self.blocks(z))
        return self.temporal(z).permute(0, 2, 1)


SEARCH_SPACE = {
    "channels": [16, 32, 64],
    "levels": [2, 4],
    "kernel_size": [3, 5],
    "dropout": [0.0, 0.1],
}
