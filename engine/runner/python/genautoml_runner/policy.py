"""Static policy for untrusted model source (first of the sandbox layers).

Allowlists where Python allows one: the modules a model may import, and for each of them the
attributes it may use (MODULE_ATTRS; a module re-exporting `sys` or `operator`, a TorchScript
compiler, a file reader, a thread pool switch is simply not on the list). Modules can only be
used as `module.name`, never passed around, so the list cannot be side-stepped by aliasing.
Attributes of other objects (tensors, layers) have no finite list, so a denylist covers the
escape routes there (frames, storages, files), backed by the OS layer (bubblewrap, seccomp,
rlimits). Every refusal comes back with a line number and a sentence an LLM can act on.
"""
from __future__ import annotations

import ast
import math
import re
import types
from typing import Any, Dict, List, Optional, Set

import torch
from torch import nn

# Modules a model may import. Sub-modules must be listed themselves: `torch` being allowed does
# not allow `torch.utils.cpp_extension`.
ALLOWED_MODULES = {
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.nn.utils",
    "torch.nn.utils.rnn",
    "torch.nn.utils.parametrizations",
    "torch.fft",
    "torch.linalg",
    "torch.special",
    "math",
    "typing",
    "dataclasses",
    "functools",
    "collections",
    "__future__",
}

def _public(mod: types.ModuleType, callables: bool = True) -> Set[str]:
    out = set()
    for n in dir(mod):
        if n.startswith("_"):
            continue
        v = getattr(mod, n, None)
        if isinstance(v, types.ModuleType) or (callables and not callable(v)):
            continue
        out.add(n)
    return out


# Tensor operations of the C++ core and torch.functional, dtypes, and the few classes and context
# managers a model uses. Not on it: from_file, load/save, jit, compile, hub, utils, ops, the
# thread and seed switches, multiprocessing, and every re-exported module (torch.os, torch.sys).
_TORCH = (
    {n for n in dir(torch._C._VariableFunctions) if not n.startswith("_")}
    | set(torch.functional.__all__)
    | {n for n in dir(torch) if isinstance(getattr(torch, n, None), torch.dtype)}
    | {"Tensor", "Size", "device", "dtype", "finfo", "iinfo", "no_grad", "enable_grad", "inference_mode", "set_grad_enabled",
       "is_tensor", "is_grad_enabled", "get_default_dtype", "inf", "nan", "e", "pi", "newaxis", "FloatTensor", "LongTensor",
       "BoolTensor", "Generator", "is_floating_point", "is_complex", "numel", "typename"}
) - {"from_file", "save", "load", "set_num_threads", "set_num_interop_threads", "manual_seed", "seed", "set_default_dtype",
     "set_default_tensor_type", "use_deterministic_algorithms", "set_flush_denormal", "set_printoptions"}

_NN_CLASSES = {n for n in dir(nn) if not n.startswith("_") and isinstance(getattr(nn, n), type)} - {"DataParallel", "parallel"}

# Submodules reachable as attributes, and the attributes of each module (imports of these are
# allowed as well, ALLOWED_MODULES).
SUBMODULES: Dict[str, Set[str]] = {
    "torch": {"nn", "fft", "linalg", "special"},
    "torch.nn": {"functional", "init", "utils"},
    "torch.nn.utils": {"rnn", "parametrizations"},
}
MODULE_ATTRS: Dict[str, Set[str]] = {
    "torch": _TORCH,
    "torch.nn": _NN_CLASSES,
    "torch.nn.functional": _public(torch.nn.functional),
    "torch.nn.init": _public(torch.nn.init),
    "torch.nn.utils": {"weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm", "clip_grad_norm_",
                       "parameters_to_vector", "vector_to_parameters"},
    "torch.nn.utils.rnn": {"pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence", "PackedSequence"},
    "torch.nn.utils.parametrizations": {"orthogonal", "spectral_norm"},
    "torch.fft": _public(torch.fft),
    "torch.linalg": _public(torch.linalg),
    "torch.special": _public(torch.special),
    "math": _public(math, callables=False),
    # Annotation helpers only: no get_type_hints/ForwardRef (they evaluate strings), no
    # re-exported modules (typing.sys, typing.operator, typing.functools).
    "typing": {"Any", "Optional", "List", "Dict", "Tuple", "Union", "Callable", "Sequence", "Iterable", "Iterator", "Mapping",
               "Type", "Final", "Literal", "ClassVar", "NamedTuple", "TYPE_CHECKING", "Set", "FrozenSet", "Deque", "DefaultDict",
               "OrderedDict", "TypeVar", "Generic"},
    # No singledispatch (its register evaluates annotations).
    "functools": {"partial", "reduce", "lru_cache", "cache", "wraps", "cached_property", "total_ordering"},
    "collections": {"OrderedDict", "namedtuple", "defaultdict", "deque", "Counter", "ChainMap"},
    "dataclasses": {"dataclass", "field", "fields", "asdict", "astuple", "replace", "is_dataclass", "InitVar"},
    "__future__": {"annotations"},
}

