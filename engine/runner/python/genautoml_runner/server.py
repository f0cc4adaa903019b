"""Request dispatch: one request per process, events and exactly one result on the protocol fd."""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import threading
import time
import traceback
from typing import Any, Dict

import numpy as np
import torch

from . import PROTOCOL_VERSION, contract, policy, prelude

MAX_REQUEST_BYTES = 32 * 1024 * 1024
_lock = threading.Lock()


def _clean(v: Any) -> Any:
    # JSON has no NaN/Inf; numpy scalars are not JSON either.
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (np.floating,)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def emit(obj: Dict[str, Any]) -> None:
    data = (json.dumps(_clean(obj), allow_nan=False, default=str) + "\n").encode()
    with _lock:
        prelude.protocol_stream().write(data)


def resolve_device(name: Any) -> torch.device:
    if name == "cuda" or (name in (None, "auto") and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' requested but torch.cuda.is_available() is False")
        return torch.device("cuda")
    return torch.device("cpu")


def probe_info() -> Dict[str, Any]:
    info: Dict[str, Any] = {
        "pythonVersion": platform.python_version(), "torchVersion": torch.__version__, "numpyVersion": np.__version__,
        "cudaAvailable": bool(torch.cuda.is_available()), "cudaDevice": None, "onnxVersion": None,
    }
    if info["cudaAvailable"]:
        try:
            info["cudaDevice"] = torch.cuda.get_device_name(0)
        except Exception:  # noqa: BLE001
            pass
    try:
        import onnx

        info["onnxVersion"] = onnx.__version__
    except Exception:  # noqa: BLE001
        pass
    return info


def _error(op: str, exc: BaseException) -> Dict[str, Any]:
    if isinstance(exc, contract.ContractError):
        return {"type": "result", "op": op, "ok": False, "error": {
            "code": "runner.model_error", "stage": exc.stage, "message": exc.message, "traceback": exc.tb, "line": exc.line, **exc.extra}}
    tb, line = contract.model_traceback(exc)
    stage = "resource" if contract.is_resource_error(exc) else None
    if line is None:
        # Not the model's fault as far as the frames show: keep the runner's own stack for bugs.
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:]
    return {"type": "result", "op": op, "ok": False, "error": {
        "code": "runner.model_error" if (line is not None or stage) else "runner.failed",
        "stage": stage, "message": f"{type(exc).__name__}: {str(exc)[:2000]}", "traceback": tb, "line": line}}


def validate(req: Dict[str, Any], device: torch.device) -> Dict[str, Any]:
    t0 = time.perf_counter()
    dims = req["dims"]
    H, C = int(dims["horizon"]), int(dims["nFeatures"])
    rep: Dict[str, Any] = {
        "ok": False, "stage": "ok", "message": "", "violations": [], "traceback": None, "errorLine": None,
        "expectedShape": [2, H, C], "outputShape": None, "projection": None, "params": None, "latencyMs": None,
        "searchSpace": None, "durationMs": 0.0,
    }
    code = req["code"]
    enforce = req.get("policy", True)

    def done(stage: str, message: str, **kw: Any) -> Dict[str, Any]:
        rep.update(kw)
        rep["stage"] = stage
        rep["ok"] = stage == "ok"
        rep["message"] = message
        rep["durationMs"] = (time.perf_counter() - t0) * 1000.0
        return rep

    if enforce:
        checked = policy.check_source(code)
        if checked["syntax_error"]:
            se = checked["syntax_error"]
            return done("syntax", se["message"], errorLine=se["line"])
        if checked["violations"]:
            v = checked["violations"]
            lines = "; ".join(f"line {x['line']}: {x['message']}" for x in v[:5])
            return done("policy", f"{len(v)} policy violation(s): {lines}", violations=v, errorLine=v[0]["line"])
    built = None
    try:
        built = contract.build(code, dims, req.get("hyper"), req.get("revin", False), enforce_policy=enforce,
                               param_budget=req.get("paramBudget"), seed=0)
        rep.update(outputShape=built.out_shape, projection=built.projection, params=built.params)
        cls = contract.find_model_class(built.module)
        space = contract.search_space(code, cls)
        rep["searchSpace"] = space
        probe = contract.check_output_and_gradients(built, dims, device, int(req.get("probeSeed", 0)))
        if req.get("probeFile"):
            _write_probe(probe, str(req["probeFile"]))
        lat = _validate_latency(built, dims, device)
        rep["latencyMs"] = lat
        msg = "model satisfies the contract" + (f"; projection attached: {built.projection['detail']}" if built.projection else "")
        return done("ok", msg)
    except contract.ContractError as e:
        extra = {"violations": e.extra.get("violations", [])} if e.extra.get("violations") else {}
        return done(e.stage, e.message, traceback=e.tb, errorLine=e.line, **extra)
    except BaseException as e:  # noqa: BLE001
        tb, line = contract.model_traceback(e)
        stage = "resource" if contract.is_resource_error(e) else "forward"
        return done(stage, f"{type(e).__name__}: {str(e)[:1000]}", traceback=tb, errorLine=line)


