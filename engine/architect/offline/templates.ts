/**
 * Parametric model templates of the offline architect. Each family renders real PyTorch code in
 * the model contract from a sizing (width, depth) and the request's modifiers, and estimates its
 * own parameter count so the architect can fit a budget without running Python. The estimates
 * mirror the code below term by term; when one changes, the other must too.
 *
 * Measured by tests/integration/architect/offline-sizes.test.ts: every family here and
 * LOW_RANK_LINEAR, 164 (family, sizing, context) cases (smallest/middle/largest sizings; windows
 * 96/24/7, 24/6/3 and 9/5/1, with and without periods; the modifiers that change the code), each
 * built by the real sandboxed runner: every estimate equals the runner's trainable-parameter count
 * exactly (worst error 0; a once-off fuller run of 414 cases, also exact). An error of 1 fails it.
 *
 * Why TypeScript renderers rather than .py files sized by the validator: exact estimates leave
 * nothing for the validator to improve, while sizing through it would cost one sandboxed process
 * per probed sizing (a process serves one validation; back to back they took 0.6-1 s each on two
 * shared cores, and size() probes up to 12 sizings per design, more on a repair). The renderers
 * also change structure, not just numbers (optional seasonal, attention and per-channel paths;
 * kernels, patches and modes from the EDA periods), so .py files would still need templating. The
 * runner validates every design the architect emits before it is used, as for LLM designs.
 */
import type { DesignIntent, Family } from './parse.js';

export interface Sizing {
  width: number;
  depth: number;
}

export interface RenderContext {
  L: number;
  H: number;
  C: number;
  intent: DesignIntent;
  /** Dominant periods usable inside the window (2 ≤ p ≤ L), strongest first. */
  periods: number[];
  dropout: number;
  /** Every width/depth value that may appear in SEARCH_SPACE (all fit the budget). */
  widthChoices: number[];
  depthChoices: number[];
}

export interface Rendered {
  name: string;
  body: string;
  space: Record<string, unknown[]>;
  notes: string[];
}

export interface Template {
  family: Family;
  widths: number[];
  depths: (intent: DesignIntent) => number[];
  estimate(s: Sizing, ctx: RenderContext): number;
  render(s: Sizing, ctx: RenderContext): Rendered;
}

/** Marks a number that must print as a Python float (a dropout of 0 is 0.0, not 0). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python literal for a JSON-like value. */
export function py(value: unknown): string {
  if (value instanceof PyFloat) return Number.isInteger(value.value) ? value.value.toFixed(1) : String(Number(value.value.toFixed(6)));
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
}

/**
 * The Python module of a rendered template, as the architect emits it (after its comment header):
 * one function, so the size test validates exactly the source the architect hands out.
 */
export function moduleSource(rendered: Rendered): string {
  return `import math
import torch
import torch.nn as nn
import torch.nn.functional as F
${rendered.body}

SEARCH_SPACE = ${py(rendered.space)}
`;
}

const lin = (i: number, o: number): number => i * o + o;
const conv = (i: number, o: number, k: number): number => i * o * k + o;
const odd = (k: number, limit: number): number => {
  const v = Math.max(3, Math.min(Math.round(k), limit));
  return v % 2 === 1 ? v : v - 1;
};
const depthLadder = (shallow: number[], normal: number[], deep: number[]) => (intent: DesignIntent) =>
  intent.depth === 'shallow' ? shallow : intent.depth === 'deep' ? deep : normal;
const dropoutSpace = (ctx: RenderContext): Record<string, unknown[]> =>
  ctx.dropout > 0 ? { dropout: [...new Set([0.0, ctx.dropout, Math.min(0.3, ctx.dropout + 0.1)])].map((v) => new PyFloat(v)) } : {};

/** Optional seasonal-naive path shared by several families: one gate per channel. */
const SEASONAL = `
class SeasonalNaive(nn.Module):
    """Repeats the last cycle of the dominant period over the horizon and blends it in with a learned
    per-channel gate: a strong prior when the data has a clear cycle, which the gate can switch off."""

    def __init__(self, seq_len, pred_len, enc_in, period):
        super().__init__()
        period = max(1, min(int(period), seq_len))
        index = [seq_len - period + (h % period) for h in range(pred_len)]
        self.register_buffer("index", torch.tensor(index, dtype=torch.long))
        self.gate = nn.Parameter(torch.full((enc_in,), -2.0))

    def forward(self, x, y):
        g = torch.sigmoid(self.gate)
        return (1.0 - g) * y + g * x[:, self.index, :]
`;

const ATTENTION = `
class TemporalAttention(nn.Module):
    """Self-attention across time steps on (B, D, L) features, so distant steps inform each other directly."""

    def __init__(self, channels):
        super().__init__()
        heads = 4 if channels % 4 == 0 else 1
        self.norm = nn.LayerNorm(channels)
        self.attn = nn.MultiheadAttention(channels, heads, batch_first=True)

    def forward(self, h):
        z = self.norm(h.transpose(1, 2))
        a, _ = self.attn(z, z, z, need_weights=False)
        return h + a.transpose(1, 2)
`;
const attentionParams = (c: number): number => 2 * c + 4 * c * c + 4 * c;

function seasonal(ctx: RenderContext): { use: boolean; period: number } {
  const period = ctx.periods[0];
  return { use: ctx.intent.periodic && period !== undefined, period: period ?? 1 };
}
function seasonalSpace(ctx: RenderContext): Record<string, unknown[]> {
  const ps = ctx.periods.slice(0, 3);
  return seasonal(ctx).use && ps.length > 1 ? { period: ps } : {};
}