# Builtins that reach the interpreter's machinery (code execution, attribute by string, frames,
# files, the terminal). Refused as names, not only as calls, so `f = eval` is caught too.
FORBIDDEN_NAMES = {
    "eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr",
    "globals", "locals", "vars", "dir", "breakpoint", "input", "help", "exit", "quit",
    "memoryview", "classmethod_descriptor", "__builtins__", "__loader__", "__spec__",
    "copyright", "credits", "license",
}

# Attribute names refused anywhere (`x.<name>`). Modules re-export their own imports
# (`torch.os`, `typing.sys`), so module names are refused as attributes; the rest are file,
# process, serialisation, extension-loading and frame-walking entry points.
FORBIDDEN_ATTRS = {
    # modules that leak through other modules' namespaces
    "os", "sys", "subprocess", "socket", "shutil", "pathlib", "io", "builtins", "importlib",
    "ctypes", "pickle", "marshal", "multiprocessing", "threading", "signal", "platform", "glob",
    "tempfile", "inspect", "types", "gc", "runpy", "code", "codeop", "pty", "urllib", "http",
    "ftplib", "zipfile", "tarfile", "sysconfig", "site", "resource", "mmap", "fcntl", "posix",
    "select", "asyncio", "concurrent", "linecache", "copyreg", "weakref", "warnings", "traceback",
    # torch entry points to files, processes, networks and native code
    "load", "save", "hub", "from_file", "fromfile", "tofile", "dump", "dumps", "loads",
    "load_library", "cpp_extension", "ops", "classes", "library", "serialization", "package",
    "distributed", "utils", "onnx", "compile", "fx", "export", "testing", "profiler", "storage",
    "untyped_storage", "share_memory_", "set_num_threads", "set_num_interop_threads",
    "set_default_tensor_type", "set_default_dtype", "get_type_hints", "ForwardRef",
    # frames, code objects and generators' internals
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "ag_frame", "ag_code",
    "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "f_trace", "tb_frame", "tb_next",
    "co_code", "co_consts", "func_globals", "im_func", "format_map", "share_memory",
    # process control exposed by some objects
    "system", "popen", "spawn", "fork", "kill", "remove", "unlink", "rmdir", "mkdir",
    "write_text", "write_bytes", "read_text", "read_bytes",
}

# Attribute names on `self`/`cls` may start with `_` (a model's own state); elsewhere a leading
# underscore reaches library internals (`torch._C`, `x.storage()._share_filename_cpu_`).
_SELF_NAMES = {"self", "cls"}
_DUNDER = re.compile(r"__\w+__")
_ALLOWED_DUNDER_DEFS = {"__init__"}
_FRAME_WORDS = re.compile(r"\b(gi|cr|ag)_(frame|code|yieldfrom|await|running)\b|\bf_(back|globals|locals|builtins|code|trace)\b|\bco_\w+|\btb_(frame|next)\b")
_FORMAT_WALK = re.compile(r"\{[^{}]*[.\[][^{}]*\}")


