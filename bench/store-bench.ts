// Store benchmark: the real etcd and tskube etcd, both durable on disk, driven by the same
// etcd3 client and measured in alternation (every phase, in slices). Prints put/range throughput and p50/p99 at 1,
// 16 and 128 requests in flight (256-byte values), watch delivery latency (put → event),
// and RSS + disk after loading many keys, then the tskube/etcd ratios.
//
//   npm run bench:store -- [--keys 1000000] [--ops 4000] [--watch-ops 500]
//                          [--targets etcd,tskube] [--value-size 256]
//                          [--profile DIR] [--tskube-main PATH] [--phases throughput,watch,load]
//                          [--baseline PATH]  (another tskube build as a third column, for A/B)
//                          [--node-args=--max-semi-space-size=1]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { StoreProcess, type TargetName } from '../test/store/harness/store-process.js';
import { unavailableReason } from '../test/store/harness/targets.js';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    ops: { type: 'string', default: '4000' },
    'watch-ops': { type: 'string', default: '500' },
    targets: { type: 'string', default: 'etcd,tskube' },
    'value-size': { type: 'string', default: '256' },
    // a V8 CPU profile of tskube etcd (written when it stops), for bench/cpu-profile-summary.ts
    profile: { type: 'string' },
    // another build of tskube (its dist/src/cli/main.js), to compare builds in one run
    'tskube-main': { type: 'string' },
    // a second tskube build (its dist/src/cli/main.js) measured in the same run, column "base"
    baseline: { type: 'string' },
    // V8/node flags for tskube etcd (not the baseline), space-separated (e.g. a young-generation size)
    'node-args': { type: 'string' },
    phases: { type: 'string', default: 'throughput,watch,load' },
    // keys per load request: above 1 each request is a Txn of that many puts (etcd allows 128)
    'load-batch': { type: 'string', default: '1' },
  },
});
const KEYS = Number(flags.keys);
const OPS = Number(flags.ops);
const WATCH_OPS = Number(flags['watch-ops']);
const LOAD_BATCH = Number(flags['load-batch']);
const VALUE = Buffer.alloc(Number(flags['value-size']), 'v');
const CONCURRENCY = [1, 16, 128];
const phases = new Set(flags.phases.split(','));
/** a column: a target, or "base" (a second tskube build) */
type Column = TargetName | 'base';
const targets: Column[] = [...(flags.targets.split(',').map((t) => t.trim()) as TargetName[]), ...(flags.baseline ? ['base' as const] : [])];

type Row = Map<string, string>; // column → formatted figure
const table = new Map<string, Row>();
const raw = new Map<string, Map<Column, number>>(); // for ratios (higher-is-better flag in name)