def _write_probe(y: torch.Tensor, name: str) -> None:
    """The forward output on the host-seeded batch of 3 (the gradient check's), as float32 bytes
    under the host's name: the host, not this process, decides whether the output has the
    contract's shape and is finite."""
    if os.path.basename(name) != name or not name.endswith(".f32"):
        raise ValueError("probe file name must be a bare .f32 name")
    data = y.contiguous().numpy().astype("<f4").tobytes()
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _validate_latency(built: contract.Built, dims: Dict[str, Any], device: torch.device) -> float:
    import statistics

    from . import inputs

    model = built.model
    model.eval()
    x = torch.randn(1, int(dims["lookback"]), int(dims["nFeatures"]), device=device)
    extra = inputs.synthetic(built.inputs, 1, int(dims["lookback"]), device)
    times = []
    with torch.no_grad():
        for i in range(7):
            t = time.perf_counter()
            model(x, *extra)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            if i >= 2:
                times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


def _stop_listener(stop: threading.Event) -> None:
    for raw in sys.stdin.buffer:
        try:
            msg = json.loads(raw[:4096])
        except ValueError:
            continue
        if isinstance(msg, dict) and msg.get("type") == "stop":
            stop.set()


def _load(req: Dict[str, Any], device: torch.device) -> contract.Built:
    """A trained trial, or a weighted ensemble of trained trials (req["members"])."""
    from . import ensemble, train

    return ensemble.load(req, device) if req.get("members") else train.load_trained(req, device)


def handle(req: Dict[str, Any]) -> Dict[str, Any]:
    op = req.get("op")
    if req.get("threads"):
        torch.set_num_threads(int(req["threads"]))
    device = resolve_device(req.get("device"))
    sandboxed = bool(req.get("sandboxed", False))
    if op == "probe":
        return {"type": "result", "op": op, "ok": True, "data": probe_info()}
    if op == "validate":
        return {"type": "result", "op": op, "ok": True, "data": validate(req, device)}
    if op == "train":
        from . import train

        stop = threading.Event()
        threading.Thread(target=_stop_listener, args=(stop,), daemon=True).start()
        data = train.run(req, device, emit, stop, sandboxed)
        return {"type": "result", "op": op, "ok": True, "data": data}
    if op == "evaluate":
        from . import evaluate, inputs, train
        from .data import Dataset

        t0 = time.perf_counter()
        built = train.load_trained(req, device)
        ds = Dataset(req["data"], device)
        dims = req["dims"]
        L, H = int(dims["lookback"]), int(dims["horizon"])
        bs = int(req.get("batchSize") or 256)
        feed = inputs.feed(built, ds, L)
        if dims["task"] == "anomaly":
            an = req.get("anomaly") or {}
            m = evaluate.anomaly(built.model, ds, L, H, bs, int(an.get("seed", 0)), an.get("faults"), feed)
        else:
            m = evaluate.forecast(built.model, ds, L, H, bs, feed)
        return {"type": "result", "op": op, "ok": True, "data": {
            "metrics": m, "params": built.params, "evalTimeS": time.perf_counter() - t0, "device": str(device), "sandboxed": sandboxed}}
    if op == "evaluate_causal":
        from . import causal, train

        built = train.load_trained(req, device)
        return {"type": "result", "op": op, "ok": True, "data": causal.run(req, built, device, emit, sandboxed)}
    if op == "latency":
        from . import evaluate

        built = _load(req, device)
        dims = req["dims"]
        b = int(req.get("batchSize") or 64)
        lat = evaluate.latency(built.model, int(dims["lookback"]), int(dims["nFeatures"]), device, b, int(req.get("repeats") or 20), built.inputs)
        return {"type": "result", "op": op, "ok": True, "data": {**lat, "batchSize": b, "params": built.params, "device": str(device), "sandboxed": sandboxed}}
    if op == "export":
        from . import export

        built = _load(req, torch.device("cpu"))
        return {"type": "result", "op": op, "ok": True, "data": export.run(req, built, sandboxed)}
    if op == "pack":
        # Trusted: this process loads no model code (never a pool process, never after a model).
        from . import export

        return {"type": "result", "op": op, "ok": True, "data": {**export.pack(req), "torch": torch.__version__}}
    if op == "export_check":
        from . import export

        built = _load(req, torch.device("cpu"))
        return {"type": "result", "op": op, "ok": True, "data": export.check(req, built, sandboxed)}
    return {"type": "result", "op": str(op), "ok": False, "error": {"code": "runner.bad_request", "stage": None, "message": f"unknown op {op!r}", "traceback": None, "line": None}}


def serve(applied: Dict[str, Any], capped: prelude.CappedWriter) -> int:
    emit({"type": "ready", "protocol": PROTOCOL_VERSION, "pid": os.getpid(), "torch": torch.__version__, "limits": applied})
    raw = sys.stdin.buffer.readline(MAX_REQUEST_BYTES + 1)
    if not raw:
        return 0  # pool shut down before a request arrived
    op = "unknown"
    try:
        if len(raw) > MAX_REQUEST_BYTES:
            raise ValueError(f"request larger than {MAX_REQUEST_BYTES} bytes")
        req = json.loads(raw)
        op = str(req.get("op"))
        result = handle(req)
    except BaseException as e:  # noqa: BLE001 - the one place every failure becomes a reply
        result = _error(op, e)
    if capped.dropped:
        result["stdoutDropped"] = capped.dropped
    try:
        emit(result)
    except Exception as e:  # noqa: BLE001 - e.g. an unserialisable value: still answer
        emit({"type": "result", "op": op, "ok": False, "error": {"code": "runner.failed", "stage": None, "message": f"result not serialisable: {e}", "traceback": None, "line": None}})
    sys.stdout.flush()
    # Skip interpreter teardown: model objects' finalisers must not run after the answer, and
    # exiting fast frees the pool slot.
    os._exit(0)
