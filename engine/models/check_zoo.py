"""Developer check for the baseline zoo (engine/models/zoo/*.py).

    python3 engine/models/check_zoo.py [names...]            # policy + contract checks
    python3 engine/models/check_zoo.py --etth1 dlinear ...   # also train/evaluate on ETTh1

The contract check mirrors what the runner's validator enforces: a static policy close to the
sandbox's, construction at two sets of dimensions for every combination of the first/last value of
each SEARCH_SPACE entry, output shape and finiteness, a gradient on every trainable parameter, and
determinism given the seed. The ETTh1 check follows DESIGN's 12/4/4-month protocol (L=96, H=96,
z-score on train, no drop_last) and reports scaled test MSE/MAE. This is a tool for developers,
not the runner: it trusts the zoo files it executes.
"""
import argparse
import ast
import itertools
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ZOO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'zoo')
ALLOWED_IMPORTS = {'torch', 'torch.nn', 'torch.nn.functional', 'math', 'typing'}
BANNED_NAMES = {'getattr', 'setattr', 'delattr', 'eval', 'exec', 'compile', 'open', '__import__',
                'globals', 'locals', 'vars', 'input', 'breakpoint', 'memoryview'}
BANNED_ATTRS = {'load', 'save', 'system', 'popen', 'hub', 'ops', 'classes', 'jit', 'cpp_extension',
                'from_file', 'open', 'remove', 'unlink', 'rmdir', 'utils'}


def policy(src):
    """Return a list of 'line: message' violations (empty when the file is clean)."""
    out = []
    tree = ast.parse(src)
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef)):
            pass
        elif i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            pass  # module docstring
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == 'SEARCH_SPACE':
            try:
                space = ast.literal_eval(node.value)
            except ValueError:
                out.append('%d: SEARCH_SPACE is not a literal' % node.lineno)
                continue
            if not isinstance(space, dict) or not space:
                out.append('%d: SEARCH_SPACE must be a non-empty dict' % node.lineno)
            for k, v in (space.items() if isinstance(space, dict) else []):
                if not isinstance(v, list) or not v or not all(
                        isinstance(e, (bool, int, float, str)) for e in v):
                    out.append('%d: SEARCH_SPACE[%r] must be a non-empty list of scalars'
                               % (node.lineno, k))
        else:
            out.append('%d: module-level statement %s not allowed' % (node.lineno,
                                                                      type(node).__name__))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name not in ALLOWED_IMPORTS:
                    out.append('%d: import %s not allowed' % (node.lineno, a.name))
        elif isinstance(node, ast.ImportFrom):
            if node.module not in ALLOWED_IMPORTS:
                out.append('%d: from %s import not allowed' % (node.lineno, node.module))
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith('__') and node.attr != '__init__':
                out.append('%d: dunder attribute %s' % (node.lineno, node.attr))
            if node.attr == '__init__' and not (isinstance(node.value, ast.Call) and isinstance(
                    node.value.func, ast.Name) and node.value.func.id == 'super'):
                out.append('%d: __init__ access other than super().__init__' % node.lineno)
            if node.attr in BANNED_ATTRS:
                out.append('%d: attribute %s not allowed' % (node.lineno, node.attr))
        elif isinstance(node, ast.Name):
            if node.id in BANNED_NAMES or (node.id.startswith('__') and node.id != '__init__'):
                out.append('%d: name %s not allowed' % (node.lineno, node.id))
    return out


def load(name):
    path = os.path.join(ZOO, name + '.py')
    with open(path) as f:
        src = f.read()
    violations = policy(src)
    ns = {}
    exec(compile(src, path, 'exec'), ns)
    return ns['Model'], ns.get('SEARCH_SPACE', {}), violations


def combos(space):
    keys = list(space)
    ends = [sorted({0, len(space[k]) - 1}) for k in keys]
    for idx in itertools.product(*ends):
        yield {k: space[k][i] for k, i in zip(keys, idx)}


def extra_inputs(m, first_rows, L):
    """What the runner supplies by name (docs/model-contract.md, "Extra inputs"): the cycle index
    of each window's first input row (absolute row numbers here: zoo models take it modulo their
    cycle) and calendar features (random here: the developer check has no time index)."""
    names = list(__import__('inspect').signature(m.forward).parameters)[1:]
    out = {}
    if 'cycle_index' in names:
        out['cycle_index'] = first_rows.long()
    if 'calendar' in names:
        g = torch.Generator().manual_seed(2)
        out['calendar'] = torch.rand(first_rows.numel(), L, 6, generator=g) - 0.5
    return out


