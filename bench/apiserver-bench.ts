// API server benchmark: `tskube apiserver` on tskube etcd and on the real etcd 3.4, driven over
// HTTPS with keep-alive connections (HTTP/1.1, or one HTTP/2 connection with --http 2, as
// client-go does). Prints, per store: pod create/get/update throughput and p50/p99 at 1, 16
// and 64 clients (p99 over upstream's 1 s SLO is flagged), lists of 3,000 and 10,000 pods
// (p50/p99: consistent, from etcd and from the watch cache), watch delivery to 100 watchers (events/s,
// and latency from the write's reply, so the POST itself is not counted), time from start to
// /readyz with the pods stored, and RSS — next to upstream's figures from the API server issue
// (kube-apiserver 1.25 on etcd 3.4, same 2-core machine).
//
//   npm run bench:apiserver -- [--store both|tskube|etcd] [--pods 10000] [--ops 2000]
//     [--watchers 100] [--watch-pods 500] [--http 1.1|2] [--profile DIR] [--node-args '--max-semi-space-size=16']
//     [--phases create,get,update,list,watch,startup]
//
// --profile DIR runs the API server under `node --cpu-prof` and leaves its .cpuprofile in DIR;
// --node-args passes node flags to the API server process (V8 heap sizing, for the p99 of creates).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync as readdir, readlinkSync as readlink } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TOKEN, type Cluster, type StoreKind, startCluster } from '../test/apiserver/harness.js';

const { values: flags } = parseArgs({ options: {
  store: { type: 'string', default: 'both' }, pods: { type: 'string', default: '10000' }, ops: { type: 'string', default: '2000' },
  watchers: { type: 'string', default: '100' }, 'watch-pods': { type: 'string', default: '500' }, http: { type: 'string', default: '1.1' },
  profile: { type: 'string' }, 'node-args': { type: 'string', default: '' }, phases: { type: 'string', default: 'create,get,update,list,watch,startup' },
} });
const PODS = Number(flags.pods);
const OPS = Number(flags.ops);
const WATCHERS = Number(flags.watchers);
const WATCH_PODS = Number(flags['watch-pods']);
const PHASES = new Set(String(flags.phases).split(','));
const STORES: StoreKind[] = flags.store === 'both' ? ['tskube', 'etcd'] : [flags.store as StoreKind];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLO_MS = 1000;

interface Reply { status: number; body: Buffer }

/** One way of sending requests: keep-alive HTTP/1.1 sockets, or streams of one HTTP/2 connection. */
interface Transport { request(method: string, p: string, body?: Buffer, type?: string): Promise<Reply>; close(): void }

function http1(base: string, sockets: number): Transport {
  const agent = new https.Agent({ keepAlive: true, maxSockets: sockets, rejectUnauthorized: false });
  return {
    request: (method, p, body, type = 'application/json') => new Promise((resolve, reject) => {
      const req = https.request(base + p, { method, agent, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json', ...(body ? { 'Content-Type': type, 'Content-Length': body.length } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    }),
    close: () => agent.destroy(),
  };
}

function h2(base: string): Transport {
  const session = http2.connect(base, { rejectUnauthorized: false });
  session.on('error', () => {});
  return {
    request: (method, p, body, type = 'application/json') => new Promise((resolve, reject) => {
      const s = session.request({ ':method': method, ':path': p, authorization: `Bearer ${TOKEN}`, accept: 'application/json', ...(body ? { 'content-type': type } : {}) });
      let status = 0;
      const chunks: Buffer[] = [];
      s.on('response', (h) => { status = Number(h[':status']); });
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      s.on('error', reject);
      s.end(body);
    }),
    close: () => session.close(),
  };
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? 0; };
const podBody = (name: string) => Buffer.from(JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
}));

interface Figures { rate: number; p50: number; p99: number; n: number; apiCpuMs?: number; storeCpuMs?: number }

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return 0; }
}
/** The processes whose CPU each phase reports (set per store). */
let watched: { apiserver: number; store?: number } = { apiserver: 0 };

/**
 * Runs n operations with `clients` in flight; the op returns the latency to count (ms). Also
 * reports the API server's and the store's CPU per operation: unlike throughput on this shared
 * machine, that does not depend on what else runs.
 */
async function drive(n: number, clients: number, op: (i: number) => Promise<number>): Promise<Figures> {
  const lat: number[] = [];
  let next = 0;
  const cpu0 = [cpuSeconds(watched.apiserver), cpuSeconds(watched.store)];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < n) lat.push(await op(next++));
  }));
  const cpu1 = [cpuSeconds(watched.apiserver), cpuSeconds(watched.store)];
  return {
    rate: n / ((performance.now() - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99), n,
    apiCpuMs: (1000 * (cpu1[0] - cpu0[0])) / Math.max(1, n), storeCpuMs: watched.store ? (1000 * (cpu1[1] - cpu0[1])) / Math.max(1, n) : undefined,
  };
}

