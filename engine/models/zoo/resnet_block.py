"""ResNetBlock: a 1D residual convolutional network for forecasting.

He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016), in the 1D form of Wang,
Yan and Oates, "Time Series Classification from Scratch with Deep Neural Networks" (IJCNN 2017);
one of the GenAutoML method's reference families. A 1x1 convolution lifts the C channels to a
hidden width, residual blocks of two same-padded convolutions with BatchNorm and ReLU refine the
features, a 1x1 convolution maps them back to C channels and adds them to the input as a residual
correction, and a linear map over time (shared by all channels) produces the H steps.
Simplifications: two convolutions per block instead of three, and the global-average-pooling
classifier head replaced by the temporal linear head needed for forecasting.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dropout: float):
        super().__init__()
        pad = kernel_size // 2
        self.conv1 = nn.Conv1d(channels, channels, kernel_size, padding=pad)
        self.bn1 = nn.BatchNorm1d(channels)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, padding=pad)
        self.bn2 = nn.BatchNorm1d(channels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):  # (B, D, L)
        n = x.shape[-1]
        h = self.conv1(x)[..., :n]
        h = self.dropout(F.relu(self.bn1(h)))
        h = self.bn2(self.conv2(h)[..., :n])
        return F.relu(h + x)


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, channels: int = 32,
                 n_blocks: int = 2, kernel_size: int = 5, dropout: float = 0.1):
        super().__init__()
        self.lift = nn.Conv1d(enc_in, channels, 1)
        self.blocks = nn.Sequential(
            *[ResidualBlock(channels, kernel_size, dropout) for _ in range(n_blocks)])
        self.to_channels = nn.Conv1d(channels, enc_in, 1)
        # Small start for the correction (cf. zero-init of residual branches, Goyal et al.
        # 2017): the model begins close to the temporal linear map and the convolutions
        # learn what it misses; not zero, so that every layer gets a gradient at once.
        with torch.no_grad():
            self.to_channels.weight.mul_(0.1)

        self.temporal = nn.Linear(seq_len, pred_len)

    def forward(self, x):  # x: (B, L, C)
        z = x.permute(0, 2, 1)
        z = z + self.to_channels(self.blocks(self.lift(z)))
        return self.temporal(z).permute(0, 2, 1)


SEARCH_SPACE = {
    "channels": [16, 32, 64],
    "n_blocks": [1, 2, 3],
    "kernel_size": [3, 5, 7],
    "dropout": [0.0, 0.1],
}
