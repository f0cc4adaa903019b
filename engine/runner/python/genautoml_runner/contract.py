"""The model contract: load untrusted source, build `Model` by signature, call it by signature,
map its output onto (B, H, C) with a learned projection when needed, and wrap it in Dyn-RevIN.

Everything a trial trains is a `Wrapped` module, so weights saved by `train` load back into the
same structure in `evaluate` and `export` (the build is deterministic given code, dims, hyper
parameters and the RevIN switch).
"""
from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import math
import sys
import traceback
import types
from typing import Any, Dict, List, Optional, Tuple

import torch
from torch import nn

from . import inputs, policy

MODEL_FILENAME = "model.py"

LOOKBACK_NAMES = ("seq_len", "lookback", "input_len", "in_len", "window", "window_size", "context_len", "seq_length")
HORIZON_NAMES = ("pred_len", "horizon", "output_len", "out_len", "forecast_len", "pred_length")
FEATURE_NAMES = (
    "n_features", "enc_in", "c_in", "input_dim", "num_features", "in_channels", "n_channels",
    "num_channels", "input_size", "n_vars", "dec_in", "c_out", "output_dim", "out_channels",
)
CONFIG_NAMES = ("configs", "config", "args", "cfg")
DIM_NAMES = set(LOOKBACK_NAMES) | set(HORIZON_NAMES) | set(FEATURE_NAMES) | set(CONFIG_NAMES)


class ContractError(Exception):
    """A model broke the contract at `stage` (see engine/runner/types.ts validationStageSchema)."""

    def __init__(self, stage: str, message: str, tb: Optional[str] = None, line: Optional[int] = None, extra: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.stage = stage
        self.message = message
        self.tb = tb
        self.line = line
        self.extra = extra or {}


# --------------------------------------------------------------------------------------------
# Tracebacks trimmed to the model's own frames: what an LLM needs to repair its code.
# --------------------------------------------------------------------------------------------

def model_traceback(exc: BaseException) -> Tuple[str, Optional[int]]:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename == MODEL_FILENAME]
    line = own[-1].lineno if own else None
    body = "".join(traceback.format_list(own)) if own else ""
    head = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    text = (("Traceback (model frames only):\n" + body) if body else "") + head
    if len(text) > 19_000:
        text = text[:9_000] + "\n... [trimmed] ...\n" + text[-9_000:]
    return text, line


def is_resource_error(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, OSError) and getattr(exc, "errno", None) in (27, 28, 12):  # EFBIG, ENOSPC, ENOMEM
        return True
    msg = str(exc).lower()
    return any(s in msg for s in ("can't allocate memory", "cannot allocate memory", "out of memory", "not enough memory", "file too large"))


def _fail(stage: str, what: str, exc: BaseException) -> ContractError:
    tb, line = model_traceback(exc)
    if is_resource_error(exc):
        stage = "resource"
    first = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__
    loc = f" (model.py line {line})" if line else ""
    return ContractError(stage, f"{what}{loc}: {type(exc).__name__}: {first}", tb, line)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

def _guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    # Second line behind the AST policy: even an import spelled in a way the checker missed
    # resolves only allowlisted modules.
    # torch's C++ code re-imports its own submodules (torch.storage when building a tensor from a
    # list) through the calling frame's builtins, i.e. the model's. An already-loaded torch
    # module runs no code when imported again, so handing it back opens nothing; the AST policy
    # still refuses such imports written in the model source.
    if level == 0 and name.split(".")[0] == "torch" and name in sys.modules:
        return builtins.__import__(name, globals, locals, fromlist, level)
    if level != 0 or name not in policy.ALLOWED_MODULES:
        raise ImportError(f"import of '{name}' is not allowed in model code")
    return builtins.__import__(name, globals, locals, fromlist, level)


def _restricted_builtins() -> Dict[str, Any]:
    b = dict(vars(builtins))
    for name in policy.FORBIDDEN_NAMES:
        b.pop(name, None)
    b["__import__"] = _guarded_import
    return b


def load_module(source: str, enforce_policy: bool = True) -> types.ModuleType:
    try:
        code = compile(source, MODEL_FILENAME, "exec")
    except SyntaxError as e:
        raise ContractError("syntax", f"{e.msg} (line {e.lineno}): {(e.text or '').strip()[:200]}", None, e.lineno)
    except (ValueError, RecursionError, MemoryError) as e:
        raise ContractError("syntax", f"source cannot be compiled: {e}")
    # Tracebacks show the model's source lines.
    lines = source.splitlines(True)
    linecache.cache[MODEL_FILENAME] = (len(source), None, lines, MODEL_FILENAME)
    mod = types.ModuleType("genautoml_model")
    mod.__dict__["__file__"] = MODEL_FILENAME
    mod.__dict__["__builtins__"] = _restricted_builtins() if enforce_policy else builtins
    sys.modules["genautoml_model"] = mod
    try:
        exec(code, mod.__dict__)
    except ContractError:
        raise
    except BaseException as e:  # noqa: BLE001 - model code may raise anything, SystemExit included
        raise _fail("load", "executing the module failed", e)
    return mod


