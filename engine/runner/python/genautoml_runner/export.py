"""Model directory export: source, weights, TorchScript, ONNX, metadata and usage, and a
round-trip check that loads each artefact back and compares predictions."""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import textwrap
from typing import Any, Dict, List, Optional, Tuple

import torch

from . import contract, inputs

WRAPPER_HEADER = '''"""genautoml wrapper: rebuilds the trained model (Dyn-RevIN, projection head) around model.py.

Usage: from genautoml_wrapper import load_model; model = load_model("path/to/this/dir")
"""
import importlib.util
import inspect
import json
import os
import types
from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import nn

'''

WRAPPER_FOOTER = '''

def _forward_extras(model: nn.Module, inputs: Any) -> Dict[str, Any]:
    sig = inspect.signature(model.forward)
    params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return {p.name: None for p in params[1:] if p.default is inspect.Parameter.empty and p.name not in inputs}


def load_model(directory: str, map_location: str = "cpu") -> nn.Module:
    """Model in eval mode, taking (B, lookback, n_features) z-scored inputs -> (B, horizon, n_features),
    followed by the extra inputs listed in metadata.json build.inputs, in that order (USAGE.md)."""
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
    names = [i["name"] for i in build.get("inputs", [])]
    model = Wrapped(core, adapter, _forward_extras(core, names), RevIN(C, affine) if use_revin else None, names)
    # weights_only: the file holds plain tensors and is loaded as such, never as an arbitrary
    # pickle (torch >= 1.13). model.py above is still code from an untrusted source: see USAGE.md.
    try:
        state = torch.load(os.path.join(directory, "weights.pt"), map_location=map_location, weights_only=True)
    except TypeError as e:
        raise RuntimeError("this export needs torch >= 1.13 (torch.load(weights_only=True))") from e
    model.load_state_dict(state)
    return model.eval()
'''

def _wrapper_source() -> str:
    parts = [WRAPPER_HEADER]
    parts.append(textwrap.dedent(inspect.getsource(contract.first_tensor)))
    for cls in (contract.Adapter, contract.RevIN, contract.Wrapped):
        parts.append("\n\n" + textwrap.dedent(inspect.getsource(cls)))
    parts.append(WRAPPER_FOOTER)
    return "".join(parts)


def _onnx_export(model: torch.nn.Module, args: Tuple[torch.Tensor, ...], names: List[str], path: str, opset: int) -> None:
    axes = {n: {0: "batch"} for n in ["x", *names, "y"]}
    kwargs: Dict[str, Any] = dict(input_names=["x", *names], output_names=["y"], opset_version=opset,
                                  dynamic_axes=axes, do_constant_folding=True)
    # torch >= 2.9 defaults to the dynamo exporter, which needs onnxscript; the TorchScript-based
    # exporter works on 1.13 through 2.x without the onnx package.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(model, args, path, **kwargs)


def run(req: Dict[str, Any], built: contract.Built, sandboxed: bool) -> Dict[str, Any]:
    """In the sandbox that runs the model: TorchScript, ONNX and the build record. Everything else in
    an export (weights.pt, the wrapper, model.py, metadata.json, USAGE.md) is written by trusted code."""
    out = req["outDir"]
    dims = req["dims"]
    L, C = int(dims["lookback"]), int(dims["nFeatures"])
    model = built.model.cpu().eval()
    errors: List[str] = []
    g = torch.Generator().manual_seed(1234)
    names = built.inputs.names
    # Extra inputs (inputs.py) are plain positional inputs of every artefact, after x.
    example = (torch.randn(2, L, C, generator=g), *inputs.synthetic(built.inputs, 2, L, torch.device("cpu"), g))
    ts_mode: Optional[str] = None
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
    opset = int(req.get("opset") or 17)
    try:
        _onnx_export(model, example, names, os.path.join(out, "model.onnx"), opset)
    except Exception as e:  # noqa: BLE001
        errors.append(f"ONNX export failed (opset {opset}): {str(e)[:1500]}")
    record = {"constructor": built.chosen, "projection": built.projection, "outputShape": built.out_shape, "params": built.params,
              "inputs": built.inputs.describe()}
    with open(os.path.join(out, "build.json"), "w") as f:
        json.dump(record, f)
    return {"torchscriptMode": ts_mode, "errors": errors, "sandboxed": sandboxed}


