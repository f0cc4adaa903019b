/** What this host can run: Python with PyTorch (and its device) and bubblewrap. Probed, never assumed. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Environment } from './app.js';
import type { Config } from './config.js';
import { packageVersion } from './paths.js';

const run = promisify(execFile);

export function defaultPython(config: Pick<Config, 'python'>): string {
  if (config.python) return config.python;
  // Debian's python3-torch installs into the system interpreter, not into pyenv or venvs.
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const PROBE = `
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import torch
    out["torch"] = torch.__version__
    out["cuda"] = bool(torch.cuda.is_available())
    out["device"] = torch.cuda.get_device_name(0) if out["cuda"] else "cpu"
except Exception as e:
    out["torch"] = None
    out["error"] = str(e)
print(json.dumps(out))
`;

export async function probeEnvironment(config: Pick<Config, 'python' | 'allowUnsandboxed'>): Promise<Environment> {
  const python = defaultPython(config);
  let info: { python?: string; torch?: string | null; cuda?: boolean; device?: string } = {};
  try {
    const { stdout } = await run(python, ['-c', PROBE], { timeout: 60_000 });
    info = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  } catch {
    info = {};
  }
  const bwrap = findExecutable('bwrap') !== null;
  return {
    node: process.version,
    genautoml: packageVersion(),
    python: info.python ?? null,
    torch: info.torch ?? null,
    device: info.device ?? null,
    cuda: info.cuda ?? false,
    bwrap,
    sandbox: bwrap ? 'bwrap' : config.allowUnsandboxed ? 'none (operator opt-out)' : 'unavailable',
  };
}