def find_model_class(mod: types.ModuleType) -> type:
    cls = mod.__dict__.get("Model")
    if isinstance(cls, type) and issubclass(cls, nn.Module):
        return cls
    others = [k for k, v in mod.__dict__.items() if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == "genautoml_model"]
    hint = f" Found nn.Module classes: {', '.join(others)}; name the top-level one `Model`." if others else ""
    if cls is not None:
        raise ContractError("load", f"`Model` is not a subclass of torch.nn.Module.{hint}")
    raise ContractError("load", f"no `class Model(nn.Module)` defined.{hint}")


# --------------------------------------------------------------------------------------------
# Construction and invocation by signature
# --------------------------------------------------------------------------------------------

def init_parameters(cls: type) -> Tuple[List[inspect.Parameter], bool]:
    sig = inspect.signature(cls.__init__)
    params = list(sig.parameters.values())[1:]
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
    named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]
    return named, var_kw


def build_kwargs(cls: type, dims: Dict[str, Any], hyper: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Constructor arguments and a record of how each was chosen."""
    L, H, C = dims["lookback"], dims["horizon"], dims["nFeatures"]
    named, var_kw = init_parameters(cls)
    kwargs: Dict[str, Any] = {}
    positional: List[Any] = []
    chosen: Dict[str, Any] = {}
    clash = sorted(set(hyper) & DIM_NAMES)
    if clash:
        raise ContractError("construct", f"hyperparameters {clash} name input/output dimensions; the runner sets those from the task")
    names = {p.name for p in named}
    for p in named:
        n = p.name
        if n in hyper:
            v = hyper[n]
        elif n in LOOKBACK_NAMES:
            v = L
        elif n in HORIZON_NAMES:
            v = H
        elif n in FEATURE_NAMES:
            v = C
        elif n == inputs.CYCLE_PARAM and inputs.period_for_constructor(dims) is not None:
            # The dataset's period (EDA or the user's), unless the search picked one.
            v = inputs.period_for_constructor(dims)
        elif n in CONFIG_NAMES:
            # Time-Series-Library style: one `configs` object carrying the dimensions.
            v = types.SimpleNamespace(seq_len=L, pred_len=H, label_len=0, enc_in=C, dec_in=C, c_out=C,
                                      task_name="long_term_forecast" if dims["task"] == "forecasting" else "anomaly_detection", **hyper)
        elif p.default is not inspect.Parameter.empty:
            continue
        else:
            raise ContractError(
                "construct",
                f"Model.__init__ parameter '{n}' has no default and is not a known dimension; name it "
                f"{'|'.join(LOOKBACK_NAMES[:3])} (lookback), {'|'.join(HORIZON_NAMES[:3])} (horizon) or "
                f"{'|'.join(FEATURE_NAMES[:4])} (channels), or give it a default",
            )
        # A configs namespace is recorded by value so an export can rebuild it (metadata.json).
        chosen[n] = {"namespace": dict(vars(v))} if isinstance(v, types.SimpleNamespace) else v
        if p.kind == p.POSITIONAL_ONLY:
            positional.append(v)
        else:
            kwargs[n] = v
    unknown = sorted(set(hyper) - names)
    if unknown:
        if var_kw:
            for n in unknown:
                kwargs[n] = hyper[n]
                chosen[n] = hyper[n]
        elif not any(n in CONFIG_NAMES for n in names):
            raise ContractError("construct", f"hyperparameters {unknown} are not parameters of Model.__init__ (it takes {sorted(names)})")
    if positional:
        kwargs["__positional__"] = positional
    return kwargs, chosen


def construct(cls: type, dims: Dict[str, Any], hyper: Dict[str, Any]) -> Tuple[nn.Module, Dict[str, Any]]:
    kwargs, chosen = build_kwargs(cls, dims, hyper)
    positional = kwargs.pop("__positional__", [])
    try:
        model = cls(*positional, **kwargs)
    except ContractError:
        raise
    except BaseException as e:  # noqa: BLE001
        raise _fail("construct", "Model(...) raised", e)
    if not isinstance(model, nn.Module):
        raise ContractError("construct", "Model(...) did not return an nn.Module")
    return model, chosen


def forward_extras(model: nn.Module) -> Dict[str, Any]:
    """Keyword arguments beyond `x`: required extras (TSLib's x_mark_enc, x_dec, ...) get None."""
    sig = inspect.signature(model.forward)
    params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY, p.KEYWORD_ONLY)]
    var_pos = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
    if not params and not var_pos:
        raise ContractError("forward", "forward() takes no input; it must accept x of shape (B, L, C)")
    extras: Dict[str, Any] = {}
    for p in params[1:]:
        if p.name in inputs.NAMES:
            continue  # supplied per batch by the runner (inputs.py)
        if p.default is inspect.Parameter.empty:
            if p.kind == p.POSITIONAL_ONLY:
                raise ContractError("forward", f"forward() requires positional-only argument '{p.name}' besides x; make it optional")
            extras[p.name] = None
    return extras


