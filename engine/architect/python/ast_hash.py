"""Normalised-AST fingerprints of model sources, for the architect's novelty check.

Trusted helper, run by genautoml itself: it only *parses* the code (ast.parse compiles nothing and
runs nothing), under CPU and memory limits, so hostile code cannot do more than fail to parse.
Two sources get the same fingerprint when they differ only in comments, docstrings, formatting or
the names of their own classes, functions, arguments, attributes and variables.

stdin: a JSON list of source strings. stdout: a JSON list, one hex digest or null (unparsable) each.
"""
import ast
import builtins
import hashlib
import json
import resource
import sys

MAX_CHARS = 200_000
KEEP = set(dir(builtins)) | {"self", "cls", "Model", "SEARCH_SPACE", "forward", "__init__", "super"}


def _limit():
    resource.setrlimit(resource.RLIMIT_CPU, (20, 20))
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


class _Normalise(ast.NodeTransformer):
    def __init__(self, imported):
        self.names = {}
        self.keep = KEEP | imported

    def _canon(self, name):
        if name in self.keep or name.startswith("__"):
            return name
        if name not in self.names:
            self.names[name] = "v%d" % len(self.names)
        return self.names[name]

    def _strip_docstring(self, node):
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]

    def generic_visit(self, node):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            self._strip_docstring(node)
        return super().generic_visit(node)

    def visit_Name(self, node):
        node.id = self._canon(node.id)
        return node

    def visit_Attribute(self, node):
        # The model's own attributes (self.proj) are its names; a library's (nn.Linear) are not.
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            node.attr = self._canon("self." + node.attr)
        return node

    def visit_arg(self, node):
        node.arg = self._canon(node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node):
        node.name = self._canon(node.name)
        node.returns = None
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        node.name = self._canon(node.name)
        return self.generic_visit(node)


def fingerprint(code):
    if not isinstance(code, str) or len(code) > MAX_CHARS:
        return None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                imported.add((a.asname or a.name).split(".")[0])
    try:
        tree = _Normalise(imported).visit(tree)
        dumped = ast.dump(tree, annotate_fields=True, include_attributes=False)
    except (RecursionError, MemoryError):
        return None
    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()


def main():
    _limit()
    sys.setrecursionlimit(3000)
    sources = json.load(sys.stdin)
    json.dump([fingerprint(s) for s in sources], sys.stdout)


if __name__ == "__main__":
    main()