const linear: Template = {
  family: 'linear',
  widths: [1],
  depths: () => [1],
  estimate: (_s, ctx) => (ctx.intent.size === 'tiny' ? 1 : ctx.C > 1 && ctx.intent.depth === 'deep' ? ctx.C : 1) * 2 * lin(ctx.L, ctx.H) + (seasonal(ctx).use ? ctx.C : 0),
  render: (_s, ctx) => {
    const individual = ctx.intent.size !== 'tiny' && ctx.C > 1 && ctx.intent.depth === 'deep';
    const k = odd(Math.min(25, ctx.periods[0] ?? 25), ctx.L);
    const multi = ctx.intent.multiScale;
    const sn = seasonal(ctx);
    const notes = [
      `trend/remainder decomposition with a moving average of ${k} steps${multi ? ', averaged over three scales (k/2, k, 2k)' : ''}`,
      individual ? 'one linear map per channel ("deep": more capacity)' : 'one linear map shared by all channels (fewest parameters)',
    ];
    if (sn.use) notes.push(`seasonal-naive path at the dominant period of ${sn.period} steps`);
    const body = `${sn.use ? SEASONAL : ''}
class Model(nn.Module):
    """Decomposition-linear forecaster: the window is split into a smooth trend (moving average) and a
    remainder, and each is mapped from L to H steps by a linear layer over time."""

    def __init__(self, seq_len, pred_len, enc_in, kernel_size=${k}, individual=${py(individual)}${sn.use ? `, period=${sn.period}` : ''}):
        super().__init__()
        self.enc_in = enc_in
        self.individual = individual
        limit = seq_len if seq_len % 2 == 1 else seq_len - 1
        k = max(3, min(int(kernel_size), limit))
        k = k if k % 2 == 1 else k - 1
        ${multi ? 'scales = [max(3, k // 2), k, min(limit, 2 * k + 1)]\n        self.kernels = sorted(set(s if s % 2 == 1 else s - 1 for s in scales))' : 'self.kernels = [k]'}
        if individual:
            self.trend_heads = nn.ModuleList([nn.Linear(seq_len, pred_len) for _ in range(enc_in)])
            self.rest_heads = nn.ModuleList([nn.Linear(seq_len, pred_len) for _ in range(enc_in)])
        else:
            self.trend_head = nn.Linear(seq_len, pred_len)
            self.rest_head = nn.Linear(seq_len, pred_len)${sn.use ? '\n        self.seasonal = SeasonalNaive(seq_len, pred_len, enc_in, period)' : ''}

    def trend(self, z):
        outs = []
        for k in self.kernels:
            p = (k - 1) // 2
            outs.append(F.avg_pool1d(F.pad(z, (p, p), mode="replicate"), k, stride=1))
        return torch.stack(outs, dim=0).mean(dim=0)

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        t = self.trend(z)
        r = z - t
        if self.individual:
            y = torch.stack([self.trend_heads[i](t[:, i]) + self.rest_heads[i](r[:, i]) for i in range(self.enc_in)], dim=1)
        else:
            y = self.trend_head(t) + self.rest_head(r)
        y = y.transpose(1, 2)  # (B, H, C)
        return ${sn.use ? 'self.seasonal(x, y)' : 'y'}
`;
    const ks = [...new Set([odd(k / 2, ctx.L), k, odd(2 * k + 1, ctx.L)])];
    return { name: multi ? 'MultiScaleDLinear' : individual ? 'DLinearIndividual' : 'DLinear', body, space: { kernel_size: ks, ...seasonalSpace(ctx) }, notes };
  },
};

const mlp: Template = {
  family: 'mlp',
  widths: [32, 64, 128, 256, 512],
  depths: depthLadder([1], [2, 1], [4, 3, 2]),
  estimate: ({ width: h, depth: n }, ctx) => lin(ctx.L, h) + (n - 1) * lin(h, h) + lin(h, ctx.H) + lin(ctx.L, ctx.H) + (seasonal(ctx).use ? ctx.C : 0),
  render: ({ width, depth }, ctx) => {
    const sn = seasonal(ctx);
    const body = `${sn.use ? SEASONAL : ''}
class Model(nn.Module):
    """Channel-wise MLP: every feature's window goes through the same ${depth}-layer MLP over time, with a
    linear skip from L to H steps that keeps the level and trend."""

    def __init__(self, seq_len, pred_len, enc_in, hidden=${width}, num_layers=${depth}, dropout=${py(new PyFloat(ctx.dropout))}${sn.use ? `, period=${sn.period}` : ''}):
        super().__init__()
        layers = []
        d = seq_len
        for _ in range(max(1, num_layers)):
            layers += [nn.Linear(d, hidden), nn.GELU(), nn.Dropout(dropout)]
            d = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(hidden, pred_len)
        self.skip = nn.Linear(seq_len, pred_len)${sn.use ? '\n        self.seasonal = SeasonalNaive(seq_len, pred_len, enc_in, period)' : ''}

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        y = (self.head(self.body(z)) + self.skip(z)).transpose(1, 2)
        return ${sn.use ? 'self.seasonal(x, y)' : 'y'}
`;
    return {
      name: depth <= 1 ? 'ShallowChannelMLP' : 'ChannelMLP',
      body,
      space: { hidden: ctx.widthChoices, num_layers: ctx.depthChoices, ...dropoutSpace(ctx), ...seasonalSpace(ctx) },
      notes: [`${depth} hidden layer(s) of ${width} units shared across channels`, 'linear skip keeps level and trend'],
    };
  },
};

