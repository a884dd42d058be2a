// Where this tskube install lives (the folder of its package.json, beside proto/ and
// src/api/**/*.json), found upward from the calling module: the same answer from the tsc
// output (dist/src/...) and from the bundle (dist/bundle/...), which sit at other depths.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'tskube') return (root = dir);
    } catch { /* not here */ }
    if (path.dirname(dir) === dir) throw new Error(`the tskube package.json was not found above ${fileURLToPath(import.meta.url)}`);
  }
}

/** True when the module at this URL was loaded from the bundle (dist/bundle), not the tsc output. */
export const inBundle = (moduleUrl: string): boolean => fileURLToPath(moduleUrl).includes(`${path.sep}dist${path.sep}bundle${path.sep}`);
