"""Prepared arrays (engine/data/prepared.ts) as tensors, and windows built by index arithmetic.

The file is memory-mapped and copied once into a tensor on the training device; each batch is a
gather `series[starts[:, None] + arange(L + H)]`, so there is no per-sample Python and no
DataLoader worker. Validation and test windows start `lookback` rows before their split, so each
target row of the split is predicted (forecasting: each window's first target row is a split row
exactly once).
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterator, Optional, Tuple

import numpy as np
import torch


class Dataset:
    def __init__(self, spec: Dict[str, Any], device: torch.device):
        meta = spec["meta"]
        self.meta = meta
        self.rows = int(meta["rows"])
        self.columns = list(meta["columns"])
        self.C = len(self.columns)
        path = spec["valuesPath"]
        expected = self.rows * self.C * 4
        size = os.path.getsize(path)
        if size != expected:
            raise ValueError(f"values file has {size} bytes; meta says {self.rows} rows x {self.C} columns x 4 = {expected}")
        mm = np.memmap(path, dtype="<f4", mode="r", shape=(self.rows, self.C))
        # One copy into a tensor: windows of a split overlap heavily, so gathering from a resident
        # tensor beats re-reading the map per batch. The map itself is read-only (dataset bind).
        # np.array(copy=True): the map is read-only, and a tensor aliasing it would fault on write.
        values = np.array(mm, dtype=np.float32, copy=True)
        del mm
        # Gaps longer than the fill cap stay NaN in the prepared arrays (nothing is invented).
        # Windows touching them are skipped in every split; the NaNs are zeroed only so that a
        # gather never carries them into a batch by accident.
        missing = ~np.isfinite(values).all(axis=1)
        self.missing_rows = int(missing.sum())
        self._missing_csum = torch.from_numpy(np.concatenate([[0], np.cumsum(missing.astype(np.int64))])).to(device)
        values[~np.isfinite(values)] = 0.0
        self.series = torch.from_numpy(values).to(device)
        self.labels: Optional[np.ndarray] = None
        lp = spec.get("labelsPath")
        if lp:
            self.labels = np.array(np.memmap(lp, dtype=np.uint8, mode="r", shape=(self.rows,)))
        self.splits = {k: (int(v[0]), int(v[1])) for k, v in meta["splits"].items()}
        self.mean = np.asarray(meta["scaler"]["mean"], dtype=np.float64)
        self.std = np.asarray(meta["scaler"]["std"], dtype=np.float64)
        self.device = device
        self._ar: Dict[int, torch.Tensor] = {}
        target = meta.get("target")
        self.target_index = self.columns.index(target) if target in self.columns else None

    def starts(self, split: str, L: int, H: int, stride: int = 1) -> torch.Tensor:
        """First row of each window (input rows start..start+L, targets start+L..start+L+H)."""
        a, b = self.splits[split]
        lo = a if split == "train" else max(0, a - L)
        hi = b - L - H  # inclusive last start
        if hi < lo:
            return torch.zeros(0, dtype=torch.long, device=self.device)
        s = torch.arange(lo, hi + 1, stride, dtype=torch.long, device=self.device)
        if stride > 1 and int(s[-1]) != hi:
            # The tail shorter than a stride still gets scored: one last window ends at the split end.
            s = torch.cat([s, torch.tensor([hi], dtype=torch.long, device=self.device)])
        if self.missing_rows:
            touched = self._missing_csum[s + L + H] - self._missing_csum[s]
            s = s[touched == 0]
        return s

    def _offsets(self, n: int) -> torch.Tensor:
        # One arange per window length, not one per batch (a small allocation on every step).
        ar = self._ar.get(n)
        if ar is None:
            ar = self._ar[n] = torch.arange(n, device=self.device)[None, :]
        return ar

    def batch(self, starts: torch.Tensor, L: int, H: int) -> Tuple[torch.Tensor, torch.Tensor]:
        idx = starts[:, None] + self._offsets(L + H)
        w = self.series[idx]  # (B, L+H, C) gather
        return w[:, :L], w[:, L:]

    def iterate(self, starts: torch.Tensor, L: int, H: int, batch_size: int) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
        # No drop_last: the final partial batch counts (published tables were skewed by dropping it).
        for i in range(0, int(starts.numel()), batch_size):
            yield self.batch(starts[i:i + batch_size], L, H)


def normal_train_starts(ds: Dataset, starts: torch.Tensor, L: int, H: int) -> torch.Tensor:
    """Anomaly detection trains on normal data: drop windows touching a labelled anomaly."""
    if ds.labels is None or starts.numel() == 0:
        return starts
    lab = torch.from_numpy(ds.labels.astype(np.int64)).to(ds.device)
    csum = torch.cat([torch.zeros(1, dtype=torch.long, device=ds.device), torch.cumsum(lab, 0)])
    bad = csum[starts + L + H] - csum[starts]
    return starts[bad == 0]