def first_tensor(y: Any) -> torch.Tensor:
    if isinstance(y, (tuple, list)) and y and isinstance(y[0], torch.Tensor):
        return y[0]
    if isinstance(y, dict):
        for k in ("output", "pred", "prediction", "y", "out"):
            if isinstance(y.get(k), torch.Tensor):
                return y[k]
    if isinstance(y, torch.Tensor):
        return y
    raise ContractError("shape", f"forward() returned {type(y).__name__}, not a tensor")


# --------------------------------------------------------------------------------------------
# Output adaptation (shape-agnostic projection head) and Dyn-RevIN
# --------------------------------------------------------------------------------------------

def classify_output(shape: Tuple[int, ...], B: int, H: int, C: int) -> Tuple[str, str]:
    """(kind, detail) mapping an output shape onto (B, H, C); kind 'none' means already right."""
    s = tuple(int(d) for d in shape)
    if len(s) < 2 or s[0] != B:
        raise ContractError("shape", f"output shape {list(s)} has no batch dimension of size {B}; expected [B, {H}, {C}]")
    if len(s) == 3:
        _, a, b = s
        if (a, b) == (H, C):
            return "none", ""
        if (a, b) == (C, H):
            return "transpose", f"output (B, C={C}, H={H}) transposed to (B, H, C)"
        if a == H:
            return "channel", f"output channels {b} projected to {C} with a learned Linear({b}, {C})"
        if b == C:
            return "time", f"output length {a} projected to horizon {H} with a learned Linear({a}, {H}) over time"
        if a == C:
            return "transpose_time", f"output (B, C, {b}) projected to horizon {H} over time and transposed"
    if len(s) == 2 and s[1] == H * C:
        return "reshape", f"flat output (B, {H * C}) reshaped to (B, {H}, {C})"
    n = 1
    for d in s[1:]:
        n *= d
    return "flatten", f"output {list(s)} flattened ({n} values) and projected to (B, {H}, {C}) with a learned Linear({n}, {H * C})"


class Adapter(nn.Module):
    def __init__(self, kind: str, shape: Tuple[int, ...], H: int, C: int):
        super().__init__()
        self.kind = kind
        self.H, self.C = H, C
        self.proj: Optional[nn.Module] = None
        if kind == "channel":
            self.proj = nn.Linear(int(shape[2]), C)
        elif kind == "time":
            self.proj = nn.Linear(int(shape[1]), H)
        elif kind == "transpose_time":
            self.proj = nn.Linear(int(shape[2]), H)
        elif kind == "flatten":
            n = 1
            for d in shape[1:]:
                n *= int(d)
            self.proj = nn.Linear(n, H * C)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        k = self.kind
        if k == "none":
            return y
        if k == "transpose":
            return y.transpose(1, 2)
        if k == "reshape":
            return y.reshape(y.shape[0], self.H, self.C)
        assert self.proj is not None
        if k == "channel":
            return self.proj(y)
        if k == "time":
            return self.proj(y.transpose(1, 2)).transpose(1, 2)
        if k == "transpose_time":
            return self.proj(y).transpose(1, 2)
        return self.proj(y.reshape(y.shape[0], -1)).reshape(y.shape[0], self.H, self.C)


