/**
 * Non-TypeScript assets (SQL migrations, the Python runner, the model zoo) ship beside the sources,
 * not in dist/. Resolve them from the package root so the same code works from `src` under
 * vitest and from `dist` when built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'genautoml') {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('genautoml package root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Absolute path of an asset given relative to the package root, e.g. `storage/migrations`. */
export function assetPath(relative: string): string {
  return path.join(packageRoot(), relative);
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version as string;
}
