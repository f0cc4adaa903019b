/**
 * Files across the sandbox boundary. Inputs go in read-only; outputs come out only as regular
 * files the host expected, under names the host chose, size-capped, into a directory the host
 * owns. Nothing the sandbox leaves behind is followed: a symlink, FIFO, device, directory or a
 * hard link (st_nlink > 1) where an output should be is refused with `runner.bad_output`, and
 * then nothing of that call is stored.
 */
import { closeSync, constants as fsc, existsSync, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { chmod, chown, copyFile, link, lstat, mkdir, mkdtemp, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { GenAutoMLError } from '../errors.js';
import { rethrowOsError } from '../ops/os-errors.js';
import { NOBODY } from './sandbox.js';

/** An output the host expects from a sandboxed call: a plain base name and a byte cap. */
export interface ExpectedOutput {
  name: string;
  maxBytes: number;
  /** Missing is fine (e.g. an ONNX file when the export failed); default: required. */
  optional?: boolean;
  /** Exact size the file must have (prediction tensors of a known shape). */
  exactBytes?: number;
  /** Checks the copied bytes (at a host path) before anything is placed; throws to refuse. */
  verify?: (file: string) => Promise<void>;
}

/**
 * A host file (placed as `<index>-<basename>`), a host file under an exact name (a directory the
 * sandbox reads as a whole, e.g. an export), or bytes the host made.
 */
export type StagedInput = string | { name: string; from: string } | { name: string; bytes: Buffer };

export interface StagedInputs {
  /** Where each input appears inside the sandbox, in the order given. */
  paths: string[];
  /** Directories to bind read-only. */
  readOnly: string[];
  cleanup: () => Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function badOutput(name: string, why: string): GenAutoMLError {
  return new GenAutoMLError('runner.bad_output', `the sandbox's output ${name} was refused: ${why}`, {
    hint: 'Model code wrote something other than a plain file where the runner expects its output; nothing of this run was stored.',
    details: { name, why },
  });
}

export class Staging {
  constructor(
    private readonly scratchRoot: string,
    private readonly asNobody: boolean,
  ) {}

  async ensureRoot(): Promise<void> {
    await mkdir(this.scratchRoot, { recursive: true, mode: 0o711 });
  }

  /** A fresh directory the sandbox may write (owned by nobody when it runs as nobody). */
  async scratch(prefix: string): Promise<string> {
    try {
      await this.ensureRoot();
      const dir = await mkdtemp(path.join(this.scratchRoot, prefix));
      if (this.asNobody) await chown(dir, NOBODY, NOBODY);
      return dir;
    } catch (e) {
      rethrowOsError(e, 'make the runner’s scratch directory', this.scratchRoot);
    }
  }

  /**
   * An empty root-owned directory for inputs, world-readable: bound read-only into a sandbox that
   * may be started before the inputs are known (a warm trial process), and filled by inputs().
   */
  async inputDir(): Promise<string> {
    try {
      await this.ensureRoot();
      const dir = await mkdtemp(path.join(this.scratchRoot, 'in-'));
      await chmod(dir, 0o755);
      return dir;
    } catch (e) {
      rethrowOsError(e, 'stage the runner’s inputs', this.scratchRoot);
    }
  }

  /**
   * Input files as the sandbox sees them: hard-linked (copied when the link is impossible or the
   * file is not world-readable) into a fresh root-owned directory, so only those files are bound,
   * never their neighbours. `contents` entries are written by the host (e.g. a data file cut at
   * the end of the validation split). `into`: an empty inputDir() to fill (default: a new one).
   */
  async inputs(files: StagedInput[], into?: string): Promise<StagedInputs> {
    const dir = into ?? (await this.inputDir());
    const paths: string[] = [];
    try {
      for (const [i, f] of files.entries()) {
        if (typeof f !== 'string' && 'bytes' in f) {
          const dest = path.join(dir, `${i}-${f.name}`);
          const fh = await open(dest, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
          try {
            await fh.writeFile(f.bytes);
          } finally {
            await fh.close();
          }
          paths.push(dest);
          continue;
        }
        const abs = path.resolve(typeof f === 'string' ? f : f.from);
        if (!existsSync(abs)) throw new GenAutoMLError('runner.bad_request', `input file ${abs} does not exist`);
        if (typeof f !== 'string' && !NAME.test(f.name)) throw new GenAutoMLError('runner.failed', `internal: input name ${f.name} is not a plain file name`);
        const dest = path.join(dir, typeof f === 'string' ? `${i}-${path.basename(abs)}` : f.name);
        const readable = ((await stat(abs)).mode & 0o004) !== 0;
        let linked = false;
        if (readable) {
          try {
            await link(abs, dest);
            linked = true;
          } catch {
            // other file system: copy below
          }
        }
        if (!linked) {
          await copyFile(abs, dest, fsc.COPYFILE_EXCL);
          await chmod(dest, 0o644);
        }
        paths.push(dest);
      }
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      rethrowOsError(e, 'stage the runner’s inputs', this.scratchRoot);
    }
    return { paths, readOnly: [dir], cleanup: () => rm(dir, { recursive: true, force: true }) };
  }

  /** Reads one expected output into memory (small files: predictions, JSON records). */
  async read(dir: string, out: ExpectedOutput): Promise<Buffer | null> {
    if (out.maxBytes <= SYNC_READ_MAX) return readSmall(dir, out);
    const chunks: Buffer[] = [];
    const got = await this.openChecked(dir, out);
    if (!got) return null;
    try {
      await drain(got.fh, out, (b) => {
        chunks.push(Buffer.from(b));
      });
    } finally {
      await got.fh.close();
    }
    return Buffer.concat(chunks);
  }

  /**
   * Copies the expected outputs from the sandbox's directory into `dest` (created, host-owned).
   * Every file is checked before any is placed: a refusal leaves `dest` without any of them.
   * Returns the names copied with their sizes.
   */
  async copyOut(dir: string, expected: ExpectedOutput[], dest: string): Promise<Array<{ name: string; bytes: number }>> {
    await mkdir(dest, { recursive: true }).catch((e: unknown) => rethrowOsError(e, 'copy the runner’s output', dest));
    const placed: Array<{ name: string; bytes: number; tmp: string }> = [];
    try {
      for (const out of expected) {
        const got = await this.openChecked(dir, out);
        if (!got) continue;
        const tmp = path.join(dest, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}-${out.name}`);
        const w = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
        let bytes = 0;
        try {
          bytes = await drain(got.fh, out, async (b) => {
            await w.write(b);
          });
        } finally {
          await got.fh.close();
          await w.close();
          placed.push({ name: out.name, bytes, tmp });
        }
      }
      for (const p of placed) await expected.find((e) => e.name === p.name)?.verify?.(p.tmp);
      for (const p of placed) await rename(p.tmp, path.join(dest, p.name));
      return placed.map(({ name, bytes }) => ({ name, bytes }));
    } catch (e) {
      for (const p of placed) await unlink(p.tmp).catch(() => undefined);
      rethrowOsError(e, 'copy the runner’s output', dest);
    }
  }

  private async openChecked(dir: string, out: ExpectedOutput): Promise<{ fh: Awaited<ReturnType<typeof open>> } | null> {
    const p = outputPath(dir, out);
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      return missing(e, out);
    }
    refuseBeforeOpen(st, out);
    let fh;
    try {
      fh = await open(p, OPEN_FLAGS);
    } catch (e) {
      throw cannotOpen(e, out);
    }
    const why = refusalAfterOpen(st, await fh.stat(), out);
    if (why) {
      await fh.close();
      throw badOutput(out.name, why);
    }
    return { fh };
  }
}

// O_NOFOLLOW: a link swapped in after the lstat fails on open; O_NONBLOCK: a FIFO swapped in
// cannot block the host on open.
const OPEN_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;

/**
 * Outputs this small (validate's probe: 3 x H x C floats) are read with synchronous calls: the
 * five checked steps cost microseconds on the scratch file system, where each asynchronous one
 * is a round trip through libuv's thread pool, and validate answers are waited on by a person.
 */
const SYNC_READ_MAX = 256 * 1024;

function outputPath(dir: string, out: ExpectedOutput): string {
  if (!NAME.test(out.name)) throw new GenAutoMLError('runner.failed', `internal: output name ${out.name} is not a plain file name`);
  return path.join(dir, out.name);
}

function missing(e: unknown, out: ExpectedOutput): null {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  if (out.optional) return null;
  throw badOutput(out.name, 'missing');
}

function cannotOpen(e: unknown, out: ExpectedOutput): GenAutoMLError {
  return badOutput(out.name, `cannot be opened without following links (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
}

function refuseBeforeOpen(st: Stats, out: ExpectedOutput): void {
  if (st.isSymbolicLink()) throw badOutput(out.name, 'it is a symbolic link');
  if (!st.isFile()) throw badOutput(out.name, 'it is not a regular file (directory, FIFO, socket or device)');
}

/** Why the opened file is refused (the name's lstat before, the descriptor's fstat after), or null. */
function refusalAfterOpen(st: Stats, fst: Stats, out: ExpectedOutput): string | null {
  if (!fst.isFile()) return 'it is not a regular file';
  if (fst.nlink !== 1) return `it has ${fst.nlink} hard links (a link to another file?)`;
  if (fst.ino !== st.ino || fst.dev !== st.dev) return 'it was replaced while being opened';
  if (fst.size > out.maxBytes) return `it is ${fst.size} bytes, over the ${out.maxBytes}-byte cap`;
  if (out.exactBytes !== undefined && fst.size !== out.exactBytes) return `it is ${fst.size} bytes; ${out.exactBytes} were expected`;
  return null;
}

/** Staging.read for a small output: the same checks as openChecked + drain, synchronously. */
function readSmall(dir: string, out: ExpectedOutput): Buffer | null {
  const p = outputPath(dir, out);
  let st: Stats;
  try {
    st = lstatSync(p);
  } catch (e) {
    return missing(e, out);
  }
  refuseBeforeOpen(st, out);
  let fd: number;
  try {
    fd = openSync(p, OPEN_FLAGS);
  } catch (e) {
    throw cannotOpen(e, out);
  }
  try {
    const why = refusalAfterOpen(st, fstatSync(fd), out);
    if (why) throw badOutput(out.name, why);
    // One byte of room past the cap: a file that grew since the fstat is caught, as in drain.
    const buf = Buffer.allocUnsafe(out.maxBytes + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, total);
      if (n === 0) break;
      total += n;
      if (total > out.maxBytes) throw badOutput(out.name, `it grew over the ${out.maxBytes}-byte cap while being copied`);
    }
    if (out.exactBytes !== undefined && total !== out.exactBytes) throw badOutput(out.name, `it is ${total} bytes; ${out.exactBytes} were expected`);
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** Reads a checked file to its end, enforcing the caps again (the file may grow meanwhile). */
async function drain(fh: Awaited<ReturnType<typeof open>>, out: ExpectedOutput, sink: (b: Buffer) => void | Promise<void>): Promise<number> {
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > out.maxBytes) throw badOutput(out.name, `it grew over the ${out.maxBytes}-byte cap while being copied`);
    await sink(buf.subarray(0, bytesRead));
  }
  if (out.exactBytes !== undefined && total !== out.exactBytes) throw badOutput(out.name, `it is ${total} bytes; ${out.exactBytes} were expected`);
  return total;
}

/**
 * The scratch directory is a host directory: RLIMIT_FSIZE caps each file, and this caps the
 * total, checked every two seconds while the process lives (the process is killed past it).
 */
export function watchScratch(proc: { kill(reason: 'file_limit', why: string): void; waitExit(): Promise<void> }, dir: string, capBytes: number): void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void treeBytes(dir, 20_000)
      .then((n) => {
        if (n > capBytes) proc.kill('file_limit', `the scratch directory holds over ${capBytes} bytes; the runner was killed`);
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 2000);
  timer.unref?.();
  void proc.waitExit().then(() => clearInterval(timer));
}

/** Bytes under `dir` (lstat, never following links), at most `maxEntries` entries looked at. */
async function treeBytes(dir: string, maxEntries: number): Promise<number> {
  let total = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0 && seen < maxEntries) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (++seen > maxEntries) return Infinity; // a directory of tens of thousands of files is itself abuse
      const p = path.join(d, n);
      const st = await lstat(p).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) stack.push(p);
      else total += st.blocks * 512;
    }
  }
  return total;
}