def _violation(node: ast.AST, rule: str, message: str) -> Dict[str, Any]:
    return {
        "line": int(getattr(node, "lineno", 0) or 0),
        "col": int(getattr(node, "col_offset", 0) or 0),
        "rule": rule,
        "message": message,
    }


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.violations: List[Dict[str, Any]] = []
        # names bound by imports, so `from torch import load` is caught as well as `torch.load`.
        self.module_aliases: Dict[str, str] = {}

    def add(self, node: ast.AST, rule: str, message: str) -> None:
        if len(self.violations) < 200:
            self.violations.append(_violation(node, rule, message))

    # --- imports -----------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                self.add(node, "import", f"import of '{alias.name}' is not allowed; allowed modules: {', '.join(sorted(ALLOWED_MODULES - {'__future__'}))}")
            elif alias.asname:
                self.module_aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.module_aliases[top] = top
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        if node.level and node.level > 0:
            self.add(node, "import", "relative imports are not allowed; a model is a single file")
            return
        if mod not in ALLOWED_MODULES:
            self.add(node, "import", f"import from '{mod}' is not allowed; allowed modules: {', '.join(sorted(ALLOWED_MODULES - {'__future__'}))}")
            return
        for alias in node.names:
            if alias.name == "*":
                self.add(node, "import", f"'from {mod} import *' is not allowed; import the names you use")
                continue
            full = f"{mod}.{alias.name}"
            if alias.name in SUBMODULES.get(mod, set()) and full in ALLOWED_MODULES:
                self.module_aliases[alias.asname or alias.name] = full
            elif alias.name not in MODULE_ATTRS.get(mod, set()) or alias.name in FORBIDDEN_NAMES:
                self.add(node, "import", f"importing '{alias.name}' from '{mod}' is not allowed: '{full}' is not on the allowlist (file, process, network, serialisation, compiler or internal API)")
        self.generic_visit(node)

    # --- names and attributes ----------------------------------------------------------------
    def module_of(self, node: ast.AST) -> Optional[str]:
        """The allowlisted module an expression denotes (`torch`, `nn`, `torch.nn.functional`), or None."""
        if isinstance(node, ast.Name):
            return self.module_aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.module_of(node.value)
            if base and node.attr in SUBMODULES.get(base, set()):
                return f"{base}.{node.attr}"
        return None

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.add(node, "builtin", f"'{node.id}' is not allowed in model code (it reaches the interpreter, files or the terminal)")
        elif _DUNDER.fullmatch(node.id) and node.id != "__name__":
            self.add(node, "dunder", f"the name '{node.id}' is not allowed in model code")
        elif node.id == "type" and not getattr(node, "_genautoml_type_call", False):
            self.add(node, "builtin", "'type' may only be called with one argument (type(x)); 3-argument type() builds classes")
        elif node.id in self.module_aliases and not getattr(node, "_genautoml_base", False) and isinstance(node.ctx, ast.Load):
            self.add(node, "module", f"the module '{node.id}' may only be used as {node.id}.name, not passed around or stored")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        setattr(node.value, "_genautoml_base", True)
        base = self.module_of(node.value)
        if base is not None:
            if attr in SUBMODULES.get(base, set()):
                if not getattr(node, "_genautoml_base", False):
                    self.add(node, "module", f"the module '{base}.{attr}' may only be used as {base}.{attr}.name, not passed around or stored")
            elif attr not in MODULE_ATTRS.get(base, set()):
                self.add(node, "attribute", f"'.{attr}' is not allowed: '{base}.{attr}' is not on the allowlist of what model code may use from {base} (file, process, compiler, thread, introspection or re-exported module)")
        elif attr.startswith("__") and attr.endswith("__"):
            if not (attr == "__init__" and self._is_init_call(node)):
                self.add(node, "dunder", f"access to '.{attr}' is not allowed; only super().__init__(...) may use a dunder attribute")
        elif attr in FORBIDDEN_ATTRS and not (isinstance(node.value, ast.Name) and node.value.id in _SELF_NAMES):
            # `self.signal` is the model's own attribute; `x.storage()` reaches raw memory.
            self.add(node, "attribute", f"'.{attr}' is not allowed in model code (file, process, network, serialisation, native-code or introspection API)")
        elif attr.startswith("_") and not (isinstance(node.value, ast.Name) and node.value.id in _SELF_NAMES):
            self.add(node, "private", f"'.{attr}' reaches a private attribute of another object; only self._name is allowed")
        elif attr == "format" and not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            self.add(node, "format", "str.format may only be called on a string literal (a built template can walk attributes)")
        self.generic_visit(node)

    def _is_init_call(self, node: ast.Attribute) -> bool:
        # `super().__init__(...)` or `nn.Module.__init__(self, ...)`: the attribute must be called
        # directly; marked on the Call node by visit_Call below.
        return getattr(node, "_genautoml_called", False)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
            setattr(node.func, "_genautoml_called", True)
        if isinstance(node.func, ast.Name) and node.func.id == "type" and len(node.args) == 1 and not node.keywords:
            setattr(node.func, "_genautoml_type_call", True)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # str.format can walk attributes from a template ("{0.__class__}", "{0.gi_frame.f_back}"):
        # no model needs dunders, frame or code attribute names, or attribute/index fields in its strings.
        if isinstance(node.value, str):
            if _DUNDER.search(node.value):
                self.add(node, "dunder", "strings naming dunder attributes are not allowed in model code")
            elif _FRAME_WORDS.search(node.value):
                self.add(node, "frame", "strings naming frame, code or generator internals (gi_frame, f_back, f_globals, co_code, ...) are not allowed")
            elif _FORMAT_WALK.search(node.value):
                self.add(node, "format", "format templates with attribute or index fields ({0.x}, {0[x]}) are not allowed in model code")
        elif isinstance(node.value, bytes):
            self.add(node, "bytes", "bytes literals are not allowed in model code")

    # --- definitions -------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_def(node)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.add(node, "async", "async functions are not allowed in model code")
        self.generic_visit(node)

    def _check_def(self, node: ast.FunctionDef) -> None:
        name = node.name
        if name.startswith("__") and name.endswith("__") and name not in _ALLOWED_DUNDER_DEFS:
            self.add(node, "dunder", f"defining '{name}' is not allowed; a model defines __init__ and forward (and helpers)")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for kw in node.keywords:
            self.add(node, "class", f"class keyword '{kw.arg}=' (metaclasses and the like) is not allowed")
        if _DUNDER.fullmatch(node.name):
            self.add(node, "dunder", f"class name '{node.name}' is not allowed")
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.add(node, "global", "'global' is not allowed in model code; keep state on the module")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.generic_visit(node)

    def visit_Await(self, node: ast.Await) -> None:
        self.add(node, "async", "await is not allowed in model code")