const mixer: Template = {
  family: 'mixer',
  widths: [8, 16, 32, 64, 128],
  depths: depthLadder([1], [2, 1], [4, 3, 2]),
  estimate: ({ width: f, depth: n }, ctx) => n * (4 * ctx.C + lin(ctx.L, ctx.L) + lin(ctx.C, f) + lin(f, ctx.C)) + lin(ctx.L, ctx.H) + (seasonal(ctx).use ? ctx.C : 0),
  render: ({ width, depth }, ctx) => {
    const sn = seasonal(ctx);
    const body = `${sn.use ? SEASONAL : ''}
class MixerBlock(nn.Module):
    """Mixes along time (one MLP shared by all features), then along features (one MLP shared by all
    time steps), each with a residual connection."""

    def __init__(self, seq_len, enc_in, ff_dim, dropout):
        super().__init__()
        self.time_norm = nn.LayerNorm(enc_in)
        self.time_mlp = nn.Sequential(nn.Linear(seq_len, seq_len), nn.GELU(), nn.Dropout(dropout))
        self.feat_norm = nn.LayerNorm(enc_in)
        self.feat_mlp = nn.Sequential(nn.Linear(enc_in, ff_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ff_dim, enc_in), nn.Dropout(dropout))

    def forward(self, x):  # (B, L, C)
        x = x + self.time_mlp(self.time_norm(x).transpose(1, 2)).transpose(1, 2)
        return x + self.feat_mlp(self.feat_norm(x))


class Model(nn.Module):
    """Time/feature mixer: ${depth} mixer block(s) then a linear map from L to H steps per feature."""

    def __init__(self, seq_len, pred_len, enc_in, ff_dim=${width}, n_blocks=${depth}, dropout=${py(new PyFloat(ctx.dropout))}${sn.use ? `, period=${sn.period}` : ''}):
        super().__init__()
        self.blocks = nn.ModuleList([MixerBlock(seq_len, enc_in, ff_dim, dropout) for _ in range(max(1, n_blocks))])
        self.head = nn.Linear(seq_len, pred_len)${sn.use ? '\n        self.seasonal = SeasonalNaive(seq_len, pred_len, enc_in, period)' : ''}

    def forward(self, x):
        h = x
        for block in self.blocks:
            h = block(h)
        y = self.head(h.transpose(1, 2)).transpose(1, 2)
        return ${sn.use ? 'self.seasonal(x, y)' : 'y'}
`;
    return {
      name: 'TSMixerLite',
      body,
      space: { ff_dim: ctx.widthChoices, n_blocks: ctx.depthChoices, ...dropoutSpace(ctx), ...seasonalSpace(ctx) },
      notes: [`${depth} mixer block(s), feature MLP width ${width}`, 'time mixing and feature mixing alternate, so cross-feature structure is used'],
    };
  },
};

const recurrent: Template = {
  family: 'recurrent',
  widths: [8, 16, 32, 64, 128],
  depths: depthLadder([1], [2, 1], [3, 2]),
  estimate: ({ width: h, depth: n }, ctx) => {
    const gates = ctx.intent.rnnCell === 'gru' ? 3 : 4;
    const dirs = ctx.intent.bidirectional ? 2 : 1;
    let total = 0;
    for (let i = 0; i < n; i++) total += dirs * gates * ((i === 0 ? ctx.C : h * dirs) * h + h * h + 2 * h);
    const out = h * dirs;
    return total + (ctx.intent.attention ? lin(out, 1) : 0) + lin(out, ctx.H * ctx.C) + lin(ctx.L, ctx.H);
  },
  render: ({ width, depth }, ctx) => {
    const cell = ctx.intent.rnnCell === 'gru' ? 'GRU' : 'LSTM';
    const bi = ctx.intent.bidirectional;
    const att = ctx.intent.attention;
    const body = `
class Model(nn.Module):
    """${bi ? 'Bidirectional ' : ''}${cell} encoder over the window; ${att ? 'attention pooling over all hidden states' : 'the last hidden state'} is
    mapped to all H x C outputs at once (no autoregressive error build-up), plus a linear skip over time."""

    def __init__(self, seq_len, pred_len, enc_in, hidden_size=${width}, num_layers=${depth}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        self.pred_len = pred_len
        self.enc_in = enc_in
        layers = max(1, num_layers)
        self.rnn = nn.${cell}(enc_in, hidden_size, num_layers=layers, batch_first=True, bidirectional=${py(bi)},
                           dropout=dropout if layers > 1 else 0.0)
        out_dim = hidden_size * ${bi ? 2 : 1}${att ? '\n        self.score = nn.Linear(out_dim, 1)' : ''}
        self.head = nn.Linear(out_dim, pred_len * enc_in)
        self.skip = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        b = x.shape[0]
        states, _ = self.rnn(x)  # (B, L, out_dim)
        ${att ? 'weights = torch.softmax(self.score(states), dim=1)  # (B, L, 1)\n        summary = (weights * states).sum(dim=1)' : 'summary = states[:, -1, :]'}
        y = self.head(summary).view(b, self.pred_len, self.enc_in)
        return y + self.skip(x.transpose(1, 2)).transpose(1, 2)
`;
    return {
      name: `${bi ? 'Bi' : ''}${cell}${att ? 'Attention' : ''}Forecaster`,
      body,
      space: { hidden_size: ctx.widthChoices, num_layers: ctx.depthChoices, ...(ctx.depthChoices.some((d) => d > 1) ? dropoutSpace(ctx) : {}) },
      notes: [`${depth} ${cell} layer(s) of ${width} units${bi ? ', both directions' : ''}`, att ? 'attention pooling over time instead of the last state' : 'last hidden state summarises the window', 'direct multi-step head plus a linear skip'],
    };
  },
};

