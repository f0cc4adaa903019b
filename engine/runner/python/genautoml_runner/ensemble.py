"""A weighted ensemble of trained trials as one module: what latency, export and the export's round
trip measure when the study's selected model is an ensemble (engine/search/ensemble.ts chose the
members and their weights from validation predictions; nothing here chooses anything).

The ensemble takes the longest member lookback: each member sees the last `L_i` rows of `x` (and of
`calendar`), and a cycle index is shifted to the member's own first input row. Members with
different cycle lengths get one `cycle_index_<P>` input per period (`cycle_index` when all agree).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import nn

from . import contract, inputs


class Spec(inputs.Spec):
    """The ensemble's extra inputs: `calendar` and one cycle index per distinct period."""

    def __init__(self, names: List[str], periods: Dict[str, int]):
        super().__init__(names, None)
        self.periods = periods

    def period_of(self, name: str) -> Optional[int]:
        return self.periods.get(name)


class Ensemble(nn.Module):
    """y = sum_i w_i * member_i(x[:, -L_i:], its inputs), weights fixed (not trained)."""

    def __init__(self, members: List[nn.Module], weights: List[float], lookbacks: List[int], L: int,
                 routes: List[List[Tuple[int, str, int]]], input_names: List[str]):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.weights = [float(w) for w in weights]
        self.offsets = [L - l for l in lookbacks]
        # routes[i]: for each extra input of member i, (index in the ensemble's inputs, kind, period).
        self.routes = routes
        self.input_names = list(input_names)

    def forward(self, x: torch.Tensor, *extra: torch.Tensor) -> torch.Tensor:
        if len(extra) != len(self.input_names):
            raise TypeError(f"the ensemble takes x and {self.input_names}; got {len(extra)} extra input(s)")
        y: Optional[torch.Tensor] = None
        for member, w, off, route in zip(self.members, self.weights, self.offsets, self.routes):
            args = []
            for idx, kind, period in route:
                v = extra[idx]
                if kind == inputs.CYCLE:
                    args.append((v + off) % period)
                else:
                    args.append(v[:, off:, :])
            part = member(x[:, off:, :], *args) * w
            y = part if y is None else y + part
        assert y is not None
        return y


def load(req: Dict[str, Any], device: torch.device) -> contract.Built:
    """Builds every member from its code and raw weights (train.load_trained) and the Ensemble."""
    from . import train

    members = req["members"]
    weights = req["weights"]
    if not isinstance(members, list) or len(members) < 2 or not isinstance(weights, list) or len(weights) != len(members):
        raise ValueError("an ensemble needs at least two members and one weight per member")
    built = [train.load_trained({**m, "policy": req.get("policy", True)}, device) for m in members]
    lookbacks = [int(m["dims"]["lookback"]) for m in members]
    L = max(lookbacks)
    cycle_periods = sorted({int(b.inputs.period or 1) for b in built if inputs.CYCLE in b.inputs.names})

    def cycle_name(p: int) -> str:
        return inputs.CYCLE if len(cycle_periods) == 1 else f"{inputs.CYCLE}_{p}"

    periods: Dict[str, int] = {cycle_name(p): p for p in cycle_periods}
    names: List[str] = list(periods)
    if any(inputs.CALENDAR in b.inputs.names for b in built):
        names.append(inputs.CALENDAR)
    routes: List[List[Tuple[int, str, int]]] = []
    for b in built:
        route: List[Tuple[int, str, int]] = []
        for n in b.inputs.names:
            if n == inputs.CYCLE:
                p = int(b.inputs.period or 1)
                route.append((names.index(cycle_name(p)), inputs.CYCLE, p))
            else:
                route.append((names.index(inputs.CALENDAR), inputs.CALENDAR, 0))
        routes.append(route)
    model = Ensemble([b.model for b in built], [float(w) for w in weights], lookbacks, L, routes, names).to(device).eval()
    dims = members[lookbacks.index(L)]["dims"]
    params = sum(b.params for b in built)
    return contract.Built(model, None, params, params, {}, [2, int(dims["horizon"]), int(dims["nFeatures"])], built[0].module, Spec(names, periods))

