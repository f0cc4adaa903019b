/** Process trees from /proc, for tests that kill a worker or its runner. */
import fs from 'node:fs';

/** Direct children of a process. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const list = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (list) out.push(...list.split(/\s+/).map(Number));
  }
  return out;
}

/** Every descendant of a process. */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    let kids: number[] = [];
    try {
      kids = childPids(p);
    } catch {
      // exited meanwhile
    }
    out.push(...kids);
    stack.push(...kids);
  }
  return out;
}

/** Running (a zombie waiting for its reaper has stopped). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The command name of a process (`python3`, `bwrap`, `node`). */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