function convKernels(ctx: RenderContext): number[] {
  if (!ctx.intent.multiScale) return [3];
  const fromPeriod = ctx.periods[0] !== undefined ? odd(ctx.periods[0] / 2, Math.min(ctx.L, 25)) : 7;
  return [...new Set([3, odd(5, ctx.L), fromPeriod])].sort((a, b) => a - b);
}

const convolutional: Template = {
  family: 'convolutional',
  widths: [8, 16, 32, 64, 128],
  depths: depthLadder([1], [3, 2], [6, 4]),
  estimate: ({ width: c, depth: n }, ctx) =>
    lin(ctx.C, c) + n * (convKernels(ctx).reduce((s, k) => s + conv(c, c, k), 0) + 2 * c) + (ctx.intent.attention ? attentionParams(c) : 0) + lin(c, ctx.C) + lin(ctx.L, ctx.H),
  render: ({ width, depth }, ctx) => {
    const ks = convKernels(ctx);
    const dil = ctx.intent.dilated;
    const att = ctx.intent.attention;
    const body = `${att ? ATTENTION : ''}
class ConvBlock(nn.Module):
    """${ks.length > 1 ? `Parallel convolutions with kernels ${ks.join('/')} (several time scales at once), averaged` : 'A same-length convolution'}, batch norm and a residual connection.
    Padding (k - 1) / 2 * dilation keeps the sequence length L unchanged."""

    def __init__(self, channels, kernel_sizes, dilation, dropout):
        super().__init__()
        self.branches = nn.ModuleList([
            nn.Conv1d(channels, channels, k, padding=(k - 1) // 2 * dilation, dilation=dilation) for k in kernel_sizes
        ])
        self.norm = nn.BatchNorm1d(channels)
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        z = torch.stack([branch(h) for branch in self.branches], dim=0).mean(dim=0)
        return F.gelu(self.norm(self.drop(z)) + h)


class Model(nn.Module):
    """${ks.length > 1 ? 'Multi-scale ' : ''}CNN over time on (B, C, L): a 1x1 lift to ${width} channels, ${depth} conv block(s)${dil ? ' with dilations 1, 2, 4, ...' : ''},${att ? ' self-attention over time,' : ''}
    a 1x1 projection back to the features, then a linear map from L to H steps."""

    def __init__(self, seq_len, pred_len, enc_in, channels=${width}, n_blocks=${depth}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        self.lift = nn.Conv1d(enc_in, channels, 1)
        self.blocks = nn.ModuleList([
            ConvBlock(channels, ${py(ks)}, ${dil ? '2 ** (i % 4)' : '1'}, dropout) for i in range(max(1, n_blocks))
        ])${att ? '\n        self.attention = TemporalAttention(channels)' : ''}
        self.proj = nn.Conv1d(channels, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        h = self.lift(z)
        for block in self.blocks:
            h = block(h)${att ? '\n        h = self.attention(h)' : ''}
        h = self.proj(h) + z
        return self.time(h).transpose(1, 2)
`;
    return {
      name: `${ks.length > 1 ? 'MultiScale' : ''}${dil ? 'Dilated' : ''}CNN${att ? 'Attention' : ''}`,
      body,
      space: { channels: ctx.widthChoices, n_blocks: ctx.depthChoices, ...dropoutSpace(ctx) },
      notes: [`${depth} conv block(s) of ${width} channels, kernels ${ks.join('/')}`, dil ? 'dilations grow 1, 2, 4, 8 for a wide receptive field' : 'no dilation', 'length-preserving padding so L never shrinks'],
    };
  },
};

const tcn: Template = {
  family: 'tcn',
  widths: [8, 16, 32, 64, 96],
  depths: depthLadder([2], [4, 3, 2], [6, 5, 4]),
  estimate: ({ width: c, depth: n }, ctx) => {
    const k = ctx.intent.multiScale ? 5 : 3;
    return lin(ctx.C, c) + n * 2 * conv(c, c, k) + (ctx.intent.attention ? attentionParams(c) : 0) + lin(c, ctx.C) + lin(ctx.L, ctx.H);
  },
  render: ({ width, depth }, ctx) => {
    const k = ctx.intent.multiScale ? 5 : 3;
    const att = ctx.intent.attention;
    const body = `${att ? ATTENTION : ''}
class CausalBlock(nn.Module):
    """Two causal dilated convolutions with a residual connection. Left padding of (k - 1) * dilation
    keeps length L and lets no step see the future."""

    def __init__(self, channels, kernel_size, dilation, dropout):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(channels, channels, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, dilation=dilation)
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        z = self.drop(F.gelu(self.conv1(F.pad(h, (self.pad, 0)))))
        z = self.drop(self.conv2(F.pad(z, (self.pad, 0))))
        return F.gelu(h + z)


class Model(nn.Module):
    """Temporal convolutional network: ${depth} causal blocks with dilations 1, 2, 4, ... (receptive field
    about (k - 1) * 2^blocks steps), ${att ? 'self-attention over time, ' : ''}then a linear map from L to H steps per feature."""

    def __init__(self, seq_len, pred_len, enc_in, channels=${width}, n_blocks=${depth}, kernel_size=${k}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        self.lift = nn.Conv1d(enc_in, channels, 1)
        self.blocks = nn.ModuleList([CausalBlock(channels, kernel_size, 2 ** i, dropout) for i in range(max(1, n_blocks))])${att ? '\n        self.attention = TemporalAttention(channels)' : ''}
        self.proj = nn.Conv1d(channels, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        h = self.lift(z)
        for block in self.blocks:
            h = block(h)${att ? '\n        h = self.attention(h)' : ''}
        return self.time(self.proj(h) + z).transpose(1, 2)
`;
    return {
      name: `TCN${att ? 'Attention' : ''}${ctx.intent.multiScale ? 'Wide' : ''}`,
      body,
      space: { channels: ctx.widthChoices, n_blocks: ctx.depthChoices, kernel_size: k === 3 ? [2, 3] : [3, 5], ...dropoutSpace(ctx) },
      notes: [`${depth} causal dilated block(s) of ${width} channels, kernel ${k}`, `receptive field ≈ ${(k - 1) * 2 ** depth * 2} steps for a window of ${ctx.L}`],
    };
  },
};

