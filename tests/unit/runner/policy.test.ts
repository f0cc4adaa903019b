/** The static AST policy, exercised directly in Python (no torch import, no sandbox). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runnerPythonDir } from '../../../engine/runner/sandbox.js';

interface Checked {
  ok: boolean;
  syntax_error: { line: number; message: string } | null;
  violations: { line: number; col: number; rule: string; message: string }[];
}

function check(sources: string[]): Checked[] {
  const script = `import json,sys\nsys.path.insert(0, ${JSON.stringify(runnerPythonDir())})\nfrom genautoml_runner.policy import check_source\nprint(json.dumps([check_source(s) for s in json.load(sys.stdin)]))`;
  const out = execFileSync('/usr/bin/python3', ['-I', '-c', script], { input: JSON.stringify(sources), encoding: 'utf8' });
  return JSON.parse(out) as Checked[];
}

const allowed = [
  'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport math\nfrom typing import Optional\n',
  'from torch import nn, Tensor\nfrom dataclasses import dataclass\nfrom functools import partial\nfrom collections import OrderedDict\n',
  'from __future__ import annotations\nimport torch.fft\n',
  'class Model(nn.Module):\n    def __init__(self, a):\n        super().__init__()\n        self._cache = None\n        self.signal = 1\n    def forward(self, x):\n        return x\n',
  'class A(nn.Module):\n    def __init__(self):\n        nn.Module.__init__(self)\n',
  'x = torch.randn(3).view(1, 3).permute(1, 0).numpy()\n',
  'print("hello")\n',
  'import torch\nfrom torch import nn\nw = nn.utils.weight_norm(nn.Conv1d(3, 3, 3))\nv = torch.nn.utils.rnn.pad_sequence([])\nok = hasattr(w, "weight_g")\n',
];

const refused: [string, string, RegExp][] = [
  ['import os', 'import', /'os'/],
  ['import torch.utils.cpp_extension', 'import', /cpp_extension/],
  ['from os import path', 'import', /'os'/],
  ['from . import x', 'import', /relative/],
  ['from torch import *', 'import', /\*/],
  ['from torch import load', 'import', /'load'/],
  ['from torch import _C', 'import', /'_C'/],
  ['eval("1")', 'builtin', /'eval'/],
  ['f = exec', 'builtin', /'exec'/],
  ['compile("1", "x", "eval")', 'builtin', /'compile'/],
  ['open("/etc/passwd")', 'builtin', /'open'/],
  ['getattr(x, "y")', 'builtin', /'getattr'/],
  ['setattr(x, "y", 1)', 'builtin', /'setattr'/],
  ['globals()', 'builtin', /'globals'/],
  ['breakpoint()', 'builtin', /'breakpoint'/],
  ['input()', 'builtin', /'input'/],
  ['vars(x)', 'builtin', /'vars'/],
  ['__builtins__', 'builtin', /__builtins__/],
  ['x.__class__', 'dunder', /__class__/],
  ['x.__dict__', 'dunder', /__dict__/],
  ['self.__init__.__globals__', 'dunder', /__globals__/],
  ['torch.load("w.pt")', 'attribute', /\.load/],
  ['torch.save(x, "w.pt")', 'attribute', /\.save/],
  ['torch.hub.load("a", "b")', 'attribute', /\.hub/],
  ['torch.jit.load("m.pt")', 'attribute', /\.load/],
  ['torch.from_file("f")', 'attribute', /from_file/],
  ['torch.ops.load_library("x.so")', 'attribute', /\.ops/],
  ['torch.os.system("x")', 'attribute', /\.os/],
  ['typing.sys.modules', 'attribute', /\.sys/],
  ['x.numpy().tofile("f")', 'attribute', /tofile/],
  ['g.gi_frame.f_back', 'attribute', /gi_frame|f_back/],
  ['torch._C._get_tracing_state()', 'private', /_C/],
  ['"{0.__class__}".format(x)', 'dunder', /dunder/],
  ['def __getattr__(self, n): pass', 'dunder', /__getattr__/],
  ['def __del__(self): pass', 'dunder', /__del__/],
  ['class M(nn.Module, metaclass=Meta): pass', 'class', /metaclass/],
  ['global x', 'global', /global/],
  ['async def f(): pass', 'async', /async/],
  ['b"bytes"', 'bytes', /bytes/],
  ['torch.compile(m)', 'attribute', /compile/],
  ['torch.set_num_threads(64)', 'attribute', /set_num_threads/],
  ['import torch\ntorch.utils.cpp_extension.load_inline("a", "b")', 'attribute', /utils/],
];

describe('static policy', () => {
  const results = check([...allowed, ...refused.map(([s]) => s), 'class M(nn.Module)\n    pass', 'import os\nimport sys\n\nx.__class__']);
  const a = results.slice(0, allowed.length);
  const r = results.slice(allowed.length, allowed.length + refused.length);
  const [syntax, multi] = results.slice(allowed.length + refused.length);

  it.each(allowed.map((s, i) => [i, s] as const))('allows legitimate model code #%i', (i) => {
    expect(a[i]!.violations).toEqual([]);
    expect(a[i]!.ok).toBe(true);
  });

  it.each(refused.map(([s, rule, msg], i) => [s, rule, msg, i] as const))('refuses %s (%s)', (_s, rule, msg, i) => {
    const res = r[i]!;
    expect(res.ok).toBe(false);
    expect(res.violations.map((v) => v.rule)).toContain(rule);
    expect(res.violations.map((v) => v.message).join('\n')).toMatch(msg);
    expect(res.violations[0]!.line).toBeGreaterThan(0);
  });

  it('reports syntax errors with their line', () => {
    expect(syntax!.ok).toBe(false);
    expect(syntax!.syntax_error?.line).toBe(1);
  });

  it('reports every violation with its own line, in order', () => {
    expect(multi!.violations.map((v) => v.line)).toEqual([1, 2, 4]);
  });
});
