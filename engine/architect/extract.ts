/**
 * Getting model code out of an LLM reply, and the administrative fixes the system applies itself
 * (a class under another name, a missing SEARCH_SPACE, a name clash). Those fixes are not the
 * model's fault in any interesting sense, so they never cost a reflection iteration.
 */

const CODE_START = /^(import \w|from \w[\w.]* import |class \w)/;
/** A top-level line that still looks like Python; used to find where unfenced code ends. */
const CODE_LINE = /^(import |from |class |def |@|#|if |for |while |try:|except|else:|elif |with |return\b|pass\b|[A-Za-z_][\w.]*\s*(=|\(|\[|:)|[)\]}])/;

export function normalizeText(reply: string): string {
  let text = reply.replace(/\r\n?/g, '\n');
  // Reasoning models think aloud first; code inside the thoughts is a draft, not the answer.
  text = text.replace(/<think>[\s\S]*?<\/think>/gi, '');
  // A reply cut off inside the thoughts has no answer after them; keep what follows the tag only.
  const open = text.search(/<think>/i);
  if (open >= 0) text = text.slice(0, open);
  return text;
}

interface Block {
  tag: string;
  body: string;
}

function fencedBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const re = /(^|\n)[ \t]*(```|~~~)[ \t]*([\w+.-]*)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    blocks.push({ tag: (m[3] ?? '').toLowerCase(), body: m[4] ?? '' });
    last = re.lastIndex;
  }
  // A reply truncated by max_tokens leaves its last fence open; the code so far is still worth a try.
  const rest = text.slice(last);
  const open = /(^|\n)[ \t]*```[ \t]*([\w+.-]*)[^\n]*\n([\s\S]*)$/.exec(rest);
  if (open && !/```/.test(open[3] ?? '')) blocks.push({ tag: (open[2] ?? '').toLowerCase(), body: open[3] ?? '' });
  return blocks;
}

const PY_TAGS = new Set(['', 'python', 'py', 'python3', 'py3', 'pytorch', 'torch']);

function unfenced(text: string): string | null {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => CODE_START.test(l));
  if (start < 0) return null;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '' || /^[ \t]/.test(l)) continue;
    if (!CODE_LINE.test(l)) {
      end = i;
      break;
    }
  }
  const code = lines.slice(start, end).join('\n');
  return /\bclass\s+\w+/.test(code) ? code : null;
}

/** Leading tabs become four spaces each: mixed tabs and spaces are a TabError in Python 3. */
function expandLeadingTabs(code: string): string {
  return code.replace(/^[ \t]+/gm, (ws) => ws.replace(/\t/g, '    '));
}

/**
 * The model code in a reply, or null when there is none. Prefers the fenced block that defines
 * `class Model`, then one defining any nn.Module subclass, then the longest Python block, then
 * code written without fences. A SEARCH_SPACE given in a block of its own is appended.
 */
export function extractCode(reply: string): string | null {
  const text = normalizeText(reply);
  const blocks = fencedBlocks(text).filter((b) => PY_TAGS.has(b.tag) || /\bclass\s+\w+\s*\(/.test(b.body));
  let code: string | null = null;
  if (blocks.length > 0) {
    const byModel = blocks.filter((b) => /^class\s+Model\b/m.test(b.body));
    const byModule = blocks.filter((b) => /^class\s+\w+\s*\([^)]*Module[^)]*\)/m.test(b.body));
    const pick = byModel.at(-1) ?? byModule.at(-1) ?? [...blocks].sort((a, b) => b.body.length - a.body.length)[0];
    if (pick && /\bclass\s+\w+/.test(pick.body)) {
      code = pick.body;
      if (!/^SEARCH_SPACE\s*=/m.test(code)) {
        const space = blocks.find((b) => b !== pick && /^SEARCH_SPACE\s*=/m.test(b.body) && !/\bclass\s/.test(b.body));
        if (space) code = `${code}\n\n${space.body.trim()}`;
      }
    }
  }
  code ??= unfenced(text);
  if (code === null) return null;
  code = expandLeadingTabs(code).replace(/[ \t]+$/gm, '').trim();
  return code === '' ? null : code + '\n';
}

interface ClassInfo {
  name: string;
  bases: string;
  body: string;
}

function classes(code: string): ClassInfo[] {
  const out: ClassInfo[] = [];
  const re = /^class\s+([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*:/gm;
  const matches = [...code.matchAll(re)];
  matches.forEach((m) => {
    const start = m.index ?? 0;
    // The class body runs to the next top-level statement.
    const after = code.slice(start + m[0].length);
    const next = /\n(?=[^\s#])/.exec(after);
    const body = next ? after.slice(0, next.index) : after;
    out.push({ name: m[1] ?? '', bases: m[2] ?? '', body });
  });
  return out;
}

const SEQ_ALIASES = /\b(seq_len|lookback|input_len)\b/;

export interface AdministrativeResult {
  code: string;
  /** A model name suggested by the reply (`# Name:` line or the original class name), made unique. */
  name: string | null;
  /** What the system changed, in words, for the log. */
  fixes: string[];
}

function sanitizeName(raw: string): string | null {
  const name = raw.trim().replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return name === '' ? null : name;
}

/** `base`, or `base_2`, `base_3`… whichever is not taken (case-insensitive). */
export function uniqueName(base: string, existing: Iterable<string>): string {
  const taken = new Set([...existing].map((n) => n.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}_${i}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

export function applyAdministrativeFixes(code: string, options: { existingNames?: Iterable<string> } = {}): AdministrativeResult {
  const fixes: string[] = [];
  let out = code;
  let suggested: string | null = null;
  const declared = /^#\s*Name:\s*(.+)$/im.exec(out);
  if (declared?.[1]) suggested = sanitizeName(declared[1]);

  const all = classes(out);
  if (!all.some((c) => c.name === 'Model')) {
    const modules = all.filter((c) => /\bModule\b/.test(c.bases));
    let target: ClassInfo | undefined;
    if (modules.length === 1) target = modules[0];
    else if (modules.length > 1) {
      // Several modules: the top-level one is the only one built from the window length.
      const top = modules.filter((c) => SEQ_ALIASES.test(/def\s+__init__\s*\(([^)]*)\)/.exec(c.body)?.[1] ?? ''));
      if (top.length === 1) target = top[0];
    }
    if (target) {
      out = out.replace(new RegExp(`\\b${target.name}\\b`, 'g'), 'Model');
      fixes.push(`renamed class ${target.name} to Model (the contract's class name)`);
      suggested ??= sanitizeName(target.name);
    }
  }
  if (!/^SEARCH_SPACE\s*=/m.test(out)) {
    out = `${out.trimEnd()}\n\n# Added by genautoml: the reply had no SEARCH_SPACE, so only the defaults are tried.\nSEARCH_SPACE = {}\n`;
    fixes.push('added an empty SEARCH_SPACE');
  }
  let name = suggested;
  if (name !== null && options.existingNames) {
    const unique = uniqueName(name, options.existingNames);
    if (unique !== name) {
      fixes.push(`name ${name} is taken; using ${unique}`);
      name = unique;
    }
  }
  return { code: out, name, fixes };
}