function record(metric: string, target: Column, value: number, fmt: (v: number) => string): void {
  if (!table.has(metric)) table.set(metric, new Map());
  table.get(metric)!.set(target, fmt(value));
  if (!raw.has(metric)) raw.set(metric, new Map());
  raw.get(metric)!.set(target, value);
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;
const perSec = (v: number): string => `${Math.round(v).toLocaleString('en')} /s`;
const mib = (v: number): string => `${(v / 1048576).toFixed(1)} MiB`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `total` calls of `op` with `inflight` outstanding; returns ops/s and sorted latencies. */
async function drive(total: number, inflight: number, op: (i: number) => Promise<unknown>): Promise<{ rate: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await op(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { rate: total / secs, lat: lat.sort((a, b) => a - b) };
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function diskBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** CPU seconds (user + system, all threads) a process has used so far */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const usPerOp = (v: number): string => `${Math.round(v)} µs`;

/** one throughput point: `OPS` puts, then `OPS` ranges of those keys, with `c` in flight */
async function throughputPoint(store: StoreProcess, target: Column, round: string, c: number): Promise<void> {
  const client = store.client();
  let cpu = cpuSeconds(store.pid!);
  const put = await drive(OPS, c, (i) => client.kv.put({ key: Buffer.from(`bench/${round}/${c}/${i}`), value: VALUE }));
  record(`put ops @${c}`, target, put.rate, perSec);
  record(`put p50 @${c}`, target, percentile(put.lat, 50), ms);
  record(`put p99 @${c}`, target, percentile(put.lat, 99), ms);
  // server CPU per request: less sensitive than rates to other load on a shared machine
  record(`put server CPU/op @${c}`, target, ((cpuSeconds(store.pid!) - cpu) * 1e6) / OPS, usPerOp);
  cpu = cpuSeconds(store.pid!);
  const get = await drive(OPS, c, (i) => client.kv.range({ key: Buffer.from(`bench/${round}/${c}/${i}`) }));
  record(`range ops @${c}`, target, get.rate, perSec);
  record(`range p50 @${c}`, target, percentile(get.lat, 50), ms);
  record(`range p99 @${c}`, target, percentile(get.lat, 99), ms);
  record(`range server CPU/op @${c}`, target, ((cpuSeconds(store.pid!) - cpu) * 1e6) / OPS, usPerOp);
}

/** slices of a phase, run in turn on each target so that drift on the machine hits both */
const SLICES = 5;

const watchLat = new Map<Column, number[]>();

/** `n` sequential puts, each timed from sending it to receiving its watch event */
async function watchSlice(store: StoreProcess, target: Column, slice: number, n: number): Promise<void> {
  const client = store.client();
  const watcher = await client.watch().prefix(`benchw/${slice}/`).create();
  const sent = new Map<string, number>();
  const lat = watchLat.get(target) ?? [];
  watchLat.set(target, lat);
  let waiting: (() => void) | undefined;
  watcher.on('put', (kv) => {
    const s = sent.get(kv.key.toString());
    if (s !== undefined) lat.push(performance.now() - s);
    waiting?.();
  });
  for (let i = 0; i < n; i++) {
    const key = `benchw/${slice}/${i}`;
    const got = new Promise<void>((r) => (waiting = r));
    sent.set(key, performance.now());
    await client.kv.put({ key: Buffer.from(key), value: VALUE });
    await got;
  }
  await watcher.cancel();
}

function recordWatch(target: Column): void {
  const lat = (watchLat.get(target) ?? []).sort((a, b) => a - b);
  record('watch p50 (put→event)', target, percentile(lat, 50), ms);
  record('watch p99 (put→event)', target, percentile(lat, 99), ms);
}

const loadTime = new Map<Column, number>();

/** puts keys [from, to) with 128 in flight; the time adds up per target */
async function loadSlice(store: StoreProcess, target: Column, from: number, to: number): Promise<void> {
  const client = store.client();
  const t0 = performance.now();
  const key = (i: number) => Buffer.from(`bulk/${String(i).padStart(8, '0')}`);
  if (LOAD_BATCH <= 1) {
    await drive(to - from, 128, (i) => client.kv.put({ key: key(from + i), value: VALUE }));
  } else {
    // one Txn of LOAD_BATCH puts per request, 16 in flight
    await drive(Math.ceil((to - from) / LOAD_BATCH), 16, (b) => {
      const first = from + b * LOAD_BATCH;
      const last = Math.min(to, first + LOAD_BATCH);
      const success = Array.from({ length: last - first }, (_, j) => ({ request_put: { key: key(first + j), value: VALUE } }));
      return client.kv.txn({ compare: [], success, failure: [] });
    });
  }
  loadTime.set(target, (loadTime.get(target) ?? 0) + (performance.now() - t0) / 1000);
}

async function recordLoad(store: StoreProcess, target: Column): Promise<void> {
  const client = store.client();
  const secs = loadTime.get(target)!;
  record(`load ${KEYS} keys${LOAD_BATCH > 1 ? ` (Txn of ${LOAD_BATCH} puts)` : ''}`, target, secs, (v) => `${v.toFixed(1)} s`);
  record(`load rate`, target, KEYS / secs, perSec);
  const count = await client.kv.range({ key: Buffer.from('bulk/'), range_end: Buffer.from('bulk0'), count_only: true });
  if (Number(count.count) !== KEYS) throw new Error(`${target}: expected ${KEYS} keys, found ${count.count}`);
  record(`RSS after load`, target, rssBytes(store.pid!), mib);
  // at rest: both runtimes hand memory back some time after a burst (Go's scavenger, our idle GC)
  await new Promise((r) => setTimeout(r, 5000));
  record(`RSS 5 s after load`, target, rssBytes(store.pid!), mib);
  record(`disk after load`, target, diskBytes(store.dataDir), mib);
}

const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const stores = new Map<Column, StoreProcess>();
  try {
    for (const t of targets) {
      const target = t === 'base' ? 'tskube' : t;
      const why = unavailableReason(target);
      if (why) throw new Error(`${t}: ${why}`);
      stores.set(
        t,
        await StoreProcess.start(target, {
          // the "tskube" column only: `--baseline` at this same build A/Bs the flags
          nodeArgs:
            t === 'base'
              ? []
              : [...(flags['node-args']?.split(' ').filter(Boolean) ?? []), ...(flags.profile ? ['--cpu-prof', '--cpu-prof-dir', flags.profile] : [])],
          tskubeMain: t === 'base' ? flags.baseline : flags['tskube-main'],
        }),
      );
    }
    // alternate targets point by point so slow drift on the machine hits all alike
    for (const round of phases.has('throughput') ? ['warm', 'a', 'b'] : []) {
      console.error(`# throughput round ${round}`);
      for (const c of CONCURRENCY) for (const [t, s] of stores) await throughputPoint(s, t, round, c);
    }
    for (let slice = 0; slice < (phases.has('watch') ? SLICES : 0); slice++) {
      for (const [t, s] of stores) {
        console.error(`# ${t}: watch latency, slice ${slice + 1}/${SLICES}`);
        await watchSlice(s, t, slice, Math.ceil(WATCH_OPS / SLICES));
      }
    }
    if (phases.has('watch')) for (const t of stores.keys()) recordWatch(t);
    for (let slice = 0; slice < (phases.has('load') ? SLICES : 0); slice++) {
      const from = Math.floor((KEYS * slice) / SLICES);
      const to = Math.floor((KEYS * (slice + 1)) / SLICES);
      for (const [t, s] of stores) {
        console.error(`# ${t}: loading keys ${from}..${to - 1} of ${KEYS}`);
        await loadSlice(s, t, from, to);
      }
    }
    if (phases.has('load')) for (const [t, s] of stores) await recordLoad(s, t);
  } finally {
    for (const s of stores.values()) await s.destroy();
  }
  print();
}

function print(): void {
  const ratios = targets.includes('etcd') && targets.includes('tskube');
  const cols = [...targets, ...(ratios ? ['tskube/etcd'] : []), ...(ratios && targets.includes('base') ? ['base/etcd'] : [])];
  const width = Math.max(...[...table.keys()].map((k) => k.length)) + 2;
  console.log(`values ${VALUE.length} B, ${OPS} ops per point, ${KEYS} keys loaded; throughput rows are the last round`);
  console.log(`load average at start ${loadAtStart}, at end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${cpus().length} CPUs)`);
  console.log(['metric'.padEnd(width), ...cols.map((c) => c.padStart(16))].join(''));
  for (const [metric, row] of table) {
    const cells = targets.map((t) => (row.get(t) ?? '-').padStart(16));
    const r = raw.get(metric)!;
    for (const col of cols.filter((c) => c.endsWith('/etcd'))) {
      const ratio = r.get(col.slice(0, -5) as Column)! / r.get('etcd')!;
      cells.push(`${Number.isFinite(ratio) ? ratio.toFixed(2) : '-'}x`.padStart(16));
    }
    console.log([metric.padEnd(width), ...cells].join(''));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
