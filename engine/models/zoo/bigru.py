"""BiGRU: a bidirectional GRU encoder with a linear multi-horizon head.

Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder" (EMNLP 2014) for the GRU,
read in both directions (Schuster and Paliwal, 1997); one of the GenAutoML method's reference
families. The window is read forwards and backwards by a stacked GRU; the top layer's final states
of both directions are concatenated and a linear layer emits all H x C outputs at once.
Simplifications: one-shot linear head instead of a decoder, no attention pooling, no internal
normalisation (the system's Dyn-RevIN wrapper provides it when searched).
"""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, hidden_size: int = 64,
                 num_layers: int = 1, dropout: float = 0.1):
        super().__init__()
        self.pred_len = pred_len
        self.enc_in = enc_in
        self.rnn = nn.GRU(enc_in, hidden_size, num_layers=num_layers, batch_first=True,
                          bidirectional=True, dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * hidden_size, pred_len * enc_in)

    def forward(self, x):  # x: (B, L, C)
        _, h = self.rnn(x)  # h: (layers * 2, B, hidden); the last two are the top layer's
        top = torch.cat([h[-2], h[-1]], dim=-1)
        y = self.head(self.dropout(top))
        return y.view(x.shape[0], self.pred_len, self.enc_in)


SEARCH_SPACE = {
    "hidden_size": [32, 64, 128],
    "num_layers": [1, 2],
    "dropout": [0.0, 0.1],
}