function inceptionKernels(ctx: RenderContext, maxKernel: number): number[] {
  // Integer division, as the Python side does, so the notes and estimates match the code.
  return [...new Set([odd(Math.floor(maxKernel / 4), ctx.L), odd(Math.floor(maxKernel / 2), ctx.L), odd(maxKernel, ctx.L)])];
}
function inceptionMax(ctx: RenderContext): number {
  const p = ctx.periods[0];
  const base = ctx.intent.size === 'normal' ? 39 : 19;
  return odd(p !== undefined && ctx.intent.periodic ? Math.min(p, 2 * base) : base, ctx.L);
}

const inception: Template = {
  family: 'inception',
  widths: [8, 16, 32, 64],
  depths: depthLadder([1], [2, 1], [4, 3]),
  estimate: ({ width: c, depth: n }, ctx) => {
    const b = Math.max(4, c / 2);
    const ks = inceptionKernels(ctx, inceptionMax(ctx));
    const block = lin(c, b) + ks.reduce((s, k) => s + conv(b, b, k), 0) + lin(c, b) + lin(b * (ks.length + 1), c) + 2 * c;
    return lin(ctx.C, c) + n * block + (ctx.intent.attention ? attentionParams(c) : 0) + lin(c, ctx.C) + lin(ctx.L, ctx.H);
  },
  render: ({ width, depth }, ctx) => {
    const maxK = inceptionMax(ctx);
    const ks = inceptionKernels(ctx, maxK);
    const att = ctx.intent.attention;
    const light = ctx.intent.size !== 'normal';
    const body = `${att ? ATTENTION : ''}
class InceptionBlock(nn.Module):
    """Inception module: a 1x1 bottleneck, parallel convolutions of several kernel sizes (patterns at
    several time scales), a max-pool branch, concatenation, a 1x1 merge and a residual connection."""

    def __init__(self, channels, bottleneck, kernel_sizes, dropout):
        super().__init__()
        self.reduce = nn.Conv1d(channels, bottleneck, 1)
        self.branches = nn.ModuleList([nn.Conv1d(bottleneck, bottleneck, k, padding=k // 2) for k in kernel_sizes])
        self.pool_branch = nn.Conv1d(channels, bottleneck, 1)
        self.merge = nn.Conv1d(bottleneck * (len(kernel_sizes) + 1), channels, 1)
        self.norm = nn.BatchNorm1d(channels)
        self.drop = nn.Dropout(dropout)

    def forward(self, h):  # (B, channels, L); odd kernels with padding k // 2 keep L
        z = self.reduce(h)
        outs = [branch(z) for branch in self.branches]
        outs.append(self.pool_branch(F.max_pool1d(h, 3, stride=1, padding=1)))
        merged = self.merge(torch.cat(outs, dim=1))
        return F.gelu(self.norm(self.drop(merged)) + h)


class Model(nn.Module):
    """${light ? 'Lightweight ' : ''}InceptionTime-style forecaster: ${depth} inception block(s) over time with kernels
    derived from max_kernel, ${att ? 'self-attention over time, ' : ''}then a linear map from L to H steps per feature."""

    def __init__(self, seq_len, pred_len, enc_in, channels=${width}, n_blocks=${depth}, max_kernel=${maxK}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        limit = seq_len if seq_len % 2 == 1 else seq_len - 1
        kernels = []
        for k in (max_kernel // 4, max_kernel // 2, max_kernel):
            k = max(3, min(int(k), limit))
            k = k if k % 2 == 1 else k - 1
            if k not in kernels:
                kernels.append(k)
        bottleneck = max(4, channels // 2)
        self.lift = nn.Conv1d(enc_in, channels, 1)
        self.blocks = nn.ModuleList([InceptionBlock(channels, bottleneck, kernels, dropout) for _ in range(max(1, n_blocks))])${att ? '\n        self.attention = TemporalAttention(channels)' : ''}
        self.proj = nn.Conv1d(channels, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        h = self.lift(z)
        for block in self.blocks:
            h = block(h)${att ? '\n        h = self.attention(h)' : ''}
        return self.time(self.proj(h) + z).transpose(1, 2)
`;
    const maxChoices = [...new Set([odd(maxK / 2, ctx.L), maxK])];
    return {
      name: `${light ? 'Light' : ''}InceptionNet${att ? 'Attention' : ''}`,
      body,
      space: { channels: ctx.widthChoices, n_blocks: ctx.depthChoices, max_kernel: maxChoices, ...dropoutSpace(ctx) },
      notes: [`${depth} inception block(s), ${width} channels, bottleneck ${Math.max(4, width / 2)}`, `kernels ${ks.join('/')} in parallel${ctx.intent.periodic && ctx.periods[0] !== undefined ? ` (largest tied to the ${ctx.periods[0]}-step period)` : ''}`],
    };
  },
};

