"""CycleNet: residual cycle forecasting with learnable recurrent cycles.

Lin et al., "CycleNet: Enhancing Time Series Forecasting through Modeling Periodic Patterns"
(NeurIPS 2024). A table Q of shape (W, C), one learnable value per phase of a cycle of length W and
per channel, starts at zero and is trained with the rest. For a window whose first input row sits
at phase t (mod W), the cycle's values for the input rows are subtracted from the (instance
normalised) input, a backbone shared by all channels maps the residual from L to H steps (one
Linear layer, or a two-layer MLP with `d_model` hidden units: `backbone`), and the cycle's values
for the forecast rows are added back before de-normalising.
The phase comes from the runner: `forward` asks for `cycle_index` by name (docs/model-contract.md,
"Extra inputs"), the position of each window's first input row in the cycle, taken from the
dataset's time index. `cycle_len` is W; the runner sets it to the dataset's period when it knows
one and the search does not pick it.
"""
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, seq_len: int, pred_len: int, enc_in: int, cycle_len: int = 24,
                 backbone: str = "linear", d_model: int = 512, use_revin: bool = True):
        super().__init__()
        self.seq_len = seq_len
        self.pred_len = pred_len
        self.cycle_len = max(1, int(cycle_len))
        self.use_revin = use_revin
        self.cycle = nn.Parameter(torch.zeros(self.cycle_len, enc_in))
        if backbone == "mlp":
            self.backbone = nn.Sequential(nn.Linear(seq_len, d_model), nn.ReLU(),
                                          nn.Linear(d_model, pred_len))
        else:
            self.backbone = nn.Linear(seq_len, pred_len)

    def cycle_values(self, start, length):
        """Q at phases start, start+1, ..., start+length-1 (mod W): (B, length, C)."""
        steps = torch.arange(length, device=start.device).view(1, -1)
        return self.cycle[(start.view(-1, 1) + steps) % self.cycle_len]

    def forward(self, x, cycle_index):  # x: (B, L, C); cycle_index: (B,) phase of x[:, 0]
        start = cycle_index.long() % self.cycle_len
        if self.use_revin:
            mean = x.mean(dim=1, keepdim=True)
            std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + 1e-5)
            x = (x - mean) / std
        x = x - self.cycle_values(start, self.seq_len)
        y = self.backbone(x.transpose(1, 2)).transpose(1, 2)
        y = y + self.cycle_values(start + self.seq_len, self.pred_len)
        if self.use_revin:
            y = y * std + mean
        return y


SEARCH_SPACE = {
    "backbone": ["linear", "mlp"],
    "d_model": [128, 512],
    "use_revin": [True, False],
}