def check_one(Model, kw, L, H, C):
    torch.manual_seed(0)
    m = Model(seq_len=L, pred_len=H, enc_in=C, **kw)
    m.train()
    gen = torch.Generator().manual_seed(1)  # inputs must not consume the model's RNG stream
    x = torch.randn(4, L, C, generator=gen) * 2 + 1
    target = torch.randn(4, H, C, generator=gen)
    state = torch.get_rng_state()
    ex = extra_inputs(m, torch.arange(4) * 5, L)
    y = m(x, **ex)
    assert tuple(y.shape) == (4, H, C), 'shape %s != %s' % (tuple(y.shape), (4, H, C))
    assert torch.isfinite(y).all(), 'non-finite output'
    loss = F.mse_loss(y, target) + F.l1_loss(y, torch.zeros(4, H, C))
    loss.backward()
    params = [(n, p) for n, p in m.named_parameters() if p.requires_grad]
    assert params, 'no trainable parameters'
    dead = [n for n, p in params if p.grad is None or not torch.isfinite(p.grad).all()
            or p.grad.abs().sum().item() == 0.0]
    assert not dead, 'dead parameters: %s' % dead
    # Determinism: same seed -> same weights (and, after the same train-mode pass, the same
    # BatchNorm running statistics) -> same eval output.
    m.eval()
    with torch.no_grad():
        a = m(x, **ex)
    torch.manual_seed(0)
    m2 = Model(seq_len=L, pred_len=H, enc_in=C, **kw)
    torch.set_rng_state(state)
    m2(x, **ex)
    m2.eval()
    with torch.no_grad():
        b = m2(x, **ex)
    assert torch.equal(a, b), 'not deterministic given the seed'
    return sum(p.numel() for _, p in params)


def validate(name):
    Model, space, violations = load(name)
    if violations:
        print('%-22s POLICY %s' % (name, violations))
        return False
    ok = True
    counts = {}
    failures = 0
    for L, H, C in [(96, 96, 7), (24, 5, 1), (8, 1, 3)]:
        for kw in [{}] + list(combos(space)):
            try:
                n = check_one(Model, kw, L, H, C)
                if not kw:
                    counts[(L, H, C)] = n
            except Exception as e:  # report and continue with the next combination
                ok = False
                failures += 1
                if failures > 5:
                    continue
                print('%-22s FAIL L=%d H=%d C=%d %s: %s: %s' % (name, L, H, C, kw,
                                                               type(e).__name__, e))
    print('%-22s %s  params@96/96/7=%s  params@24/5/1=%s  space=%s' % (
        name, 'ok' if ok else 'FAILED', counts.get((96, 96, 7)), counts.get((24, 5, 1)),
        json.dumps(space)))
    return ok


# ---------------------------------------------------------------- ETTh1

def etth1_arrays(path, L):
    data = np.genfromtxt(path, delimiter=',', skip_header=1, usecols=range(1, 8),
                         dtype=np.float64)
    n_train, n_val, n_test = 12 * 30 * 24, 4 * 30 * 24, 4 * 30 * 24
    b_train, b_val = (0, n_train), (n_train - L, n_train + n_val)
    b_test = (n_train + n_val - L, n_train + n_val + n_test)
    mean = data[:n_train].mean(0)
    std = data[:n_train].std(0)
    z = ((data - mean) / std).astype(np.float32)
    return [torch.from_numpy(z[a:b].copy()) for a, b in (b_train, b_val, b_test)]


def windows(series, L, H, offset=0):
    n = series.shape[0] - L - H + 1
    idx = torch.arange(n).unsqueeze(1) + torch.arange(L + H).unsqueeze(0)
    w = series[idx]  # (N, L+H, C)
    return w[:, :L], w[:, L:], torch.arange(n) + offset  # inputs, targets, first input rows


def evaluate(m, X, Y, R, bs=256):
    m.eval()
    se = ae = 0.0
    with torch.no_grad():
        for i in range(0, X.shape[0], bs):
            p = m(X[i:i + bs], **extra_inputs(m, R[i:i + bs], X.shape[1]))
            se += ((p - Y[i:i + bs]) ** 2).sum().item()
            ae += (p - Y[i:i + bs]).abs().sum().item()
    n = Y.numel()
    return se / n, ae / n