function residualWidths(c: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n > 1 && i >= Math.floor(n / 2) ? 2 * c : c));
}

const residual: Template = {
  family: 'residual',
  widths: [8, 16, 32, 64],
  depths: depthLadder([2], [4, 3, 2], [6, 5, 4]),
  estimate: ({ width: c, depth: n }, ctx) => {
    const k = ctx.intent.multiScale ? 5 : 3;
    let prev = c;
    let total = lin(ctx.C, c);
    for (const out of residualWidths(c, n)) {
      total += conv(prev, out, k) + 2 * out + conv(out, out, k) + 2 * out + (prev !== out ? lin(prev, out) : 0);
      prev = out;
    }
    return total + (ctx.intent.attention ? attentionParams(prev) : 0) + lin(prev, ctx.C) + lin(ctx.L, ctx.H);
  },
  render: ({ width, depth }, ctx) => {
    const k = ctx.intent.multiScale ? 5 : 3;
    const dil = ctx.intent.dilated;
    const att = ctx.intent.attention;
    const body = `${att ? ATTENTION : ''}
class ResidualBlock(nn.Module):
    """Two convolutions with batch norm and an identity shortcut; where the channel count changes, a 1x1
    convolution aligns the shortcut so the sum is well defined."""

    def __init__(self, in_ch, out_ch, kernel_size, dilation, dropout):
        super().__init__()
        pad = (kernel_size - 1) // 2 * dilation
        self.conv1 = nn.Conv1d(in_ch, out_ch, kernel_size, padding=pad, dilation=dilation)
        self.bn1 = nn.BatchNorm1d(out_ch)
        self.conv2 = nn.Conv1d(out_ch, out_ch, kernel_size, padding=pad, dilation=dilation)
        self.bn2 = nn.BatchNorm1d(out_ch)
        self.shortcut = nn.Conv1d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        z = self.drop(F.relu(self.bn1(self.conv1(h))))
        z = self.bn2(self.conv2(z))
        return F.relu(z + self.shortcut(h))


class Model(nn.Module):
    """${depth > 4 ? 'Deep ' : ''}residual CNN (ResNet-style) over time: ${depth} residual block(s), widening from ${width} to ${depth > 1 ? 2 * width : width} channels
    half-way${dil ? ', dilations 1, 2, 4, ...' : ''}; ${att ? 'self-attention over time, ' : ''}then a linear map from L to H steps per feature."""

    def __init__(self, seq_len, pred_len, enc_in, channels=${width}, n_blocks=${depth}, kernel_size=${k}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        n = max(1, n_blocks)
        self.lift = nn.Conv1d(enc_in, channels, 1)
        blocks = []
        prev = channels
        for i in range(n):
            out = 2 * channels if n > 1 and i >= n // 2 else channels
            blocks.append(ResidualBlock(prev, out, kernel_size, ${dil ? '2 ** (i % 4)' : '1'}, dropout))
            prev = out
        self.blocks = nn.Sequential(*blocks)${att ? '\n        self.attention = TemporalAttention(prev)' : ''}
        self.proj = nn.Conv1d(prev, enc_in, 1)
        self.time = nn.Linear(seq_len, pred_len)

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        h = self.blocks(self.lift(z))${att ? '\n        h = self.attention(h)' : ''}
        return self.time(self.proj(h) + z).transpose(1, 2)
`;
    return {
      name: `${depth > 4 ? 'Deep' : ''}ResNet1D${att ? 'Attention' : ''}`,
      body,
      space: { channels: ctx.widthChoices, n_blocks: ctx.depthChoices, kernel_size: k === 3 ? [3, 5] : [3, 5, 7].filter((v) => v <= k), ...dropoutSpace(ctx) },
      notes: [`${depth} residual block(s), ${width}→${depth > 1 ? 2 * width : width} channels, kernel ${k}`, '1x1 shortcut convolutions align channels where the width changes'],
    };
  },
};

