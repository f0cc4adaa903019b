"""Extra inputs a model's `forward` may ask for by parameter name, built from the dataset's time
index (docs/model-contract.md, "Extra inputs").

- `cycle_index`: LongTensor (B,), the position in the cycle of each window's first input row,
  in [0, P). P is the model's `cycle_len` constructor argument when it has one (the search's pick,
  else the dataset's period from `dims.period`, else the parameter's default), else `dims.period`.
- `calendar`: FloatTensor (B, L, 6), calendar features of the input rows' timestamps (UTC), each
  scaled to [-0.5, 0.5]: minute of hour, hour of day, day of week, day of month, day of year,
  month of year.

Only the input window's timestamps are used (the first input row for the cycle index), so nothing
about the forecast rows leaks in. The prepared grid is regular (engine/data/prepared.ts), so the
timestamp of row i is meta.start + i * meta.frequencyMs and no extra file is needed.
"""
from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch

CYCLE = "cycle_index"
CALENDAR = "calendar"
NAMES = (CYCLE, CALENDAR)
CALENDAR_FEATURES = ("minute_of_hour", "hour_of_day", "day_of_week", "day_of_month", "day_of_year", "month_of_year")
CYCLE_PARAM = "cycle_len"  # constructor parameter that receives the period


class InputError(Exception):
    """Raised when a requested input cannot be supplied; contract.build turns it into a ContractError."""


class Spec:
    """Which extra inputs a model takes, in forward's order, and the period of its cycle index."""

    def __init__(self, names: List[str], period: Optional[int]):
        self.names = names
        self.period = period

    def period_of(self, name: str) -> Optional[int]:
        """The period of a cycle-index input (None for calendar)."""
        return int(self.period or 1) if name == CYCLE else None

    def describe(self) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        for n in self.names:
            period = self.period_of(n)
            if period is not None:
                out.append({"name": n, "shape": ["B"], "dtype": "int64", "period": period})
            else:
                out.append({"name": n, "shape": ["B", "L", len(CALENDAR_FEATURES)], "dtype": "float32", "features": list(CALENDAR_FEATURES)})
        return out


def requested(forward: Any) -> List[str]:
    """The extra-input names in forward's signature, in order (x excluded)."""
    params = list(inspect.signature(forward).parameters.values())[1:]
    return [p.name for p in params if p.name in NAMES and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def period_for_constructor(dims: Dict[str, Any]) -> Optional[int]:
    p = dims.get("period")
    return int(p) if isinstance(p, (int, float)) and not isinstance(p, bool) and int(p) >= 1 else None


def resolve(cls: type, forward: Any, kwargs: Dict[str, Any], dims: Dict[str, Any]) -> Spec:
    names = requested(forward)
    period: Optional[int] = None
    if CYCLE in names:
        v: Any = kwargs.get(CYCLE_PARAM, inspect.Parameter.empty)
        if v is inspect.Parameter.empty:
            sig = inspect.signature(cls.__init__).parameters.get(CYCLE_PARAM)
            v = sig.default if sig is not None else inspect.Parameter.empty
        if v is inspect.Parameter.empty or v is None:
            v = period_for_constructor(dims)
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise InputError(
                f"forward() asks for {CYCLE}, but no period is known: the dataset's EDA found none and the request names "
                f"none (give the search a `period`), and Model.__init__ has no integer `{CYCLE_PARAM}` default")
        period = int(v)
    return Spec(names, period)


def synthetic(spec: Spec, B: int, L: int, device: torch.device, generator: Optional[torch.Generator] = None) -> Tuple[torch.Tensor, ...]:
    """Plausible inputs for probes, validation, latency and export traces (no dataset at hand)."""
    out: List[torch.Tensor] = []
    for n in spec.names:
        period = spec.period_of(n)
        if period is not None:
            out.append((torch.arange(B, dtype=torch.long) * 7 % period).to(device))
        else:
            out.append((torch.rand(B, L, len(CALENDAR_FEATURES), generator=generator) - 0.5).to(device))
    return tuple(out)


def _epoch_ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(round(dt.timestamp() * 1000))


def calendar_table(start_ms: int, freq_ms: float, rows: int) -> np.ndarray:
    """(rows, 6) float32 calendar features of each row's timestamp (UTC)."""
    ms = start_ms + np.round(np.arange(rows, dtype=np.float64) * float(freq_ms)).astype(np.int64)
    t = ms.astype("datetime64[ms]")
    days = t.astype("datetime64[D]")
    months = t.astype("datetime64[M]")
    years = t.astype("datetime64[Y]")
    minute = (ms // 60_000) % 60
    hour = (ms // 3_600_000) % 24
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    dom = (days - months.astype("datetime64[D]")).astype(np.int64)  # 0-based
    doy = (days - years.astype("datetime64[D]")).astype(np.int64)  # 0-based
    month = months.astype(np.int64) % 12  # 0-based
    cols = [minute / 59.0, hour / 23.0, weekday / 6.0, dom / 30.0, doy / 365.0, month / 11.0]
    return (np.stack(cols, axis=1) - 0.5).astype(np.float32)


class Feed:
    """Per-batch extra inputs for one dataset: `at(starts)` gives them in forward's order."""

    def __init__(self, spec: Spec, meta: Dict[str, Any], rows: int, L: int, device: torch.device):
        self.spec = spec
        self.L = L
        self.device = device
        self.cycle_base = 0
        self.calendar: Optional[torch.Tensor] = None
        if not spec.names:
            return
        freq = meta.get("frequencyMs")
        start = meta.get("start")
        start_ms = _epoch_ms(start) if isinstance(start, str) else None
        if CYCLE in spec.names and freq and start_ms is not None and float(freq) > 0:
            # Phase from the timestamp, so that it means the same in every split and every dataset
            # prepared from the same clock (hour of day for P=24 on an hourly grid).
            self.cycle_base = int(start_ms // float(freq))
        if CALENDAR in spec.names:
            if not freq or start_ms is None:
                raise InputError(f"forward() asks for {CALENDAR}, but the dataset has no time index (no frequency)")
            self.calendar = torch.from_numpy(calendar_table(start_ms, float(freq), rows)).to(device)

    def at(self, starts: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        out: List[torch.Tensor] = []
        for n in self.spec.names:
            if n == CYCLE:
                out.append((starts + self.cycle_base) % int(self.spec.period or 1))
            else:
                assert self.calendar is not None
                idx = starts[:, None] + torch.arange(self.L, device=self.device)[None, :]
                out.append(self.calendar[idx])
        return tuple(out)


def feed(built: Any, ds: Any, L: int) -> Feed:
    """The Feed for a built model (contract.Built) on a data.Dataset."""
    return Feed(built.inputs, ds.meta, ds.rows, L, ds.device)
