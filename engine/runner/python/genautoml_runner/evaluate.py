"""Test-split evaluation (touched once per trial by the caller) and latency measurement."""
from __future__ import annotations

import statistics
import time
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch

from . import inputs, metrics
from .data import Dataset

FAULT_KINDS = ("spike", "level_shift", "drift", "stuck", "noise_burst")
# Lengths (rows) per kind: a spike is a point event, the others are segments.
_LENGTHS = {"spike": (1, 3), "level_shift": (20, 50), "drift": (30, 80), "stuck": (20, 50), "noise_burst": (10, 30)}


def inject_faults(values: np.ndarray, seed: int, n_faults: int) -> Tuple[np.ndarray, np.ndarray, List[Dict[str, Any]]]:
    """Faults on z-scored rows (magnitudes in standard deviations); returns (values, labels, faults).
    Faults do not overlap, so each labelled row belongs to one known fault."""
    rng = np.random.default_rng(seed)
    v = values.astype(np.float64, copy=True)
    n, C = v.shape
    labels = np.zeros(n, dtype=np.uint8)
    faults: List[Dict[str, Any]] = []
    for i in range(n_faults):
        kind = FAULT_KINDS[i % len(FAULT_KINDS)]
        lo, hi = _LENGTHS[kind]
        length = int(min(rng.integers(lo, hi + 1), max(1, n // 10)))
        placed = False
        for _ in range(50):
            s = int(rng.integers(0, max(1, n - length + 1)))
            if not labels[max(0, s - 5): s + length + 5].any():
                placed = True
                break
        if not placed:
            continue
        c = int(rng.integers(0, C))
        sign = 1.0 if rng.random() < 0.5 else -1.0
        seg = slice(s, s + length)
        if kind == "spike":
            v[seg, c] += sign * rng.uniform(4.0, 6.0)
        elif kind == "level_shift":
            v[seg, c] += sign * rng.uniform(2.0, 3.0)
        elif kind == "drift":
            v[seg, c] += sign * np.linspace(0.0, rng.uniform(2.5, 4.0), length)
        elif kind == "stuck":
            v[seg, c] = v[s, c]
        else:
            v[seg, c] += rng.normal(0.0, rng.uniform(1.5, 2.5), length)
        labels[seg] = 1
        faults.append({"kind": kind, "channel": c, "start": s, "length": length})
    return v.astype(np.float32), labels, faults


def forecast(model: torch.nn.Module, ds: Dataset, L: int, H: int, bs: int, feed: Optional[inputs.Feed] = None) -> Dict[str, Any]:
    starts = ds.starts("test", L, H)
    if starts.numel() == 0:
        raise ValueError(f"the test split is shorter than lookback + horizon ({L} + {H}) rows")
    C = ds.C
    ae = torch.zeros(C, dtype=torch.float64, device=ds.device)
    se = torch.zeros(C, dtype=torch.float64, device=ds.device)
    se_h = torch.zeros(H, dtype=torch.float64, device=ds.device)  # error by horizon step
    count = 0
    last: Any = None
    model.eval()
    with torch.no_grad():
        for i in range(0, int(starts.numel()), bs):
            s = starts[i:i + bs]
            x, y = ds.batch(s, L, H)
            pred = model(x, *(feed.at(s) if feed else ()))
            d = (pred - y).to(torch.float64)
            ae += d.abs().sum(dim=(0, 1))
            se += (d * d).sum(dim=(0, 1))
            se_h += (d * d).sum(dim=(0, 2))
            count += d.shape[0] * d.shape[1]
            last = (x[-1], y[-1], pred[-1])
    ae_c, se_c = ae.cpu().numpy() / count, se.cpu().numpy() / count  # per-channel, scaled units
    std = ds.std
    mae_o_c, mse_o_c = ae_c * std, se_c * std * std  # z-scoring is affine: errors scale by std
    t = ds.target_index
    return {
        "task": "forecasting",
        "mse": float(se_c.mean()), "mae": float(ae_c.mean()), "rmse": float(np.sqrt(se_c.mean())),
        "maeOriginal": float(mae_o_c.mean()), "rmseOriginal": float(np.sqrt(mse_o_c.mean())),
        "targetMaeOriginal": float(mae_o_c[t]) if t is not None else None,
        "targetRmseOriginal": float(np.sqrt(mse_o_c[t])) if t is not None else None,
        "windows": int(starts.numel()),
        "horizonMse": [float(v) for v in (se_h.cpu().numpy() / (int(starts.numel()) * C))],
        "sample": _sample(ds, last, int(starts[-1])),
    }


SAMPLE_ALL_CHANNELS_MAX = 100_000


def _sample(ds: Dataset, last: Any, start: int) -> Dict[str, Any]:
    """The last test window in original units, for forecast-vs-truth plots: the target channel,
    and every channel as well while that stays small, so a report can plot any feature."""
    x, y, pred = last
    c = ds.target_index if ds.target_index is not None else 0
    back = lambda t, k: [float(v) * float(ds.std[k]) + float(ds.mean[k]) for v in t[:, k].cpu().numpy()]  # noqa: E731
    out: Dict[str, Any] = {"channel": c, "start": start, "history": back(x, c), "truth": back(y, c), "prediction": back(pred, c)}
    if ds.C * (x.shape[0] + y.shape[0]) <= SAMPLE_ALL_CHANNELS_MAX:
        out["channels"] = {
            "history": [back(x, k) for k in range(ds.C)],
            "truth": [back(y, k) for k in range(ds.C)],
            "prediction": [back(pred, k) for k in range(ds.C)],
        }
    return out


def anomaly(model: torch.nn.Module, ds: Dataset, L: int, H: int, bs: int, seed: int, n_faults: Any, feed: Optional[inputs.Feed] = None) -> Dict[str, Any]:
    a, b = ds.splits["test"]
    n = b - a
    if ds.labels is not None:
        kind = "dataset"
        labels = ds.labels[a:b].astype(np.uint8)
        faults: List[Dict[str, Any]] = []
        series = ds.series
    else:
        kind = "injected"
        k = int(n_faults) if n_faults else max(5, n // 200)
        test_vals = ds.series[a:b].cpu().numpy()
        injected, labels, faults = inject_faults(test_vals, seed, k)
        series = ds.series.clone()
        series[a:b] = torch.from_numpy(injected).to(ds.device)
    # Windows with stride H: every test row is the target of exactly one window (a last window
    # aligned to the split end covers the tail), so each row gets one score.
    starts = ds.starts("test", L, H, stride=H)
    if starts.numel() == 0:
        raise ValueError(f"the test split is shorter than lookback + horizon ({L} + {H}) rows")
    scores = torch.zeros(ds.rows, dtype=torch.float64, device=ds.device)
    ar = torch.arange(L + H, device=ds.device)
    model.eval()
    with torch.no_grad():
        for i in range(0, int(starts.numel()), bs):
            s = starts[i:i + bs]
            w = series[s[:, None] + ar[None, :]]
            err = ((model(w[:, :L], *(feed.at(s) if feed else ())) - w[:, L:]) ** 2).mean(dim=2).to(torch.float64)  # (B, H)
            scores[(s[:, None] + L + torch.arange(H, device=ds.device)[None, :]).reshape(-1)] = err.reshape(-1)
    sc = scores[a:b].cpu().numpy()
    lab = labels.astype(bool)
    clean = float(sc[~lab].mean()) if (~lab).any() else float("nan")
    anom = float(sc[lab].mean()) if lab.any() else None
    f1, thr = metrics.best_f1(sc, lab)
    return {
        "task": "anomaly", "labels": kind, "cleanMse": clean, "anomalousMse": anom,
        "ratio": (anom / clean) if anom is not None and clean > 0 else None,
        "rocAuc": metrics.roc_auc(sc, lab), "prAuc": metrics.pr_auc(sc, lab), "bestF1": f1, "bestThreshold": thr,
        "anomalousRows": int(lab.sum()), "rows": int(n), "faults": faults,
    }


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def latency(model: torch.nn.Module, L: int, C: int, device: torch.device, batch: int = 64, repeats: int = 20,
            spec: Optional[inputs.Spec] = None) -> Dict[str, float]:
    """Median wall time per sample after warm-up, at batch 1 and batched, in inference mode."""
    model.eval()
    out: Dict[str, float] = {}
    with torch.no_grad():
        for key, b, reps in (("batch1MsPerSample", 1, repeats), ("batchedMsPerSample", batch, max(3, repeats // 2))):
            x = torch.randn(b, L, C, device=device)
            extra = inputs.synthetic(spec, b, L, device) if spec else ()
            for _ in range(3):
                model(x, *extra)
            _sync(device)
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                model(x, *extra)
                _sync(device)
                times.append(time.perf_counter() - t0)
            out[key] = statistics.median(times) * 1000.0 / b
    return out
