/**
 * Reads a module-level `SEARCH_SPACE = {...}` literal from Python source without running Python:
 * a tokenizer for the literal subset (dicts, lists, tuples, strings, numbers, True/False/None).
 * The runner re-reads it with ast.literal_eval when validating; this is for listing candidates
 * quickly (the baseline zoo at start-up).
 */
import { GenAutoMLError } from '../errors.js';

type Literal = string | number | boolean | null | Literal[] | { [k: string]: Literal };

export function extractSearchSpace(source: string): Record<string, unknown[]> | null {
  const m = /^SEARCH_SPACE\s*(?::[^=\n]*)?=\s*/m.exec(source);
  if (!m) return null;
  const parser = new LiteralParser(source, m.index + m[0].length);
  const value = parser.parse();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GenAutoMLError('model.bad_search_space', 'SEARCH_SPACE is not a dict.', { hint: 'Write SEARCH_SPACE = {"name": [values, ...]}.' });
  }
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(v) || v.length === 0) {
      throw new GenAutoMLError('model.bad_search_space', `SEARCH_SPACE["${k}"] is not a non-empty list.`, { hint: 'Give each hyperparameter a list of candidate values.' });
    }
    out[k] = v;
  }
  return out;
}

class LiteralParser {
  constructor(
    private readonly s: string,
    private i: number,
  ) {}

  parse(): Literal {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.dict();
    if (c === '[' || c === '(') return this.list(c === '[' ? ']' : ')');
    if (c === '"' || c === "'") return this.str();
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.i, this.i + 6));
    if (word) {
      this.i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const num = /^[-+]?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(this.s.slice(this.i, this.i + 64));
    if (num) {
      this.i += num[0].length;
      return Number(num[0].replace(/_/g, ''));
    }
    throw this.fail(`unexpected ${JSON.stringify(c ?? 'end of file')}`);
  }

  private dict(): Record<string, Literal> {
    this.i++;
    const out: Record<string, Literal> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.parse();
      if (typeof key !== 'string') throw this.fail('dict keys must be strings');
      this.ws();
      if (this.s[this.i] !== ':') throw this.fail('expected ":"');
      this.i++;
      out[key] = this.parse();
      this.sep('}');
    }
  }

  private list(close: string): Literal[] {
    this.i++;
    const out: Literal[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.parse());
      this.sep(close);
    }
  }

  private sep(close: string): void {
    this.ws();
    if (this.s[this.i] === ',') this.i++;
    else if (this.s[this.i] !== close) throw this.fail(`expected "," or "${close}"`);
  }

  private str(): string {
    const q = this.s[this.i]!;
    let out = '';
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\') this.i++;
      out += this.s[this.i];
      this.i++;
    }
    this.i++;
    return out;
  }

  /** Whitespace, newlines and comments. */
  private ws(): void {
    for (;;) {
      while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
      if (this.s[this.i] !== '#') return;
      while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
    }
  }

  private fail(why: string): GenAutoMLError {
    const line = this.s.slice(0, this.i).split('\n').length;
    return new GenAutoMLError('model.bad_search_space', `SEARCH_SPACE is not a plain literal (line ${line}: ${why}).`, {
      hint: 'Use only dicts, lists, strings, numbers, True/False/None.',
      details: { line },
    });
  }
}