def pack(req: Dict[str, Any]) -> Dict[str, Any]:
    """TRUSTED: runs in a process that never loads model code. Re-reads the raw tensors the host
    checked and writes the shipped weights.pt (plain tensors, loadable with weights_only=True)
    and the wrapper from the runner's own source."""
    from . import tensors

    out = req["outDir"]
    state = tensors.load(req["weightsPath"])
    torch.save(state, os.path.join(out, "weights.pt"))
    with open(os.path.join(out, "genautoml_wrapper.py"), "w") as f:
        f.write(_wrapper_source())
    return {"tensors": len(state)}


def _wrapper_diff(d: str, check_x: Tuple[torch.Tensor, ...], ref: torch.Tensor, errors: List[str]) -> float:
    """Largest difference of the model reloaded through genautoml_wrapper.py (inf when it fails)."""
    try:
        spec = importlib.util.spec_from_file_location("genautoml_export_check", os.path.join(d, "genautoml_wrapper.py"))
        assert spec and spec.loader
        wrapper = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(wrapper)
        reloaded = wrapper.load_model(d)
        with torch.no_grad():
            return float((reloaded(*check_x) - ref).abs().max())
    except Exception as e:  # noqa: BLE001
        errors.append(f"state_dict reload through genautoml_wrapper.py failed: {type(e).__name__}: {str(e)[:1000]}")
        return float("inf")
    finally:
        sys.modules.pop("genautoml_exported_model", None)


def check(req: Dict[str, Any], built: contract.Built, sandboxed: bool) -> Dict[str, Any]:
    """In a fresh sandbox: reload the finished export directory the way a user would and compare
    with the model built from the raw weights."""
    d = req["exportDir"]
    dims = req["dims"]
    L, C = int(dims["lookback"]), int(dims["nFeatures"])
    model = built.model.cpu().eval()
    errors: List[str] = []
    g = torch.Generator().manual_seed(4321)
    names = built.inputs.names
    check_x = (torch.randn(3, L, C, generator=g), *inputs.synthetic(built.inputs, 3, L, torch.device("cpu"), g))
    with torch.no_grad():
        ref = model(*check_x)
    # An ensemble ships its traced module only (no wrapper): each member's own export has one.
    sd_diff: Optional[float] = None if req.get("members") else _wrapper_diff(d, check_x, ref, errors)
    ts_diff: Optional[float] = None
    ts_path = os.path.join(d, "model.torchscript.pt")
    if os.path.exists(ts_path):
        try:
            loaded = torch.jit.load(ts_path, map_location="cpu")
            with torch.no_grad():
                ts_diff = float((loaded(*check_x) - ref).abs().max())
        except Exception as e:  # noqa: BLE001
            errors.append(f"TorchScript reload failed: {str(e)[:1000]}")
    onnx_path = os.path.join(d, "model.onnx")
    onnx_checked = False
    onnx_diff: Optional[float] = None
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
            y = sess.run(None, {n: t.numpy() for n, t in zip(["x", *names], check_x)})[0]
            onnx_diff = float(abs(torch.from_numpy(y) - ref).max())
        except ImportError:
            pass
        except Exception as e:  # noqa: BLE001
            errors.append(f"ONNX runtime check: {str(e)[:1000]}")
    tol = 1e-4
    ok = (sd_diff is None or sd_diff <= tol) and (ts_diff is not None and ts_diff <= tol) and os.path.exists(onnx_path) and os.path.getsize(onnx_path) > 0 \
        and (onnx_diff is None or onnx_diff <= 1e-3)
    return {
        "stateDictMaxAbsDiff": None if sd_diff is None else (sd_diff if sd_diff != float("inf") else 1e30), "torchscriptMaxAbsDiff": ts_diff,
        "onnxMaxAbsDiff": onnx_diff, "onnxChecked": onnx_checked, "ok": bool(ok), "errors": errors, "sandboxed": sandboxed,
    }
