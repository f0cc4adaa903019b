"""Model directory export: source, weights, TorchScript, ONNX, metadata and usage, and a
round-trip check that loads each artefact back and compares predictions."""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import shutil
import sys
import textwrap
from typing import Any, Dict, List, Optional

import torch

from . import contract

WRAPPER_HEADER = '''"""genautoml wrapper: rebuilds the trained model (Dyn-RevIN, projection head) around model.py.

Usage: from genautoml_wrapper import load_model; model = load_model("path/to/this/dir")
"""
import importlib.util
import inspect
import json
import os
import types
from typing import Any, Dict, Optional, Tuple

import torch
from torch import nn

'''

WRAPPER_FOOTER = '''

def _forward_extras(model: nn.Module) -> Dict[str, Any]:
    sig = inspect.signature(model.forward)
    params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return {p.name: None for p in params[1:] if p.default is inspect.Parameter.empty}


def load_model(directory: str, map_location: str = "cpu") -> nn.Module:
    """Model in eval mode, taking (B, lookback, n_features) z-scored inputs -> (B, horizon, n_features)."""
    with open(os.path.join(directory, "metadata.json")) as f:
        meta = json.load(f)
    spec = importlib.util.spec_from_file_location("genautoml_exported_model", os.path.join(directory, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    build = meta["build"]
    torch.manual_seed(0)
    kwargs = {k: types.SimpleNamespace(**v["namespace"]) if isinstance(v, dict) and "namespace" in v else v
              for k, v in build["constructor"].items()}
    core = module.Model(**kwargs)
    H, C = meta["horizon"], meta["nFeatures"]
    proj = build["projection"]
    adapter = Adapter(proj["kind"] if proj else "none", tuple(build["outputShape"]), H, C)
    revin = build["revin"]
    use_revin = bool(revin) if not isinstance(revin, dict) else True
    affine = revin.get("affine", True) if isinstance(revin, dict) else True
    model = Wrapped(core, adapter, _forward_extras(core), RevIN(C, affine) if use_revin else None)
    state = torch.load(os.path.join(directory, "weights.pt"), map_location=map_location)
    model.load_state_dict(state)
    return model.eval()
'''

USAGE = """# {name}

Trained by genautoml on `{dataset}` ({task}, lookback {L}, horizon {H}, {C} features).

Inputs are **z-scored** with the training statistics in `metadata.json` (`scaler.mean`,
`scaler.std`, one per column in `columns` order); outputs are in the same scaled units. To get
original units: `y * std + mean`.

Shapes: input `(batch, {L}, {C})` float32, output `(batch, {H}, {C})`.

## PyTorch (source + weights)

```python
import sys; sys.path.insert(0, "path/to/this/dir")
from genautoml_wrapper import load_model
model = load_model("path/to/this/dir")
y = model(x)
```

## TorchScript (no source needed)

```python
import torch
model = torch.jit.load("model.torchscript.pt")
y = model(x)
```

## ONNX

```python
import onnxruntime as ort
sess = ort.InferenceSession("model.onnx")
y = sess.run(None, {{"x": x.numpy()}})[0]
```

Files: {files}.
"""


def _wrapper_source() -> str:
    parts = [WRAPPER_HEADER]
    parts.append(textwrap.dedent(inspect.getsource(contract.first_tensor)))
    for cls in (contract.Adapter, contract.RevIN, contract.Wrapped):
        parts.append("\n\n" + textwrap.dedent(inspect.getsource(cls)))
    parts.append(WRAPPER_FOOTER)
    return "".join(parts)


def _onnx_export(model: torch.nn.Module, x: torch.Tensor, path: str, opset: int) -> None:
    kwargs: Dict[str, Any] = dict(input_names=["x"], output_names=["y"], opset_version=opset,
                                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, do_constant_folding=True)
    # torch >= 2.9 defaults to the dynamo exporter, which needs onnxscript; the TorchScript-based
    # exporter works on 1.13 through 2.x without the onnx package.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(model, (x,), path, **kwargs)


