"""SegRNN: a GRU over segments with parallel multi-step decoding.

Lin et al., "SegRNN: Segment Recurrent Neural Network for Long-Term Time Series Forecasting"
(2023). Channels are modelled independently: each channel's window has its last value subtracted,
is cut into L / w segments of `seg_len` w, each segment is embedded by Linear(w, d_model) + ReLU,
and a GRU runs over the segments. Decoding is parallel (the paper's PMF): for each of the H / w
future segments a query made of a learned position embedding and a learned channel embedding (half
of d_model each) takes one GRU step from the encoder's final state; dropout and Linear(d_model, w)
turn each step into a segment, and the last value is added back.
Simplifications: when L is not a multiple of w the window is padded at the front with its first
value, and when H is not a multiple of w the last segment is cut to length.
"""
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, seg_len: int = 24,
                 d_model: int = 512, dropout: float = 0.5):
        super().__init__()
        w = max(1, min(int(seg_len), seq_len))
        self.seg_len = w
        self.pred_len = pred_len
        self.enc_in = enc_in
        self.d_model = d_model
        self.seg_in = int(math.ceil(seq_len / w))
        self.seg_out = int(math.ceil(pred_len / w))
        self.pad = self.seg_in * w - seq_len
        self.embed = nn.Sequential(nn.Linear(w, d_model), nn.ReLU())
        self.rnn = nn.GRU(input_size=d_model, hidden_size=d_model, num_layers=1, bias=True,
                          batch_first=True)
        half = d_model // 2
        self.pos_emb = nn.Parameter(torch.randn(self.seg_out, half))
        self.channel_emb = nn.Parameter(torch.randn(enc_in, d_model - half))
        self.predict = nn.Sequential(nn.Dropout(dropout), nn.Linear(d_model, w))

    def forward(self, x):  # x: (B, L, C)
        b, _, c = x.shape
        last = x[:, -1:, :].detach()
        z = (x - last).transpose(1, 2)  # (B, C, L)
        if self.pad > 0:
            z = torch.cat([z[:, :, :1].expand(b, c, self.pad), z], dim=2)
        z = self.embed(z.reshape(b * c, self.seg_in, self.seg_len))  # (BC, N, d)
        _, h = self.rnn(z)  # (1, BC, d)
        m = self.seg_out
        query = torch.cat([self.pos_emb.unsqueeze(0).expand(c, m, self.pos_emb.shape[1]),
                           self.channel_emb.unsqueeze(1).expand(c, m, self.channel_emb.shape[1])],
                          dim=-1)  # (C, M, d)
        query = query.unsqueeze(0).expand(b, c, m, self.d_model).reshape(b * c * m, 1, self.d_model)
        h0 = h.reshape(b * c, 1, self.d_model).expand(b * c, m, self.d_model)
        _, hy = self.rnn(query, h0.reshape(1, b * c * m, self.d_model))  # (1, BCM, d)
        y = self.predict(hy.reshape(b * c, m, self.d_model)).reshape(b, c, m * self.seg_len)
        return y[:, :, :self.pred_len].transpose(1, 2) + last


SEARCH_SPACE = {
    "seg_len": [24, 12, 48],
    "d_model": [512, 128, 256],
    "dropout": [0.5, 0.1],
}
