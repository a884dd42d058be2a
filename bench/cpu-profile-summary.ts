// Summarizes a V8 .cpuprofile (node --cpu-prof, or scheduler-bench --profile): self time by
// area of the tree (src/store, src/apiserver, src/scheduler, ...), by file, and the hottest
// functions — enough to see where a benchmark's CPU went without opening DevTools.
//   node dist/bench/cpu-profile-summary.js FILE.cpuprofile [--top 30]
import fs from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

const file = process.argv[2];
if (!file) throw new Error('usage: cpu-profile-summary FILE.cpuprofile [--top N]');
const topIdx = process.argv.indexOf('--top');
const TOP = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 30;
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

// Self time per node: the sample deltas attributed to the node each sample landed in.
const selfUs = new Map<number, number>();
const samples = prof.samples ?? [];
const deltas = prof.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
const totalUs = prof.endTime - prof.startTime;

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = /\/(src|bench|test)\/([^/]+)\//.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

const byArea = new Map<string, number>();
const byFile = new Map<string, number>();
const byFn = new Map<string, number>();
for (const n of prof.nodes) {
  const us = selfUs.get(n.id) ?? 0;
  if (!us) continue;
  const { url, functionName, lineNumber } = n.callFrame;
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const f = url.replace(/^.*\/(dist|node_modules)\//, '$1/') || functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
  const key = `${functionName || '(anonymous)'} ${f}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
}

const show = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${samples.length} samples`);
show('self time by area', byArea, 25);
show('self time by file', byFile, TOP);
show('hottest functions (self time)', byFn, TOP);
