"""HybridCNNLSTM: convolutional feature extraction followed by an LSTM and a linear head.

The CNN-LSTM pattern (e.g. Kim and Cho, "Predicting residential energy consumption using CNN-LSTM
neural networks", Energy 2019); one of the GenAutoML method's reference families. Same-padded 1D
convolutions with ReLU extract local patterns from all channels at each step, optional max-pooling
shortens the sequence the LSTM has to read, the LSTM summarises it, and a linear layer maps the last
hidden state to all H x C outputs at once. Simplifications: one-shot linear head (no decoder), no
internal normalisation (the system's Dyn-RevIN wrapper provides it when searched).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, conv_channels: int = 32,
                 kernel_size: int = 5, n_conv: int = 2, pool: int = 2, hidden_size: int = 64,
                 dropout: float = 0.1):
        super().__init__()
        self.pred_len = pred_len
        self.enc_in = enc_in
        # Pool only if the sequence stays at least two steps long.
        self.pool = pool if pool > 1 and seq_len // pool >= 2 else 1
        layers = []
        for i in range(n_conv):
            layers += [nn.Conv1d(enc_in if i == 0 else conv_channels, conv_channels, kernel_size,
                                 padding=kernel_size // 2), nn.ReLU()]
        self.convs = nn.Sequential(*layers)
        self.rnn = nn.LSTM(conv_channels, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, pred_len * enc_in)

    def forward(self, x):  # x: (B, L, C)
        n = x.shape[1]
        z = self.convs(x.permute(0, 2, 1))[..., :n]
        if self.pool > 1:
            z = F.max_pool1d(z, self.pool, stride=self.pool, ceil_mode=True)
        _, (h, _) = self.rnn(self.dropout(z.permute(0, 2, 1)))
        y = self.head(self.dropout(h[-1]))
        return y.view(x.shape[0], self.pred_len, self.enc_in)


SEARCH_SPACE = {
    "conv_channels": [16, 32, 64],
    "pool": [1, 2, 4],
    "hidden_size": [32, 64, 128],
    "dropout": [0.0, 0.1],
}