def run(req: Dict[str, Any], built: contract.Built, sandboxed: bool) -> Dict[str, Any]:
    out = req["outDir"]
    os.makedirs(out, exist_ok=True)
    dims = req["dims"]
    L, H, C = int(dims["lookback"]), int(dims["horizon"]), int(dims["nFeatures"])
    model = built.model.cpu().eval()
    errors: List[str] = []
    with open(os.path.join(out, "model.py"), "w") as f:
        f.write(req["code"])
    with open(os.path.join(out, "genautoml_wrapper.py"), "w") as f:
        f.write(_wrapper_source())
    torch.save({k: t.cpu() for k, t in model.state_dict().items()}, os.path.join(out, "weights.pt"))

    g = torch.Generator().manual_seed(1234)
    example = torch.randn(2, L, C, generator=g)
    check = torch.randn(3, L, C, generator=g)  # a different batch size than the trace
    with torch.no_grad():
        ref = model(check)

    ts_mode: Optional[str] = None
    ts_diff: Optional[float] = None
    ts_path = os.path.join(out, "model.torchscript.pt")
    try:
        with torch.no_grad():
            traced = torch.jit.trace(model, example, check_trace=False)
        traced.save(ts_path)
        ts_mode = "trace"
    except Exception as e:  # noqa: BLE001 - some models only script
        try:
            scripted = torch.jit.script(model)
            scripted.save(ts_path)
            ts_mode = "script"
        except Exception as e2:  # noqa: BLE001
            errors.append(f"TorchScript export failed: trace: {str(e)[:500]}; script: {str(e2)[:500]}")
    if ts_mode:
        try:
            loaded = torch.jit.load(ts_path, map_location="cpu")
            with torch.no_grad():
                ts_diff = float((loaded(check) - ref).abs().max())
        except Exception as e:  # noqa: BLE001
            errors.append(f"TorchScript reload failed: {str(e)[:1000]}")

    onnx_path = os.path.join(out, "model.onnx")
    onnx_checked = False
    onnx_diff: Optional[float] = None
    opset = int(req.get("opset") or 17)
    try:
        _onnx_export(model, example, onnx_path, opset)
    except Exception as e:  # noqa: BLE001
        errors.append(f"ONNX export failed (opset {opset}): {str(e)[:1500]}")
    if os.path.exists(onnx_path):
        try:
            import onnx  # optional: validates the graph when installed

            onnx.checker.check_model(onnx.load(onnx_path))
            onnx_checked = True
        except ImportError:
            pass
        except Exception as e:  # noqa: BLE001
            errors.append(f"ONNX checker: {str(e)[:1000]}")
        try:
            import onnxruntime as ort  # optional: numerical check when installed

            sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
            y = sess.run(None, {"x": check.numpy()})[0]
            onnx_diff = float(abs(torch.from_numpy(y) - ref).max())
        except ImportError:
            pass
        except Exception as e:  # noqa: BLE001
            errors.append(f"ONNX runtime check: {str(e)[:1000]}")

    data = req.get("data") or {}
    meta_in = data.get("meta") or {}
    metadata = {
        "format": "genautoml-model/1",
        "name": req.get("name") or "model",
        "dataset": data.get("name"),
        "task": dims["task"], "lookback": L, "horizon": H, "nFeatures": C,
        "columns": meta_in.get("columns"), "target": meta_in.get("target"), "frequencyMs": meta_in.get("frequencyMs"),
        "scaler": meta_in.get("scaler"), "metrics": req.get("metrics") or {}, "params": built.params,
        "build": {"constructor": built.chosen, "hyper": req.get("hyper") or {}, "revin": req.get("revin", False),
                  "projection": built.projection, "outputShape": built.out_shape},
        "torch": torch.__version__, "onnxOpset": opset,
    }
    with open(os.path.join(out, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=2)

    # Round trip through the exported files alone, in a fresh module namespace.
    sd_diff = float("inf")
    try:
        spec = importlib.util.spec_from_file_location("genautoml_export_check", os.path.join(out, "genautoml_wrapper.py"))
        assert spec and spec.loader
        wrapper = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(wrapper)
        reloaded = wrapper.load_model(out)
        with torch.no_grad():
            sd_diff = float((reloaded(check) - ref).abs().max())
    except Exception as e:  # noqa: BLE001
        errors.append(f"state_dict reload through genautoml_wrapper.py failed: {type(e).__name__}: {str(e)[:1000]}")
    finally:
        sys.modules.pop("genautoml_exported_model", None)

    files = sorted(os.listdir(out))
    with open(os.path.join(out, "USAGE.md"), "w") as f:
        f.write(USAGE.format(name=metadata["name"], dataset=metadata["dataset"] or "a dataset", task=dims["task"], L=L, H=H, C=C,
                             files=", ".join(files + ["USAGE.md"])))
    files = sorted(os.listdir(out))
    tol = 1e-4
    ok = sd_diff <= tol and (ts_diff is not None and ts_diff <= tol) and os.path.exists(onnx_path) and os.path.getsize(onnx_path) > 0 \
        and (onnx_diff is None or onnx_diff <= 1e-3)
    return {
        "dir": out,
        "files": [{"name": n, "bytes": os.path.getsize(os.path.join(out, n))} for n in files if os.path.isfile(os.path.join(out, n))],
        "roundTrip": {"stateDictMaxAbsDiff": sd_diff if sd_diff != float("inf") else 1e30, "torchscriptMaxAbsDiff": ts_diff,
                      "onnxMaxAbsDiff": onnx_diff, "torchscriptMode": ts_mode, "onnxChecked": onnx_checked, "ok": bool(ok)},
        "errors": errors, "sandboxed": sandboxed,
    }


def remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
