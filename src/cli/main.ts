#!/usr/bin/env node
// The `tskube` binary. It runs the bundle of the program (dist/bundle/tskube.js, written by
// `npm run build` with esbuild) when that is at least as new as the tsc output: one file per
// shared chunk instead of hundreds of modules, which halves the start of every component and
// saves ~10 MiB of each one's memory (see bench/README.md, up-bench). TSKUBE_NO_BUNDLE=1
// runs the tsc output (dist/src/cli/tskube.js) instead.
import fs from 'node:fs';

const mtime = (u: URL): number => { try { return fs.statSync(u).mtimeMs; } catch { return -1; } };
const bundle = new URL('../../bundle/tskube.js', import.meta.url);
const own = new URL('./tskube.js', import.meta.url);
const useBundle = !process.env.TSKUBE_NO_BUNDLE && mtime(bundle) > 0 && mtime(bundle) >= mtime(own);
await import(useBundle ? bundle.href : './tskube.js');