class RevIN(nn.Module):
    """Reversible instance normalisation over time, per series and channel, optional affine."""

    def __init__(self, C: int, affine: bool = True, eps: float = 1e-5):
        super().__init__()
        self.affine = affine
        self.eps = eps
        if affine:
            self.weight = nn.Parameter(torch.ones(C))
            self.bias = nn.Parameter(torch.zeros(C))

    def norm(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=1, keepdim=True).detach()
        std = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + self.eps).detach()
        x = (x - mean) / std
        if self.affine:
            x = x * self.weight + self.bias
        return x, mean, std

    def denorm(self, y: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
        if self.affine:
            y = (y - self.bias) / (self.weight + self.eps * self.eps)
        return y * std + mean


class Wrapped(nn.Module):
    """What the runner trains: [RevIN] -> model (called by signature) -> [projection] -> [RevIN⁻¹].
    Extra inputs the model asks for by name (cycle_index, calendar) follow x positionally, in
    `input_names` order, so that a traced or ONNX export takes them as plain inputs."""

    def __init__(self, core: nn.Module, adapter: Adapter, extras: Dict[str, Any], revin: Optional[RevIN], input_names: Optional[List[str]] = None):
        super().__init__()
        self.core = core
        self.adapter = adapter
        self.revin = revin
        self._extras = dict(extras)
        self.input_names = list(input_names or [])

    def forward(self, x: torch.Tensor, *inputs: torch.Tensor) -> torch.Tensor:
        if len(inputs) != len(self.input_names):
            raise TypeError(f"the model takes x and {self.input_names} ({len(self.input_names)} extra input(s)); got {len(inputs)}")
        kw = dict(self._extras)
        kw.update(zip(self.input_names, inputs))
        if self.revin is not None:
            x, mean, std = self.revin.norm(x)
            y = self.adapter(first_tensor(self.core(x, **kw)))
            return self.revin.denorm(y, mean, std)
        return self.adapter(first_tensor(self.core(x, **kw)))


def revin_options(revin: Any) -> Tuple[bool, bool]:
    if isinstance(revin, dict):
        return True, bool(revin.get("affine", True))
    return bool(revin), True


def count_params(m: nn.Module) -> int:
    return int(sum(p.numel() for p in m.parameters() if p.requires_grad))


class Built:
    def __init__(self, model: Wrapped, projection: Optional[Dict[str, str]], core_params: int, params: int, chosen: Dict[str, Any], out_shape: List[int], module: types.ModuleType,
                 extra_inputs: Optional[inputs.Spec] = None):
        self.model = model
        self.inputs = extra_inputs or inputs.Spec([], None)
        self.projection = projection
        self.core_params = core_params
        self.params = params
        self.chosen = chosen
        self.out_shape = out_shape
        self.module = module


def build(source: str, dims: Dict[str, Any], hyper: Optional[Dict[str, Any]] = None, revin: Any = False,
          enforce_policy: bool = True, param_budget: Optional[int] = None, seed: int = 0) -> Built:
    """Load, construct, probe and wrap. Raises ContractError; runs on CPU (moved by the caller)."""
    hyper = dict(hyper or {})
    if enforce_policy:
        checked = policy.check_source(source)
        if checked["syntax_error"]:
            se = checked["syntax_error"]
            raise ContractError("syntax", se["message"], None, se["line"])
        if checked["violations"]:
            v = checked["violations"]
            raise ContractError("policy", f"{len(v)} policy violation(s); first: line {v[0]['line']}: {v[0]['message']}", None, v[0]["line"], {"violations": v})
    mod = load_module(source, enforce_policy)
    cls = find_model_class(mod)
    torch.manual_seed(seed)
    core, chosen = construct(cls, dims, hyper)
    core_params = count_params(core)
    if param_budget is not None and core_params > param_budget:
        raise ContractError("budget", f"model has {core_params:,} trainable parameters; the budget is {param_budget:,}")
    if core_params == 0:
        raise ContractError("gradient", "model has no trainable parameters; a model must learn something")
    extras = forward_extras(core)
    try:
        feed_spec = inputs.resolve(cls, core.forward, chosen, dims)
    except inputs.InputError as e:
        raise ContractError("forward", str(e))
    L, H, C = dims["lookback"], dims["horizon"], dims["nFeatures"]
    B = 2
    core.train()
    try:
        with torch.no_grad():
            y = core(torch.randn(B, L, C), **extras, **dict(zip(feed_spec.names, inputs.synthetic(feed_spec, B, L, torch.device("cpu")))))
    except ContractError:
        raise
    except BaseException as e:  # noqa: BLE001
        raise _fail("forward", "forward() raised on input of shape " + str([B, L, C]), e)
    out = first_tensor(y)
    out_shape = list(out.shape)
    kind, detail = classify_output(tuple(out.shape), B, H, C)
    adapter = Adapter(kind, tuple(out.shape), H, C)
    use_revin, affine = revin_options(revin)
    wrapped = Wrapped(core, adapter, extras, RevIN(C, affine) if use_revin else None, feed_spec.names)
    params = count_params(wrapped)
    if param_budget is not None and params > param_budget:
        raise ContractError("budget", f"model with its projection head has {params:,} trainable parameters; the budget is {param_budget:,}")
    projection = None if kind == "none" else {"kind": kind, "detail": detail}
    return Built(wrapped, projection, core_params, params, chosen, out_shape, mod, feed_spec)


# --------------------------------------------------------------------------------------------
# Checks run by `validate`
# --------------------------------------------------------------------------------------------

def check_output_and_gradients(built: Built, dims: Dict[str, Any], device: torch.device, seed: Optional[int] = None) -> torch.Tensor:
    """A different batch size than the build's batch of 2 catches batch-dependent shapes; every
    trainable parameter must receive a gradient from a loss on the output. Returns that output
    (detached, on CPU): with a host-chosen `seed` for the input it is the probe the host checks,
    so validate runs one forward on a batch of 3, not two."""
    L, H, C = dims["lookback"], dims["horizon"], dims["nFeatures"]
    B = 3
    m = built.model.to(device)
    m.train()
    m.zero_grad(set_to_none=True)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    x = torch.randn(B, L, C, generator=gen).to(device)
    try:
        y = m(x, *inputs.synthetic(built.inputs, B, L, device))
    except ContractError:
        raise
    except BaseException as e:  # noqa: BLE001
        raise _fail("forward", f"forward() raised on a batch of {B} after a batch of 2 worked", e)
    if not isinstance(y, torch.Tensor) or list(y.shape) != [B, H, C]:
        raise ContractError("shape", f"output shape {list(getattr(y, 'shape', []))} at batch {B} is not [{B}, {H}, {C}]; the output must not depend on the batch size")
    if not torch.isfinite(y).all():
        raise ContractError("finite", "output contains NaN or Inf on a standard normal input")
    loss = (y - torch.randn_like(y)).abs().mean()
    if not torch.isfinite(loss):
        raise ContractError("finite", "loss is not finite")
    try:
        loss.backward()
    except BaseException as e:  # noqa: BLE001
        raise _fail("gradient", "backward() failed", e)
    dead = [n for n, p in m.named_parameters() if p.requires_grad and p.grad is None]
    if dead:
        names = [n[len("core."):] if n.startswith("core.") else n for n in dead]
        raise ContractError("gradient", f"{len(dead)} trainable parameter(s) receive no gradient (unused in forward?): {', '.join(names[:20])}", extra={"dead": names[:100]})
    nonfinite = [n for n, p in m.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
    if nonfinite:
        raise ContractError("finite", f"gradients are NaN/Inf for: {', '.join(nonfinite[:20])}")
    m.zero_grad(set_to_none=True)
    return y.detach().to("cpu", torch.float32)


def search_space(source: str, cls: Optional[type]) -> Optional[Dict[str, List[Any]]]:
    node = policy.find_search_space(source)
    if node is None:
        return None
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
        raise ContractError("search_space", f"SEARCH_SPACE (line {node.lineno}) must be a literal dict of lists: {e}", line=node.lineno)
    if not isinstance(value, dict):
        raise ContractError("search_space", f"SEARCH_SPACE (line {node.lineno}) must be a dict of name -> list of values", line=node.lineno)
    names: Optional[set] = None
    var_kw = False
    if cls is not None:
        named, var_kw = init_parameters(cls)
        names = {p.name for p in named}
    for k, v in value.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ContractError("search_space", f"SEARCH_SPACE key {k!r} is not a parameter name", line=node.lineno)
        if k in DIM_NAMES:
            raise ContractError("search_space", f"SEARCH_SPACE key '{k}' is a dimension set by the task, not a hyperparameter", line=node.lineno)
        if not isinstance(v, (list, tuple)) or len(v) == 0:
            raise ContractError("search_space", f"SEARCH_SPACE['{k}'] must be a non-empty list of values", line=node.lineno)
        if len(v) > 1000:
            raise ContractError("search_space", f"SEARCH_SPACE['{k}'] has {len(v)} values; at most 1000", line=node.lineno)
        for item in v:
            if not (item is None or isinstance(item, (bool, int, float, str))) or (isinstance(item, float) and not math.isfinite(item)):
                raise ContractError("search_space", f"SEARCH_SPACE['{k}'] holds {item!r}; values must be finite numbers, strings, booleans or None", line=node.lineno)
        if names is not None and k not in names and not var_kw:
            raise ContractError("search_space", f"SEARCH_SPACE key '{k}' is not a parameter of Model.__init__ (it takes {sorted(names)})", line=node.lineno)
    return {k: list(v) for k, v in value.items()}
