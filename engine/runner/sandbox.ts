/**
 * OS isolation of the runner process (second sandbox layer, see DESIGN "Untrusted code").
 *
 * bubblewrap gives the process new user, PID, network, IPC, UTS and cgroup namespaces (no
 * network at all), a root made of read-only binds of the system and Python directories only
 * (no /home, /root, /work, secrets), the dataset read-only, one writable scratch directory, a
 * private /tmp and /dev, and dies with its parent. rlimits (address space, CPU time, processes,
 * file size) are set inside by the Python prelude before torch or model code loads. When the
 * server runs as root, the process runs as `nobody`: the kernel does not enforce RLIMIT_NPROC for
 * root, so a fork bomb would otherwise only meet the wall clock.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** engine/runner/python: the directory that holds the genautoml_runner package. */
export function runnerPythonDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Compiled code lives in dist/engine/runner; the Python sources stay in the source tree.
  const candidates = [path.join(here, 'python'), path.resolve(here, '../../../engine/runner/python')];
  for (const c of candidates) if (existsSync(path.join(c, 'genautoml_runner', '__main__.py'))) return c;
  return candidates[0]!;
}

export const NOBODY = 65534;

/** Size of the sandbox's private /tmp (a tmpfs, i.e. host memory). */
export const TMP_BYTES = 256 * 1024 * 1024;

export interface Limits {
  /** RLIMIT_AS in MiB; omitted on CUDA, whose driver reserves huge virtual ranges. */
  asMb?: number;
  cpuS: number;
  nproc: number;
  fsizeMb: number;
}

export interface PythonLayout {
  /** The real interpreter (sys.executable), which is what runs inside the sandbox. */
  executable: string;
  /** Directories the interpreter and its packages live in, bound read-only. */
  dirs: string[];
  version: string;
}

/** Asks the (trusted) interpreter where it lives; runs no model code. */
export async function probePythonLayout(python: string): Promise<PythonLayout> {
  const script =
    'import json,sys,site\n' +
    'paths=[sys.prefix,sys.base_prefix,sys.exec_prefix,sys.executable]+[p for p in sys.path if p]\n' +
    'try:\n paths+=site.getsitepackages()+[site.getusersitepackages()]\nexcept Exception:\n pass\n' +
    'print(json.dumps({"executable":sys.executable,"paths":paths,"version":sys.version.split()[0]}))';
  const { stdout } = await execFileAsync(python, ['-I', '-c', script], { timeout: 30_000, maxBuffer: 1 << 20, env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
  const parsed = JSON.parse(stdout) as { executable: string; paths: string[]; version: string };
  const dirs = new Set<string>();
  for (const p of [...parsed.paths, path.dirname(parsed.executable)]) {
    if (!path.isAbsolute(p) || !existsSync(p)) continue;
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      continue;
    }
    const dir = statSync(real).isDirectory() ? real : path.dirname(real);
    // /usr is bound whole; the interpreter's own tree (venv, conda, pyenv) is bound on top.
    if (dir === '/' || dir === '/usr' || dir.startsWith('/usr/') || dir === '/tmp' || dir.startsWith('/proc')) continue;
    dirs.add(prefixRoot(dir));
  }
  return { executable: parsed.executable, dirs: [...dirs].sort(), version: parsed.version };
}

// Bind a venv or conda root rather than each lib/site-packages below it.
function prefixRoot(dir: string): string {
  const m = /^(.*?)\/(lib|lib64|bin)(\/|$)/.exec(dir);
  return m && m[1] ? m[1] : dir;
}

export async function findBwrap(explicit?: string | null): Promise<string | null> {
  if (explicit === null) return null;
  const candidates = explicit ? [explicit] : ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];
  for (const c of candidates) if (existsSync(c)) return c;
  return null;
}

/** bwrap exists and can create namespaces here (user namespaces may be disabled). */
export async function bwrapWorks(bwrap: string, asNobody: boolean): Promise<{ ok: boolean; error?: string }> {
  try {
    const args = [...systemBinds(), '--unshare-all', '--die-with-parent', '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'];
    await execFileAsync(bwrap, args, { timeout: 15_000, ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}), env: { PATH: '/usr/bin:/bin' } });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 500) : String(e) };
  }
}

const ETC_FILES = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/localtime',
  '/etc/nsswitch.conf',
  '/etc/python3',
  '/etc/ssl/certs',
];

