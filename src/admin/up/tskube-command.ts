// The command line of a tskube component as this very install runs it (node + main.js,
// whether started through npm link, npx or a path), and the flags each component's CLI
// accepts — read from its --help, so manifests only pass flags the component knows.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inBundle, packageRoot } from '../../api/package-root.js';

// from the bundle, the tsc output's dist/src/cli (main.js there picks the bundle again)
const cliDir = inBundle(import.meta.url) ? path.join(packageRoot(), 'dist/src/cli') : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli');

/** [node, /abs/dist/src/cli/main.js]: the argv prefix for any `tskube …` command. */
export function tskubeArgv(): [string, string] {
  return [process.execPath, path.join(cliDir, 'main.js')];
}

export type Component = 'etcd' | 'apiserver' | 'controller-manager' | 'scheduler' | 'kubelet';

/** How a flag takes its value: `--f <v>`, `--f [v]`, or a bare switch `--f`. */
export type FlagKind = 'value' | 'optional' | 'switch';
export type FlagSet = Map<string, FlagKind>;

/** Long flag names (without dashes) listed in `tskube COMPONENT --help`, with their kinds. */
export function parseHelpFlags(help: string): FlagSet {
  return new Map([...help.matchAll(/^\s+(?:-[A-Za-z], )?--([a-z0-9][a-z0-9-]*)( <| \[)?/gm)]
    .map((m): [string, FlagKind] => [m[1], m[2] === ' <' ? 'value' : m[2] === ' [' ? 'optional' : 'switch']));
}

const run = promisify(execFile);

/** The flags cache `npm run build` writes (scripts/bundle.mjs), keyed like any other. */
export const INSTALL_FLAGS_CACHE = (): string => path.join(packageRoot(), 'dist', 'component-flags.json');

/** Flags per component, cached in cacheFile keyed by the CLI file's mtime (so a rebuild is seen). */
export async function componentFlags(components: Component[], cacheFile?: string): Promise<Map<Component, FlagSet>> {
  type Cache = Record<string, { mtime: number; flags: [string, FlagKind][] }>;
  const read = (file?: string): Cache => {
    try {
      return file ? JSON.parse(fs.readFileSync(file, 'utf8')) as Cache : {};
    } catch {
      return {}; // none yet
    }
  };
  // `npm run build` primes the install's own cache, so a fresh data dir spawns no --help
  const cache: Cache = { ...read(INSTALL_FLAGS_CACHE()), ...read(cacheFile) };
  const [node, main] = tskubeArgv();
  const out = new Map<Component, FlagSet>();
  let changed = false;
  await Promise.all(components.map(async (c) => {
    const file = path.join(cliDir, `${c}.js`);
    const mtime = fs.existsSync(file) ? fs.statSync(file).mtimeMs : -1;
    if (cache[c]?.mtime === mtime && Array.isArray(cache[c].flags[0])) {
      out.set(c, new Map(cache[c].flags));
      return;
    }
    let help = '';
    try {
      help = (await run(node, [main, c, '--help'], { timeout: 120_000 })).stdout; // a loaded machine starts node slowly
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      help = e.stdout ?? '';
      if (!help) throw new Error(`this tskube install has no working \`tskube ${c}\` command: ${(e.stderr || e.message).trim().split('\n')[0]}`);
    }
    const flags = parseHelpFlags(help);
    if (flags.size === 0 || !new RegExp(`^Usage: tskube ${c} `, 'm').test(help)) throw new Error(`this tskube install has no \`tskube ${c}\` command yet`);
    out.set(c, flags);
    cache[c] = { mtime, flags: [...flags] };
    changed = true;
  }));
  if (cacheFile && changed) {
    try {
      fs.writeFileSync(cacheFile, JSON.stringify(cache));
    } catch { /* a cache only */ }
  }
  return out;
}
