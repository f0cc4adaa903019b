/**
 * A small tmpfs of the test's own, to meet a full disk for real (ENOSPC from the kernel, not a
 * mock). Mounting needs root (or CAP_SYS_ADMIN); where it is impossible `tmpfsUnavailable` says
 * why and the tests that need one are skipped with that reason.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills every free byte (the next write fails with ENOSPC). */
  fill(): void;
  /** Frees what fill() took. */
  free(): void;
  dispose(): void;
}

const FILLER = '.filler';

function probe(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (or CAP_SYS_ADMIN), and these tests do not run as root';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t tmpfs failed here${stderr ? `: ${stderr}` : ''} (a container without CAP_SYS_ADMIN?)`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Why no tmpfs can be mounted here, or null when one can. */
export const tmpfsUnavailable: string | null = probe();

export function mountSmallDisk(sizeKb: number): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genautoml-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=1777`, 'tmpfs', dir], { stdio: 'pipe' });
  const filler = path.join(dir, FILLER);
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      // A partial chunk may leave a few bytes: fill them one at a time.
      const fd2 = fs.openSync(filler, 'a');
      try {
        for (;;) fs.writeSync(fd2, Buffer.alloc(1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd2);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    dispose() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } catch {
        // not mounted any more
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