/** Times one request; throws unless it succeeded (or answered an expected code). */
async function timed(t: Transport, method: string, p: string, body?: Buffer, ok = (s: number) => s < 300): Promise<number> {
  const s = performance.now();
  const r = await t.request(method, p, body);
  if (!ok(r.status)) throw new Error(`${method} ${p} answered ${r.status}: ${r.body.toString().slice(0, 300)}`);
  return performance.now() - s;
}

const rows: Array<[string, string, string, string]> = [];
function row(store: string, what: string, ours: string, upstream = ''): void {
  rows.push([store, what, ours, upstream]);
  process.stderr.write(`[${store}] ${what}: ${ours}\n`);
}
const fmt = (r: Figures, slo = true) => `${r.rate.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${slo && r.p99 > SLO_MS ? ' (p99 over the 1 s SLO)' : ''}`
  + (r.apiCpuMs !== undefined ? `; CPU/op: apiserver ${r.apiCpuMs.toFixed(2)} ms${r.storeCpuMs !== undefined ? `, store ${r.storeCpuMs.toFixed(2)} ms` : ''}` : '');
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function benchStore(store: StoreKind): Promise<void> {
  const nodeArgs = [...String(flags['node-args']).split(' ').filter(Boolean), ...(flags.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(flags.profile)] : [])];
  const cluster = await startCluster({ store, nodeArgs, apiserverArgs: ['--max-requests-inflight', '0', '--max-mutating-requests-inflight', '0'] });
  const t = flags.http === '2' ? h2(cluster.apiURL) : http1(cluster.apiURL, 64);
  watched = cluster.pids;
  const POD = '/api/v1/namespaces/default/pods';
  let created = 0;
  try {
    // Long-lived clients (client-go, controllers) have their connections open: each phase first
    // opens its sockets with untimed reads, so its p99 is not the TLS handshakes of new clients.
    const warm = (clients: number) => drive(clients * 2, clients, () => timed(t, 'GET', '/api/v1/namespaces/default'));
    const create = async (n: number, clients: number) => {
      await warm(clients);
      return drive(n, clients, () => timed(t, 'POST', POD, podBody(`bench-${created++}`)));
    };
    const listTimes = async (label: string, q: string, upstream: string) => {
      const r = await drive(10, 1, () => timed(t, 'GET', `/api/v1/pods${q}`));
      row(store, `list ${created} pods ${label}`, `p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; CPU/list: apiserver ${r.apiCpuMs!.toFixed(0)} ms${r.storeCpuMs !== undefined ? `, store ${r.storeCpuMs.toFixed(0)} ms` : ''}`, upstream);
    };
    if (PHASES.has('create')) {
      row(store, 'pod create, 1 client', fmt(await create(Math.min(500, OPS / 4), 1)));
      row(store, 'pod create, 16 clients', fmt(await create(Math.min(1000, OPS / 2), 16)));
      row(store, 'pod create, 64 clients', fmt(await create(Math.max(0, Math.min(PODS, 3000) - created), 64)), '1,080/s, p99 137 ms');
    } else {
      await create(Math.min(PODS, 3000), 64);
    }
    if (PHASES.has('list')) {
      await listTimes('consistent (no resourceVersion: the cache once it has reached etcd\'s revision)', '', '3,000 pods: ~120 ms');
      await listTimes('from etcd (limit=100000, one page)', '?limit=100000', '');
      await listTimes('from the watch cache (resourceVersion=0)', '?resourceVersion=0', '');
    }
    if (PODS > created) {
      const bulk = await create(PODS - created, 64);
      if (PHASES.has('create')) row(store, `pod create, 64 clients, up to ${PODS} pods`, fmt(bulk));
      if (PHASES.has('list')) {
        await listTimes('consistent (no resourceVersion)', '', '');
        await listTimes('from etcd (limit=100000, one page)', '?limit=100000', '');
        await listTimes('from the watch cache (resourceVersion=0)', '?resourceVersion=0', '');
      }
    }
    const name = (i: number) => `bench-${(i * 7919) % created}`;
    if (PHASES.has('get')) {
      for (const clients of [1, 16, 64]) row(store, `pod get, ${clients} clients`, fmt(await drive(OPS, clients, (i) => timed(t, 'GET', `${POD}/${name(i)}`))));
    }
    if (PHASES.has('update')) {
      // Each client updates its own pods (GET, then PUT with its resourceVersion); only the PUT is timed.
      for (const clients of [1, 16, 64]) {
        row(store, `pod update (PUT), ${clients} clients`, fmt(await drive(OPS, clients, async (i) => {
          const p = `${POD}/${name(i)}`;
          const cur = JSON.parse((await t.request('GET', p)).body.toString());
          cur.metadata.annotations = { round: String(i) };
          return timed(t, 'PUT', p, Buffer.from(JSON.stringify(cur)), (s) => s < 300 || s === 409);
        })));
      }
    }
    if (PHASES.has('watch')) await watchFigures(store, cluster, t);
    const apiRss = rssByPort(cluster.apiURL);
    if (apiRss) row(store, 'apiserver RSS after the run', `${apiRss.toFixed(0)} MB`);
    if (PHASES.has('startup')) await startupFigures(store, cluster, created);
  } finally {
    t.close();
    await cluster.stop();
  }
}