def train_etth1(name, kw, args):
    torch.manual_seed(args.seed)
    L, H = 96, 96
    tr, va, te = etth1_arrays(args.data, L)
    n_train, n_val = 12 * 30 * 24, 4 * 30 * 24
    Xtr, Ytr, Rtr = windows(tr, L, H)
    Xva, Yva, Rva = windows(va, L, H, n_train - L)
    Xte, Yte, Rte = windows(te, L, H, n_train + n_val - L)
    Model, space, _ = load(name)
    m = Model(seq_len=L, pred_len=H, enc_in=7, **kw)
    n_params = sum(p.numel() for p in m.parameters() if p.requires_grad)
    opt = torch.optim.Adam(m.parameters(), lr=args.lr, weight_decay=args.wd)
    loss_fn = F.mse_loss if args.loss == 'mse' else F.l1_loss
    best, best_state, bad, epochs = math.inf, None, 0, 0
    t0 = time.time()
    g = torch.Generator().manual_seed(args.seed)
    for ep in range(args.epochs):
        m.train()
        perm = torch.randperm(Xtr.shape[0], generator=g)
        tot = 0.0
        for i in range(0, perm.numel(), args.batch):
            b = perm[i:i + args.batch]
            opt.zero_grad()
            loss = loss_fn(m(Xtr[b], **extra_inputs(m, Rtr[b], L)), Ytr[b])
            loss.backward()
            opt.step()
            tot += loss.item() * b.numel()
        val_mse, val_mae = evaluate(m, Xva, Yva, Rva)
        val = val_mse if args.loss == 'mse' else val_mae
        epochs = ep + 1
        # The per-epoch test score is printed for the developer's eyes only; selection and the
        # reported result use the validation split.
        peek = ' (test mse %.4f)' % evaluate(m, Xte, Yte, Rte)[0] if args.peek else ''
        print('  %s ep %d train %.4f val mse %.4f mae %.4f%s  %.0fs' % (
            name, epochs, tot / perm.numel(), val_mse, val_mae, peek, time.time() - t0),
            flush=True)
        if val < best:
            best, bad = val, 0
            best_state = {k: v.clone() for k, v in m.state_dict().items()}
        else:
            bad += 1
            if bad >= args.patience:
                break
        if args.lr_decay:
            for group in opt.param_groups:
                group['lr'] *= args.lr_decay
    seconds = time.time() - t0
    m.load_state_dict(best_state)
    mse, mae = evaluate(m, Xte, Yte, Rte)
    defaults = {k: v.default for k, v in __import__('inspect').signature(Model).parameters.items()
                if v.default is not v.empty}
    defaults.update(kw)
    res = {'model': name, 'hyperparameters': defaults, 'params': n_params,
           'test_mse': round(mse, 4), 'test_mae': round(mae, 4), 'best_val': round(best, 4),
           'epochs': epochs, 'seconds': round(seconds, 1),
           'protocol': {'lookback': L, 'horizon': H, 'lr': args.lr, 'weight_decay': args.wd,
                        'loss': args.loss, 'batch': args.batch, 'patience': args.patience,
                        'max_epochs': args.epochs, 'lr_decay_per_epoch': args.lr_decay,
                        'seed': args.seed, 'threads': torch.get_num_threads(),
                        'torch': torch.__version__}}
    print('RESULT ' + json.dumps(res), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('names', nargs='*')
    ap.add_argument('--etth1', action='store_true')
    ap.add_argument('--skip-validate', action='store_true')
    ap.add_argument('--data', default=os.path.join(os.path.dirname(ZOO), '..', '..', '..',
                                                   'shared', 'datasets', 'ETTh1.csv'))
    ap.add_argument('--kw', default='{}', help='JSON hyperparameter overrides')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--lr-decay', type=float, default=0.0)
    ap.add_argument('--wd', type=float, default=0.0)
    ap.add_argument('--loss', default='mse', choices=['mse', 'mae'])
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--patience', type=int, default=3)
    ap.add_argument('--seed', type=int, default=2021)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--peek', action='store_true', help='print test MSE every epoch (tuning aid)')
    ap.add_argument('--out', default='', help='append RESULT lines to this JSON-lines file')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    names = args.names or sorted(f[:-3] for f in os.listdir(ZOO) if f.endswith('.py'))
    ok = True
    if not args.skip_validate:
        for n in names:
            ok = validate(n) and ok
    if args.etth1:
        for n in names:
            res = train_etth1(n, json.loads(args.kw), args)
            if args.out:
                with open(args.out, 'a') as f:
                    f.write(json.dumps(res) + '\n')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
