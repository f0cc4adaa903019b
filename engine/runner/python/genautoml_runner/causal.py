"""Causal evaluation: the model gets windows one at a time, in time order, over stdin, and must
answer each before the next is sent. This process holds no data file and no targets; the host
scores the predictions (engine/runner/scoring.ts). A window's targets first appear in later
windows' inputs, so neither a batched trick nor a cache sees a target before its prediction is
committed."""
from __future__ import annotations

import base64
import json
import sys
import time
from typing import Any, Callable, Dict

import numpy as np
import torch

from . import contract, inputs

MAX_LINE = 16 * 1024 * 1024


def run(req: Dict[str, Any], built: contract.Built, device: torch.device, emit: Callable[[Dict[str, Any]], None], sandboxed: bool) -> Dict[str, Any]:
    dims = req["dims"]
    L, H, C = int(dims["lookback"]), int(dims["horizon"]), int(dims["nFeatures"])
    meta = req["meta"]
    feed = inputs.Feed(built.inputs, meta, int(meta["rows"]), L, device)
    model = built.model
    model.eval()
    t0 = time.perf_counter()
    emit({"type": "event", "event": "info", "message": "causal: ready for windows"})
    with torch.no_grad():
        while True:
            raw = sys.stdin.buffer.readline(MAX_LINE)
            if not raw:
                raise RuntimeError("the host closed the window stream")
            msg = json.loads(raw)
            if msg.get("type") == "done":
                break
            x = torch.from_numpy(np.frombuffer(base64.b64decode(msg["x"]), dtype="<f4").reshape(1, L, C).copy()).to(device)
            s = torch.tensor([int(msg["start"])], dtype=torch.long, device=device)
            y = model(x, *feed.at(s))
            if type(y) is not torch.Tensor or tuple(y.shape) != (1, H, C):
                raise contract.ContractError("shape", f"forward() returned {type(y).__name__} of shape {list(getattr(y, 'shape', []))}; expected a tensor [1, {H}, {C}]")
            b = y.detach().to(device="cpu", dtype=torch.float32).contiguous().numpy().tobytes()
            emit({"type": "event", "event": "pred", "seq": int(msg["seq"]), "y": base64.b64encode(b).decode()})
    return {"params": built.params, "evalTimeS": time.perf_counter() - t0, "device": str(device), "sandboxed": sandboxed}