const wave: Template = {
  family: 'wave',
  widths: [4, 8, 16, 32],
  depths: () => [64, 32, 16],
  estimate: ({ width: k, depth: h }, ctx) => lin(ctx.L, h) + 3 * lin(h, k) + k + ctx.C * ctx.C + lin(ctx.L, ctx.H),
  render: ({ width, depth }, ctx) => {
    const periods = ctx.periods.slice(0, 4);
    const body = `
class Model(nn.Module):
    """${ctx.intent.interference ? 'WaveInterferenceNet' : 'Wave superposition model'}: each channel's window is encoded into n_waves waves (amplitude,
    frequency, phase). The forecast is their superposition over the future time steps (constructive and
    destructive interference within a channel), plus cross-channel interference where the waves of
    other channels couple in through a learned matrix, plus a linear trend path.
    Base frequencies start at the dominant periods ${periods.length ? `(${periods.join(', ')} steps)` : '(none known)'} and at ${ctx.intent.multiScale ? 'several scales' : 'log-spaced periods'} between 2 steps and the window."""

    def __init__(self, seq_len, pred_len, enc_in, n_waves=${width}, hidden=${depth}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        periods = ${py(periods)}
        freqs = [2.0 * math.pi / p for p in periods[:n_waves]]
        rest = n_waves - len(freqs)
        for j in range(rest):
            span = j / max(1, rest - 1)
            freqs.append(2.0 * math.pi / (2.0 * (seq_len / 2.0) ** span))
        self.base_freq = nn.Parameter(torch.tensor(freqs, dtype=torch.float32))
        self.encoder = nn.Sequential(nn.Linear(seq_len, hidden), nn.GELU(), nn.Dropout(dropout))
        self.amplitude = nn.Linear(hidden, n_waves)
        self.phase = nn.Linear(hidden, n_waves)
        self.detune = nn.Linear(hidden, n_waves)
        self.coupling = nn.Parameter(torch.zeros(enc_in, enc_in))
        self.trend = nn.Linear(seq_len, pred_len)
        self.register_buffer("t", torch.arange(seq_len, seq_len + pred_len, dtype=torch.float32))

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        h = self.encoder(z)  # (B, C, hidden)
        amp = self.amplitude(h)  # (B, C, K)
        phase = math.pi * torch.tanh(self.phase(h))
        freq = self.base_freq * (1.0 + 0.1 * torch.tanh(self.detune(h)))  # small input-dependent detuning
        waves = amp.unsqueeze(-1) * torch.sin(freq.unsqueeze(-1) * self.t + phase.unsqueeze(-1))  # (B, C, K, H)
        own = waves.sum(dim=2)  # (B, C, H): superposition
        cross = torch.einsum("ij,bjh->bih", self.coupling, own)  # other channels' waves interfere
        y = self.trend(z) + own + cross
        return y.transpose(1, 2)  # (B, H, C)
`;
    return {
      name: ctx.intent.interference ? 'WaveInterferenceNet' : `WaveSuperposition${ctx.intent.multiScale ? 'MultiScale' : ''}`,
      body,
      space: { n_waves: ctx.widthChoices, hidden: ctx.depthChoices, ...dropoutSpace(ctx) },
      notes: [`${width} waves per channel from a ${depth}-unit encoder`, periods.length ? `base frequencies at the EDA periods ${periods.join(', ')}` : 'no EDA periods: log-spaced base frequencies', 'cross-channel coupling matrix models interference between features'],
    };
  },
};

function fourierModes(ctx: RenderContext, width: number): number {
  const minPeriod = Math.min(...ctx.periods.filter((p) => p >= 2), ctx.L);
  const needed = Math.ceil(ctx.L / minPeriod) + 2;
  return Math.min(Math.floor(ctx.L / 2) + 1, Math.max(width, needed));
}

const fourier: Template = {
  family: 'fourier',
  widths: [4, 8, 16, 32],
  depths: () => [256, 128, 64, 32],
  estimate: ({ width, depth: h }, ctx) => 2 * ctx.C * fourierModes(ctx, width) + lin(2 * ctx.L, h) + lin(h, ctx.H) + (seasonal(ctx).use && ctx.intent.multiScale ? ctx.C : 0),
  render: ({ width, depth }, ctx) => {
    const modes = fourierModes(ctx, width);
    const sn = { ...seasonal(ctx), use: seasonal(ctx).use && ctx.intent.multiScale };
    const body = `${sn.use ? SEASONAL : ''}
class SpectralFilter(nn.Module):
    """Learnable complex gains on the lowest \`modes\` frequencies of each channel's window (FFT, filter,
    inverse FFT): periodic structure is cheap to represent in the frequency domain."""

    def __init__(self, seq_len, enc_in, modes):
        super().__init__()
        self.modes = max(1, min(int(modes), seq_len // 2 + 1))
        self.w_real = nn.Parameter(torch.ones(enc_in, self.modes))
        self.w_imag = nn.Parameter(torch.zeros(enc_in, self.modes))

    def forward(self, z):  # (B, C, L)
        spec = torch.fft.rfft(z, dim=-1)
        kept = spec[..., : self.modes] * torch.complex(self.w_real, self.w_imag)
        rest = torch.zeros(spec.shape[:-1] + (spec.shape[-1] - self.modes,), dtype=spec.dtype, device=spec.device)
        return torch.fft.irfft(torch.cat([kept, rest], dim=-1), n=z.shape[-1], dim=-1)


class Model(nn.Module):
    """Fourier forecaster: a spectral filter keeps and reweights the low frequencies (${modes} modes cover periods
    down to about ${Math.max(2, Math.round(ctx.L / Math.max(1, modes - 1)))} steps), and an MLP maps the raw and filtered windows to H steps."""

    def __init__(self, seq_len, pred_len, enc_in, modes=${modes}, hidden=${depth}, dropout=${py(new PyFloat(ctx.dropout))}${sn.use ? `, period=${sn.period}` : ''}):
        super().__init__()
        self.filter = SpectralFilter(seq_len, enc_in, modes)
        self.head = nn.Sequential(nn.Linear(2 * seq_len, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, pred_len))${sn.use ? '\n        self.seasonal = SeasonalNaive(seq_len, pred_len, enc_in, period)' : ''}

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        y = self.head(torch.cat([z, self.filter(z)], dim=-1)).transpose(1, 2)
        return ${sn.use ? 'self.seasonal(x, y)' : 'y'}
`;
    const modeChoices = [...new Set(ctx.widthChoices.map((w) => fourierModes(ctx, w)))];
    return {
      name: 'FourierFilterNet',
      body,
      space: { modes: modeChoices, hidden: ctx.depthChoices, ...dropoutSpace(ctx) },
      notes: [`${modes} Fourier modes per channel`, `MLP head of ${depth} units on raw + filtered window`],
    };
  },
};