def check_source(source: str) -> Dict[str, Any]:
    """Returns {"ok", "syntax_error", "violations"}; never executes the source."""
    try:
        tree = ast.parse(source, filename="model.py", mode="exec")
    except SyntaxError as e:
        return {
            "ok": False,
            "syntax_error": {
                "line": int(e.lineno or 0),
                "col": int(e.offset or 0),
                "message": f"{e.msg} (line {e.lineno}): {(e.text or '').strip()[:200]}",
            },
            "violations": [],
        }
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
        return {"ok": False, "syntax_error": {"line": 0, "col": 0, "message": f"source cannot be parsed: {e}"}, "violations": []}
    checker = _Checker()
    try:
        checker.visit(tree)
    except RecursionError:
        checker.add(tree, "complexity", "source is nested too deeply to check")
    violations = sorted(checker.violations, key=lambda v: (v["line"], v["col"]))
    return {"ok": not violations, "syntax_error": None, "violations": violations}


def find_search_space(source: str) -> Optional[ast.expr]:
    """The value node of a module-level `SEARCH_SPACE = {...}` assignment, if any."""
    tree = ast.parse(source)
    found: Optional[ast.expr] = None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and t.id == "SEARCH_SPACE":
                    found = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == "SEARCH_SPACE" and stmt.value is not None:
            found = stmt.value
    return found