/**
 * WATCHERS watches on pods (one connection each, as separate informers would have); pods are
 * created 64 at a time. Latency is from the write's reply to each watcher's receipt (0 when the
 * event arrived first), so the POST itself is not counted; events/s is deliveries per second
 * from the first write to the last delivery.
 */
async function watchFigures(store: string, cluster: Cluster, t: Transport): Promise<void> {
  const replied = new Map<string, number>();
  const arrivals: Array<[string, number]> = [];
  const list = JSON.parse((await t.request('GET', '/api/v1/namespaces/default/pods?limit=1')).body.toString());
  let open = 0;
  const reqs = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<ReturnType<typeof https.get>>((resolve) => {
    const req = https.get(`${cluster.apiURL}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      { agent: false, rejectUnauthorized: false, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        open++;
        let buf = '';
        res.on('data', (d: Buffer) => {
          const now = performance.now();
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            // The name without parsing the whole event: the client's cost is not the server's.
            const m = /"name":"(watched-\d+)"/.exec(line);
            if (m && line.startsWith('{"type":"ADDED"')) arrivals.push([m[1], now]);
          }
        });
        resolve(req);
      });
  })));
  const want = WATCH_PODS * WATCHERS;
  const cpu0 = cpuSeconds(watched.apiserver);
  const t0 = performance.now();
  let n = 0;
  await drive(WATCH_PODS, 64, async () => {
    const name = `watched-${n++}`;
    const s = performance.now();
    const r = await t.request('POST', '/api/v1/namespaces/default/pods', podBody(name));
    if (r.status !== 201) throw new Error(`watch-phase create answered ${r.status}`);
    replied.set(name, performance.now());
    return performance.now() - s;
  });
  const deadline = Date.now() + 60_000;
  while (arrivals.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const last = Math.max(...arrivals.map(([, at]) => at));
  const cpuPerEvent = (1000 * (cpuSeconds(watched.apiserver) - cpu0)) / Math.max(1, arrivals.length);
  for (const r of reqs) r.destroy();
  const lat = arrivals.map(([name, at]) => Math.max(0, at - (replied.get(name) ?? at)));
  const early = arrivals.filter(([name, at]) => at <= (replied.get(name) ?? 0)).length;
  row(store, `watch: ${open} watchers x ${WATCH_PODS} pod creates`,
    `${arrivals.length}/${want} events, ${(arrivals.length / ((last - t0) / 1000)).toFixed(0)} events/s, after the write's reply: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms (${((100 * early) / Math.max(1, arrivals.length)).toFixed(0)}% before it); apiserver CPU ${(cpuPerEvent * 1000).toFixed(0)} µs per delivered event (creates included)`);
}

async function startupFigures(store: string, cluster: Cluster, stored: number): Promise<void> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'apiserver', '--etcd-servers', cluster.etcdURL, '--bind-address', '127.0.0.1',
    '--secure-port', '0', '--cert-dir', path.join(cluster.dir, 'certs2'), '--token-auth-file', path.join(cluster.dir, 'tokens.csv'), '--service-cluster-ip-range', '10.96.0.0/24'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (d: Buffer) => { text += d; const m = /serving securely on 127\.0\.0\.1:(\d+)/.exec(text); if (m) resolve(m[1]); });
      child.once('exit', () => reject(new Error(text)));
    });
    const probe = http1(`https://127.0.0.1:${port}`, 1);
    while ((await probe.request('GET', '/readyz').catch(() => ({ status: 0 }))).status !== 200) await new Promise((r) => setTimeout(r, 20));
    probe.close();
    row(store, `start to /readyz (${stored} pods stored)`, `${((performance.now() - t0) / 1000).toFixed(2)} s, RSS ${rssOf(child.pid!).toFixed(0)} MB`, '~3 s, 270 MB');
  } finally {
    child.kill('SIGTERM');
  }
}

/** RSS of the process listening on the API server's port (found through /proc). */
function rssByPort(url: string): number {
  const hex = Number(new URL(url).port).toString(16).toUpperCase().padStart(4, '0');
  const inode = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')?.[9];
  if (!inode) return 0;
  for (const pid of readdir('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdir(`/proc/${pid}/fd`)) if (readlink(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return rssOf(Number(pid));
    } catch { /* not ours */ }
  }
  return 0;
}

async function main(): Promise<void> {
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stderr.write(`load average at start: ${load()}\n`);
  for (const store of STORES) await benchStore(store);
  console.log(`\nHTTP/${flags.http}; load average at start/end: see stderr / ${load()}`);
  console.log('\n| store | measurement | tskube apiserver | upstream kube-apiserver 1.25 on etcd 3.4 |\n|---|---|---|---|');
  for (const [s, a, b, c] of rows) console.log(`| ${s} | ${a} | ${b} | ${c} |`);
}

main().catch((err) => { console.error(err); process.exit(1); });