function patchLen(ctx: RenderContext): number {
  const p = ctx.periods[0];
  const base = p !== undefined && ctx.intent.periodic && p <= ctx.L / 2 ? p : 16;
  return Math.max(2, Math.min(base, Math.floor(ctx.L / 2) || 1));
}
function nPatches(L: number, P: number): number {
  const S = Math.max(1, Math.floor(P / 2));
  const pad = (S - ((L - P) % S)) % S;
  return Math.floor((L + pad - P) / S) + 1;
}

const transformer: Template = {
  family: 'transformer',
  widths: [16, 32, 64, 128],
  depths: depthLadder([1], [2, 1], [4, 3]),
  estimate: ({ width: d, depth: n }, ctx) => {
    const P = patchLen(ctx);
    const np = nPatches(ctx.L, P);
    const layer = 4 * d * d + 4 * d + lin(d, 2 * d) + lin(2 * d, d) + 4 * d;
    return lin(P, d) + np * d + n * layer + lin(np * d, ctx.H);
  },
  render: ({ width, depth }, ctx) => {
    const P = patchLen(ctx);
    const body = `
class Model(nn.Module):
    """Patch transformer (PatchTST-style, channel-independent): each feature's window is cut into patches
    of patch_len steps with stride patch_len / 2, embedded, passed through ${depth} transformer encoder layer(s),
    and a linear head maps all patch embeddings to H steps."""

    def __init__(self, seq_len, pred_len, enc_in, patch_len=${P}, d_model=${width}, num_layers=${depth}, dropout=${py(new PyFloat(ctx.dropout))}):
        super().__init__()
        self.patch_len = max(2, min(int(patch_len), seq_len))
        self.stride = max(1, self.patch_len // 2)
        self.pad = (self.stride - (seq_len - self.patch_len) % self.stride) % self.stride
        n_patches = (seq_len + self.pad - self.patch_len) // self.stride + 1
        heads = 4 if d_model % 4 == 0 else 1
        self.embed = nn.Linear(self.patch_len, d_model)
        self.position = nn.Parameter(0.02 * torch.randn(1, n_patches, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, max(1, num_layers))
        self.head = nn.Linear(n_patches * d_model, pred_len)

    def forward(self, x):
        b, l, c = x.shape
        z = x.transpose(1, 2).reshape(b * c, 1, l)
        z = F.pad(z, (0, self.pad), mode="replicate").squeeze(1)  # repeat the last value so no recent step is dropped
        patches = z.unfold(-1, self.patch_len, self.stride)  # (B*C, N, patch_len)
        h = self.encoder(self.embed(patches) + self.position)
        y = self.head(h.reshape(b * c, -1)).reshape(b, c, -1)
        return y.transpose(1, 2)  # (B, H, C)
`;
    const pChoices = [...new Set([P, Math.max(2, Math.min(Math.floor(ctx.L / 2) || 2, 2 * P))])];
    return {
      name: ctx.intent.size === 'normal' ? 'PatchTransformer' : 'TinyPatchTransformer',
      body,
      space: { d_model: ctx.widthChoices, num_layers: ctx.depthChoices, patch_len: pChoices, ...dropoutSpace(ctx) },
      notes: [`${depth} encoder layer(s), d_model ${width}, patches of ${P} steps${P !== 16 ? ' (the dominant period)' : ''}`, 'channel-independent: one shared encoder for every feature'],
    };
  },
};

/**
 * The last resort when even a full L x H linear map is over the budget (long windows and
 * horizons): each map is factorised through `rank` units, so the count grows with L + H, not L * H.
 */
export const LOW_RANK_LINEAR: Template = {
  family: 'linear',
  widths: [2, 4, 8, 16, 32, 64],
  depths: () => [1],
  estimate: ({ width: r }, ctx) => 2 * (lin(ctx.L, r) + lin(r, ctx.H)),
  render: ({ width }, ctx) => {
    const k = odd(Math.min(25, ctx.periods[0] ?? 25), ctx.L);
    const body = `
class Model(nn.Module):
    """Low-rank decomposition-linear forecaster: trend (moving average) and remainder are each mapped
    from L to H steps through a bottleneck of \`rank\` units, so the size grows with L + H, not L * H."""

    def __init__(self, seq_len, pred_len, enc_in, kernel_size=${k}, rank=${width}):
        super().__init__()
        limit = seq_len if seq_len % 2 == 1 else seq_len - 1
        k = max(3, min(int(kernel_size), limit))
        self.kernel = k if k % 2 == 1 else k - 1
        self.trend_head = nn.Sequential(nn.Linear(seq_len, rank), nn.Linear(rank, pred_len))
        self.rest_head = nn.Sequential(nn.Linear(seq_len, rank), nn.Linear(rank, pred_len))

    def forward(self, x):
        z = x.transpose(1, 2)  # (B, C, L)
        p = (self.kernel - 1) // 2
        t = F.avg_pool1d(F.pad(z, (p, p), mode="replicate"), self.kernel, stride=1)
        y = self.trend_head(t) + self.rest_head(z - t)
        return y.transpose(1, 2)  # (B, H, C)
`;
    return {
      name: 'LowRankDLinear',
      body,
      space: { rank: ctx.widthChoices, kernel_size: [...new Set([odd(k / 2, ctx.L), k])] },
      notes: [`trend/remainder decomposition, each L→H map factorised through rank ${width}`],
    };
  },
};

export const TEMPLATES: Record<Family, Template> = {
  linear,
  mlp,
  mixer,
  recurrent,
  convolutional,
  tcn,
  inception,
  residual,
  wave,
  fourier,
  transformer,
};
