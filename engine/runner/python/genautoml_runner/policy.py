"""Static policy for untrusted model source (first of the three sandbox layers).

The check is an allowlist where that is possible (imports) and a denylist of escape routes where
Python offers no allowlist (attribute names, builtins). It is deliberately strict: a model needs
tensors, layers and arithmetic, nothing else, and every refusal comes back with a line number
and a sentence an LLM can act on. The OS layer (bubblewrap + rlimits) still contains whatever
slips through, so this layer optimises for clear messages, not for being the last line.
"""
from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional

# Modules a model may import. Sub-modules must be listed themselves: `torch` being allowed does
# not allow `torch.utils.cpp_extension`.
ALLOWED_MODULES = {
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.fft",
    "math",
    "typing",
    "dataclasses",
    "functools",
    "collections",
    "__future__",
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
    "co_code", "co_consts", "func_globals", "im_func",
    # process control exposed by some objects
    "system", "popen", "spawn", "fork", "kill", "remove", "unlink", "rmdir", "mkdir",
    "write_text", "write_bytes", "read_text", "read_bytes",
}

# Attribute names on `self`/`cls` may start with `_` (a model's own state); elsewhere a leading
# underscore reaches library internals (`torch._C`, `x.storage()._share_filename_cpu_`).
_SELF_NAMES = {"self", "cls"}
_DUNDER = re.compile(r"__\w+__")
_ALLOWED_DUNDER_DEFS = {"__init__"}


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
            else:
                self.module_aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
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
            if alias.name in FORBIDDEN_ATTRS or alias.name.startswith("_") or alias.name in FORBIDDEN_NAMES:
                self.add(node, "import", f"importing '{alias.name}' from '{mod}' is not allowed (file, process, network, serialisation or internal API)")
            elif full in ALLOWED_MODULES or mod == "torch" and alias.name in {"nn", "fft"}:
                self.module_aliases[alias.asname or alias.name] = full
        self.generic_visit(node)

    # --- names and attributes ----------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.add(node, "builtin", f"'{node.id}' is not allowed in model code (it reaches the interpreter, files or the terminal)")
        elif _DUNDER.fullmatch(node.id) and node.id != "__name__":
            self.add(node, "dunder", f"the name '{node.id}' is not allowed in model code")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("__") and attr.endswith("__"):
            if not (attr == "__init__" and self._is_init_call(node)):
                self.add(node, "dunder", f"access to '.{attr}' is not allowed; only super().__init__(...) may use a dunder attribute")
        elif attr == "utils" and self._resolves_to(node.value, "torch.nn"):
            pass  # nn.utils (weight_norm, rnn packing, parametrizations) is layer tooling, unlike torch.utils
        elif attr in FORBIDDEN_ATTRS and not (isinstance(node.value, ast.Name) and node.value.id in _SELF_NAMES):
            # `self.signal` is the model's own attribute; `torch.os` is the os module.
            self.add(node, "attribute", f"'.{attr}' is not allowed in model code (file, process, network, serialisation, native-code or introspection API)")
        elif attr.startswith("_") and not (isinstance(node.value, ast.Name) and node.value.id in _SELF_NAMES):
            self.add(node, "private", f"'.{attr}' reaches a private attribute of another object; only self._name is allowed")
        self.generic_visit(node)

    def _resolves_to(self, node: ast.AST, module: str) -> bool:
        if isinstance(node, ast.Name):
            return self.module_aliases.get(node.id) == module
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return f"{self.module_aliases.get(node.value.id)}.{node.attr}" == module
        return False

    def _is_init_call(self, node: ast.Attribute) -> bool:
        # `super().__init__(...)` or `nn.Module.__init__(self, ...)`: the attribute must be called
        # directly; marked on the Call node by visit_Call below.
        return getattr(node, "_genautoml_called", False)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
            setattr(node.func, "_genautoml_called", True)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # str.format can walk attributes from a template ("{0.__class__}"); no model needs dunders
        # in its strings.
        if isinstance(node.value, str) and _DUNDER.search(node.value):
            self.add(node, "dunder", "strings naming dunder attributes are not allowed in model code")
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
