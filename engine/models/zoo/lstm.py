"""LSTM: a recurrent encoder whose final hidden state is mapped to the whole forecast.

Hochreiter and Schmidhuber, "Long Short-Term Memory" (Neural Computation, 1997), used here as the
classic direct multi-horizon forecaster: a stacked LSTM reads the L input steps (all channels
together at each step), and a linear layer maps the top layer's last hidden state to H x C
outputs at once. Simplifications: no autoregressive decoder (one-shot output avoids error
accumulation and is much faster), and no internal normalisation (the system's Dyn-RevIN wrapper
provides it when searched).
"""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, hidden_size: int = 64,
                 num_layers: int = 2, dropout: float = 0.1):
        super().__init__()
        self.pred_len = pred_len
        self.enc_in = enc_in
        # nn.LSTM only applies dropout between layers; passing it for one layer just warns.
        self.rnn = nn.LSTM(enc_in, hidden_size, num_layers=num_layers, batch_first=True,
                           dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, pred_len * enc_in)

    def forward(self, x):  # x: (B, L, C)
        _, (h, _) = self.rnn(x)
        y = self.head(self.dropout(h[-1]))
        return y.view(x.shape[0], self.pred_len, self.enc_in)


SEARCH_SPACE = {
    "hidden_size": [32, 64, 128],
    "num_layers": [1, 2],
    "dropout": [0.0, 0.1],
}
