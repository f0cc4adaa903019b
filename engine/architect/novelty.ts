/**
 * The novelty check of architect rounds: a proposal whose normalised AST matches a model already
 * tried is turned away. Fingerprints come from a small trusted Python helper that only parses the
 * code (python/ast_hash.py, no execution, CPU and memory capped); a source it cannot parse falls back to a
 * hash of its whitespace-normalised text, so the check never lets an unparsable duplicate through.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { GenAutoMLError } from '../errors.js';
import { assetPath } from '../paths.js';

const TIMEOUT_MS = 30_000;

function textHash(code: string): string {
  const stripped = code
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '')
    .join('\n');
  return `text:${createHash('sha256').update(stripped).digest('hex')}`;
}

/** One fingerprint per source, in order. */
export async function fingerprints(sources: readonly string[], python: string): Promise<string[]> {
  if (sources.length === 0) return [];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(python, ['-I', assetPath('engine/architect/python/ast_hash.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new GenAutoMLError('architect.novelty_failed', `The novelty check could not start ${python}: ${err.message}`, { hint: 'Set GENAUTOML_PYTHON to a Python 3 interpreter.', cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new GenAutoMLError('architect.novelty_failed', `The novelty check exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`, { hint: 'Check the Python interpreter (GENAUTOML_PYTHON).' }));
    });
    child.stdin.end(JSON.stringify(sources));
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch (err) {
    throw new GenAutoMLError('architect.novelty_failed', 'The novelty check returned no JSON.', { hint: 'This is a bug in ast_hash.py.', cause: err });
  }
  if (!Array.isArray(parsed) || parsed.length !== sources.length) throw new GenAutoMLError('architect.novelty_failed', 'The novelty check returned the wrong number of fingerprints.', { hint: 'This is a bug in ast_hash.py.' });
  return parsed.map((h, i) => (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h) ? `ast:${h}` : textHash(sources[i] ?? '')));
}
