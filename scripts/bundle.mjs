// `npm run build`, after tsc: bundles the tskube program (src/cli/tskube.ts) with esbuild
// into dist/bundle — one chunk per set of shared modules, each subcommand its own entry
// chunk — so a component starts by reading a few files instead of resolving and compiling
// hundreds (dist/src/cli/main.js runs it; see the comment there). Packages with native
// parts stay in node_modules.
import { build } from 'esbuild';
import fs from 'node:fs';

fs.rmSync('dist/bundle', { recursive: true, force: true });
await build({
  // cluster-certs-worker: `tskube up`'s certificate thread, loaded by URL beside its caller
  entryPoints: { tskube: 'src/cli/tskube.ts', 'cluster-certs-worker': 'src/admin/up/cluster-certs-worker.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  external: ['lmdb', '@lydell/node-pty'],
  // CommonJS packages inside an ES module bundle still call require()
  banner: { js: "import { createRequire as __tskubeCreateRequire } from 'node:module'; const require = __tskubeCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});

// the flags each component takes, read once here from its --help, so that `tskube up` on a
// fresh data dir need not start five processes to learn them (src/admin/up/tskube-command.ts)
const { componentFlags, INSTALL_FLAGS_CACHE } = await import('../dist/src/admin/up/tskube-command.js');
fs.rmSync(INSTALL_FLAGS_CACHE(), { force: true });
await componentFlags(['etcd', 'apiserver', 'controller-manager', 'scheduler', 'kubelet'], INSTALL_FLAGS_CACHE());
