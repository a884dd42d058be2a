// The repository root, found from this compiled file's place (dist/test/store/harness/).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(process.cwd());
}

export const repoRoot = findRoot();
/** The compiled tskube entry point. */
export const tskubeMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
