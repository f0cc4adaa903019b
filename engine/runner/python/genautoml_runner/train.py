"""Training loop: Adam + weight decay, ReduceLROnPlateau, early stopping restoring the best
weights, deterministic seeds. Kept minimal on purpose: per batch it does exactly what a
hand-written PyTorch loop does (the benchmark compares the two), and it synchronises with the
device once per epoch, not per batch.
"""
from __future__ import annotations

import json
import math
import os
import random
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import torch

from . import contract, inputs, tensors
from .data import Dataset, normal_train_starts

WEIGHTS_FILE = "weights.tensors"

DEFAULTS = {
    "epochs": 30, "batchSize": 64, "lr": 1e-3, "weightDecay": 1e-4, "patience": 5,
    "plateauPatience": 3, "plateauFactor": 0.5, "seed": 0,
}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def loss_fn(name: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if name == "mse":
        return torch.nn.functional.mse_loss
    return torch.nn.functional.l1_loss


def evaluate_loss(model: torch.nn.Module, ds: Dataset, starts: torch.Tensor, L: int, H: int, bs: int, crit: str,
                  feed: Optional[inputs.Feed] = None, predictions: Optional[str] = None) -> Dict[str, Optional[float]]:
    """The trainer's own validation loss (its scheduler and early stopping). With `predictions`,
    the predictions are also written there as float32 [windows, H, C] in one piece: the host
    scores those against its own targets (engine/runner/scoring.ts); this loss is a claim."""
    if starts.numel() == 0:
        return {"loss": None, "mse": None}
    # Each batch's predictions go straight into one float32 buffer on the model's device (no list
    # and concatenation: one copy less of [windows, H, C] per epoch), moved to the CPU once.
    out: Optional[torch.Tensor] = None
    model.eval()
    ae = torch.zeros((), dtype=torch.float64, device=ds.device)
    se = torch.zeros((), dtype=torch.float64, device=ds.device)
    n = 0
    with torch.no_grad():
        step = max(bs, 256)
        for i in range(0, int(starts.numel()), step):
            s = starts[i:i + step]
            x, y = ds.batch(s, L, H)
            p = model(x, *(feed.at(s) if feed else ()))
            if predictions:
                if out is None:
                    out = torch.empty((int(starts.numel()),) + tuple(p.shape[1:]), dtype=torch.float32, device=p.device)
                out[i:i + p.shape[0]] = p
            d = p - y
            ae += d.abs().sum(dtype=torch.float64)
            se += (d * d).sum(dtype=torch.float64)
            n += d.numel()
    mae, mse = float(ae) / n, float(se) / n
    if predictions and out is not None:
        tmp = predictions + ".partial"
        out.to("cpu").numpy().tofile(tmp)
        os.replace(tmp, predictions)
    return {"loss": mse if crit == "mse" else mae, "mse": mse}


def build_record(req: Dict[str, Any], built: contract.Built) -> Dict[str, Any]:
    return {
        "dims": req["dims"], "hyper": req.get("hyper") or {}, "revin": req.get("revin", False),
        "projection": built.projection, "params": built.params, "constructor": built.chosen,
        "outputShape": built.out_shape,
    }


_interop_set = False


def single_interop_thread() -> None:
    # A trial has no inter-op parallelism to use; the pool would only add threads competing for
    # the cores the thread policy gave it (docs/scale-out.md "Threads"). torch allows this once,
    # before any parallel work, and aborts the process (not an exception) on a second call.
    global _interop_set
    if _interop_set:
        return
    _interop_set = True
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass


def run(req: Dict[str, Any], device: torch.device, emit: Callable[[Dict[str, Any]], None], stop: threading.Event, sandboxed: bool) -> Dict[str, Any]:
    single_interop_thread()
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in (req.get("train") or {}).items() if v is not None})
    dims = req["dims"]
    task = dims["task"]
    L, H = int(dims["lookback"]), int(dims["horizon"])
    crit = opts.get("loss") or ("mse" if task == "anomaly" else "mae")
    seed = int(opts["seed"])
    seed_everything(seed)
    built = contract.build(req["code"], dims, req.get("hyper"), req.get("revin", False),
                           enforce_policy=req.get("policy", True), param_budget=req.get("paramBudget"), seed=seed)
    model = built.model.to(device)
    ds = Dataset(req["data"], device)
    if ds.C != int(dims["nFeatures"]):
        raise contract.ContractError("shape", f"dataset has {ds.C} columns but dims.nFeatures is {dims['nFeatures']}")
    feed = inputs.feed(built, ds, L)
    train_starts = ds.starts("train", L, H)
    if task == "anomaly":
        train_starts = normal_train_starts(ds, train_starts, L, H)
    val_starts = ds.starts("val", L, H)
    if train_starts.numel() == 0:
        raise contract.ContractError("shape", f"the train split is shorter than lookback + horizon ({L} + {H}) rows")
    emit({"type": "event", "event": "info", "message": "training", "data": {
        "trainWindows": int(train_starts.numel()), "valWindows": int(val_starts.numel()), "params": built.params,
        "projection": built.projection, "device": str(device), "threads": torch.get_num_threads()}})

    bs = int(opts["batchSize"])
    criterion = loss_fn(crit)
    optim = torch.optim.Adam(model.parameters(), lr=float(opts["lr"]), weight_decay=float(opts["weightDecay"]))
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(optim, mode="min", factor=float(opts["plateauFactor"]), patience=int(opts["plateauPatience"]))
    gen = torch.Generator().manual_seed(seed)
    max_windows = opts.get("maxTrainWindows")
    budget = opts.get("timeBudgetS")
    best_loss = math.inf
    best_state: Optional[Dict[str, torch.Tensor]] = None
    best_epoch = 0
    bad = 0
    history: List[Dict[str, Any]] = []
    stop_reason = "max_epochs"
    t_start = time.perf_counter()
    train_time = 0.0
    samples = 0
    epoch = 0
    for epoch in range(1, int(opts["epochs"]) + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(int(train_starts.numel()), generator=gen).to(device)
        order = train_starts[perm]
        if max_windows:
            order = order[: int(max_windows)]
        total = torch.zeros((), device=device)
        n = 0
        out_of_time = False
        for i in range(0, int(order.numel()), bs):
            # The budget is checked per batch: one epoch of a large model on a CPU can outlast it.
            if n > 0 and budget is not None and time.perf_counter() - t_start >= float(budget):
                out_of_time = True
                break
            s = order[i:i + bs]
            x, y = ds.batch(s, L, H)
            optim.zero_grad(set_to_none=True)
            loss = criterion(model(x, *feed.at(s)), y)
            loss.backward()
            optim.step()
            total += loss.detach() * x.shape[0]
            n += int(x.shape[0])
        train_loss = float(total) / max(n, 1)  # the one device sync of the epoch
        train_time += time.perf_counter() - t0
        samples += n
        if not math.isfinite(train_loss):
            raise contract.ContractError("finite", f"training diverged at epoch {epoch}: train loss is {train_loss}")
        v = evaluate_loss(model, ds, val_starts, L, H, bs, crit, feed, os.path.join(req["workDir"], f"val-{epoch}.f32"))
        sel = v["loss"] if v["loss"] is not None else train_loss
        if not math.isfinite(sel):
            raise contract.ContractError("finite", f"validation loss is not finite at epoch {epoch}")
        sched.step(sel)
        improved = sel < best_loss
        if improved:
            best_loss, best_epoch, bad = sel, epoch, 0
            best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
        else:
            bad += 1
        lr = float(optim.param_groups[0]["lr"])
        history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": v["loss"], "lr": lr})
        emit({"type": "event", "event": "epoch", "epoch": epoch, "train_loss": train_loss, "val_loss": v["loss"],
              "val_mse": v["mse"], "lr": lr, "elapsed": time.perf_counter() - t_start, "best": improved})
        if bad >= int(opts["patience"]):
            stop_reason = "early_stopping"
            break
        if stop.is_set():
            stop_reason = "pruned"
            break
        if out_of_time or (budget is not None and time.perf_counter() - t_start >= float(budget)):
            stop_reason = "time_budget"
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    work = req["workDir"]
    # Raw tensors, not torch.save: the host checks this file and nothing in it can run code.
    weights = os.path.join(work, WEIGHTS_FILE)
    tensors.save(model.state_dict(), weights)
    record = build_record(req, built)
    record.update({"bestEpoch": best_epoch, "bestValLoss": None if best_loss == math.inf else best_loss})
    with open(os.path.join(work, "build.json"), "w") as f:
        json.dump(record, f)
    return {
        "epochs": epoch, "bestEpoch": best_epoch,
        "bestValLoss": None if best_loss == math.inf or not val_starts.numel() else best_loss,
        "stopReason": stop_reason, "trainTimeS": train_time, "samplesPerS": samples / train_time if train_time > 0 else 0.0,
        "params": built.params, "projection": built.projection, "device": str(device), "weightsPath": weights,
        "history": history, "sandboxed": sandboxed,
    }


def safe_load(path: str) -> Any:
    """Weights as the host stored them: raw tensors (tensors.py). Files from before that format
    are torch.save pickles; they load with weights_only=True, and only in a sandbox."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == tensors.MAGIC:
        return tensors.load(path)
    return torch.load(path, map_location="cpu", weights_only=True)


def load_trained(req: Dict[str, Any], device: torch.device) -> contract.Built:
    """Rebuild the same Wrapped structure and load weights saved by `run`."""
    built = contract.build(req["code"], req["dims"], req.get("hyper"), req.get("revin", False),
                           enforce_policy=req.get("policy", True), param_budget=None, seed=0)
    wp = req.get("weightsPath")
    if wp:
        state = safe_load(wp)
        missing, unexpected = built.model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise contract.ContractError("load", f"weights do not match the model built from this code (missing {list(missing)[:5]}, unexpected {list(unexpected)[:5]}); same code, hyper and revin as in train?")
    built.model.to(device)
    built.model.eval()
    return built
