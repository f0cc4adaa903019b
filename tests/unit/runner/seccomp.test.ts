/** The runner's seccomp filter fails closed without python3-seccomp unless the operator opted out. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runnerPythonDir } from '../../../engine/runner/sandbox.js';

function prelude(mode: string, hideModule: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = [
    'import sys',
    hideModule ? "sys.modules['seccomp'] = None" : '',
    `sys.path.insert(0, ${JSON.stringify(runnerPythonDir())})`,
    'from genautoml_runner import prelude',
    `print(prelude.apply_seccomp(${JSON.stringify(mode)}), flush=True)`,
    'import os',
    'try:\n    os.execv("/bin/true", ["true"])\nexcept OSError as e:\n    print("execve", e.errno)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runner seccomp filter', () => {
  it('loads and refuses execve after start', () => {
    const r = prelude('required', false);
    expect(r.stdout).toBe('on\nexecve 1\n');
  });

  it('fails closed when the module is missing', () => {
    const r = prelude('required', true);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/seccomp filter unavailable: ModuleNotFoundError/);
    expect(r.stdout).toBe('');
  });

  it('reports the gap when the operator opted out (GENAUTOML_ALLOW_UNSANDBOXED)', () => {
    const r = prelude('optional', true);
    expect(r.stdout.split('\n')[0]).toMatch(/^off: ModuleNotFoundError/);
  });
});