/** Read-only system directories: /usr and its merged-/usr symlinks, and the few /etc files needed. */
export function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(top)) continue;
    try {
      const real = realpathSync(top);
      if (real !== top) args.push('--symlink', path.relative('/', real), top);
      else args.push('--ro-bind', top, top);
    } catch {
      continue;
    }
  }
  for (const p of ETC_FILES) {
    if (existsSync(p)) args.push('--ro-bind', p, p);
  }
  for (const ver of safeList('/etc').filter((n) => /^python3\.\d+$/.test(n))) args.push('--ro-bind', `/etc/${ver}`, `/etc/${ver}`);
  return args;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function gpuBinds(): string[] {
  const args: string[] = [];
  const devs = safeList('/dev').filter((n) => n.startsWith('nvidia'));
  for (const d of devs) args.push('--dev-bind', `/dev/${d}`, `/dev/${d}`);
  if (safeList('/dev/dri').length > 0) args.push('--dev-bind', '/dev/dri', '/dev/dri');
  // The CUDA driver reads PCI topology from /sys.
  if (devs.length > 0) args.push('--ro-bind', '/sys', '/sys');
  return args;
}

export function hasNvidiaDevice(): boolean {
  return existsSync('/dev/nvidiactl');
}

export interface CommandPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  sandboxed: boolean;
}

export interface PlanInput {
  layout: PythonLayout;
  /** null: run without bwrap (only when the operator allowed it). */
  bwrap: string | null;
  scratch: string;
  readOnly: string[];
  limits: Limits;
  gpu: boolean;
  asNobody: boolean;
  threads: number;
  extraEnv?: Record<string, string>;
  /** "required" (default): the runner refuses to start without its seccomp filter; "optional": the operator's opt-out. */
  seccomp?: 'required' | 'optional';
}

export function planCommand(p: PlanInput): CommandPlan {
  const pyDir = runnerPythonDir();
  const limits = JSON.stringify({ as_mb: p.limits.asMb, cpu_s: p.limits.cpuS, nproc: p.limits.nproc, fsize_mb: p.limits.fsizeMb });
  // -I (isolated): no PYTHON* variables, no user site, and neither the working directory (the
  // writable scratch) nor a script directory on sys.path, so a model cannot plant `torch.py` for a
  // later process. The package directory is put on sys.path explicitly instead.
  const boot = `import sys; sys.path.insert(0, ${JSON.stringify(pyDir)}); sys.argv = ["genautoml_runner"] + sys.argv[1:]; import runpy; runpy.run_module("genautoml_runner", run_name="__main__", alter_sys=True)`;
  const runnerArgs = ['-I', '-c', boot, '--limits', limits, '--seccomp', p.seccomp ?? 'required'];
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: p.bwrap ? '/tmp' : p.scratch,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
    OMP_NUM_THREADS: String(p.threads),
    MKL_NUM_THREADS: String(p.threads),
    OPENBLAS_NUM_THREADS: String(p.threads),
    // Idle OpenMP threads sleep instead of spinning on a core another trial needs (threads.ts).
    OMP_WAIT_POLICY: 'PASSIVE',
    // Deterministic cuBLAS (the runner seeds everything else).
    CUBLAS_WORKSPACE_CONFIG: ':4096:8',
    TMPDIR: p.bwrap ? '/tmp' : p.scratch,
    ...p.extraEnv,
  };
  if (!p.bwrap) {
    return { command: p.layout.executable, args: runnerArgs, env, cwd: p.scratch, sandboxed: false };
  }
  // Mount order matters: the private /tmp first, then binds that may live below it.
  // The private /tmp is host RAM: capped.
  const args: string[] = [...systemBinds(), '--proc', '/proc', '--dev', '/dev', '--size', String(TMP_BYTES), '--tmpfs', '/tmp'];
  for (const d of p.layout.dirs) args.push('--ro-bind', d, d);
  args.push('--ro-bind', pyDir, pyDir);
  for (const d of p.readOnly) args.push('--ro-bind', d, d);
  args.push('--bind', p.scratch, p.scratch);
  if (p.gpu) args.push(...gpuBinds());
  // The sandbox's own root is a tmpfs; after the last mount point is made, make it read-only so
  // only the scratch directory and the private /tmp take writes.
  args.push('--remount-ro', '/');
  args.push('--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--hostname', 'genautoml-runner');
  args.push('--chdir', p.scratch, '--', p.layout.executable, ...runnerArgs);
  return {
    command: p.bwrap,
    args,
    env,
    cwd: '/',
    sandboxed: true,
    ...(p.asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  };
}
