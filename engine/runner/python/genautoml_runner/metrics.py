"""Detection metrics written out in numpy (no scikit-learn in the runner's environment).

Ties are handled as the standard definitions require: ROC-AUC is the Mann-Whitney statistic
with average ranks; PR-AUC is average precision over distinct thresholds; best F1 scans every
distinct threshold, with no point adjustment (a segment counts row by row).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> Optional[float]:
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    ranks = np.empty(len(s), dtype=np.float64)
    # average rank within each run of equal scores
    _, start_idx, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = start_idx + (counts + 1) / 2.0  # 1-based average rank of each tie group
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def _threshold_curve(scores: np.ndarray, labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """True and false positives when predicting `score >= t` for each distinct t (descending)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(np.int64)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    return tp.astype(np.float64), fp.astype(np.float64), s[last], int(y.sum())


def pr_auc(scores: np.ndarray, labels: np.ndarray) -> Optional[float]:
    if len(scores) == 0:
        return None
    tp, fp, _, pos = _threshold_curve(scores, labels)
    if pos == 0:
        return None
    precision = tp / (tp + fp)
    recall = tp / pos
    prev = np.r_[0.0, recall[:-1]]
    return float(np.sum((recall - prev) * precision))


def best_f1(scores: np.ndarray, labels: np.ndarray) -> Tuple[Optional[float], Optional[float]]:
    if len(scores) == 0:
        return None, None
    tp, fp, thr, pos = _threshold_curve(scores, labels)
    if pos == 0:
        return None, None
    fn = pos - tp
    f1 = np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    i = int(np.argmax(f1))
    return float(f1[i]), float(thr[i])
