// API server benchmark: tskube apiserver on tskube etcd (or --store etcd), driven over HTTPS
// with keep-alive connections. Prints pod create/get/update throughput and p50/p99 at 1, 16
// and 64 clients, list latency for all pods (from etcd and from the watch cache), watch
// delivery latency to 100 watchers, time from start to /readyz and RSS, next to upstream's
// figures from the API server issue (kube-apiserver 1.25 on etcd 3.4, same 2-core machine).
//
//   npm run build && node dist/bench/apiserver-bench.js [--pods 10000] [--ops 1000] [--store tskube|etcd]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync as readdir, readlinkSync as readlink } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN, startCluster } from '../test/apiserver/harness.js';

const { values: flags } = parseArgs({ options: {
  pods: { type: 'string', default: '10000' }, ops: { type: 'string', default: '1000' },
  store: { type: 'string', default: 'tskube' }, watchers: { type: 'string', default: '100' },
} });
const PODS = Number(flags.pods);
const OPS = Number(flags.ops);
const WATCHERS = Number(flags.watchers);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const agent = new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false });
let base = '';

function call(method: string, p: string, body?: unknown, type = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(base + p, { method, agent, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json', ...(data ? { 'Content-Type': type, 'Content-Length': data.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? 0; };
const pod = (name: string, extra: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' }, annotations: extra },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

/** Runs n operations with `clients` in flight; returns ops/s and latencies (ms). */
async function drive(n: number, clients: number, op: (i: number) => Promise<number>): Promise<{ rate: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      const code = await op(i);
      if (code >= 300) throw new Error(`operation ${i} answered ${code}`);
      lat.push(performance.now() - s);
    }
  }));
  return { rate: n / ((performance.now() - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

const rows: Array<[string, string, string]> = [];
const row = (what: string, ours: string, upstream = '') => { rows.push([what, ours, upstream]); process.stderr.write(`${what}: ${ours}\n`); };
const fmt = (r: { rate: number; p50: number; p99: number }) => `${r.rate.toFixed(0)}/s p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function startupFigures(etcdURL: string, dir: string): Promise<void> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'apiserver', '--etcd-servers', etcdURL, '--bind-address', '127.0.0.1',
    '--secure-port', '0', '--cert-dir', path.join(dir, 'certs2'), '--token-auth-file', path.join(dir, 'tokens.csv'), '--service-cluster-ip-range', '10.96.0.0/24'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (d: Buffer) => { text += d; const m = /serving securely on 127\.0\.0\.1:(\d+)/.exec(text); if (m) resolve(m[1]); });
      child.once('exit', () => reject(new Error(text)));
    });
    const saved = base;
    base = `https://127.0.0.1:${port}`;
    while ((await call('GET', '/readyz').catch(() => ({ status: 0 }))).status !== 200) await new Promise((r) => setTimeout(r, 20));
    base = saved;
    row('start to /readyz (with the pods stored)', `${((performance.now() - t0) / 1000).toFixed(2)} s, RSS ${rssOf(child.pid!).toFixed(0)} MB`, '3 s, 270 MB');
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster({ store: flags.store === 'etcd' ? 'etcd' : 'tskube' });
  base = cluster.apiURL;
  try {
    let created = 0;
    const createN = async (n: number, clients: number) => drive(n, clients, async () => (await call('POST', '/api/v1/namespaces/default/pods', pod(`bench-${created++}`))).status);
    const shares: Array<[number, number]> = [[1, Math.min(OPS / 2, PODS / 10)], [16, Math.min(OPS * 2, PODS / 5)], [64, 0]];
    shares[2][1] = Math.max(PODS - shares[0][1] - shares[1][1], OPS);
    for (const [clients, n] of shares) row(`pod create, ${clients} clients (${n})`, fmt(await createN(n, clients)), clients === 64 ? '1,080/s, p99 137 ms' : '');
    for (const clients of [1, 16, 64]) row(`pod get, ${clients} clients`, fmt(await drive(OPS, clients, async (i) => (await call('GET', `/api/v1/namespaces/default/pods/bench-${(i * 7919) % created}`)).status)));
    for (const clients of [1, 16, 64]) {
      row(`pod update (GET + PUT with its resourceVersion), ${clients} clients`, fmt(await drive(OPS, clients, async (i) => {
        const name = `bench-${(i * 104729 + clients) % created}`;
        const cur = JSON.parse((await call('GET', `/api/v1/namespaces/default/pods/${name}`)).text);
        cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), round: String(i) };
        const r = await call('PUT', `/api/v1/namespaces/default/pods/${name}`, cur);
        return r.status === 409 ? 200 : r.status; // two clients on one pod: the loser's conflict is expected
      })));
    }
    for (const [label, q] of [['from etcd', ''], ['from the watch cache (resourceVersion=0)', '?resourceVersion=0']]) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) { const s = performance.now(); const r = await call('GET', `/api/v1/pods${q}`); if (r.status !== 200) throw new Error(r.text); times.push(performance.now() - s); }
      row(`list ${created} pods ${label}`, `p50 ${pct(times, 50).toFixed(0)} ms`, `3,000 pods ~120 ms`);
    }
    // Watch delivery: WATCHERS watches on pods; each event stamped with its send time.
    const lat: number[] = [];
    const list = JSON.parse((await call('GET', '/api/v1/namespaces/default/pods?limit=1')).text);
    const reqs = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<ReturnType<typeof https.get>>((resolve) => {
      const req = https.get(`${base}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, { agent: false, rejectUnauthorized: false, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
            const sent = Number(ev.object?.metadata?.annotations?.sent);
            if (ev.type === 'ADDED' && sent) lat.push(Date.now() - sent);
          }
        });
        resolve(req);
      });
    })));
    const WATCH_PODS = 200;
    for (let i = 0; i < WATCH_PODS; i++) await call('POST', '/api/v1/namespaces/default/pods', pod(`watched-${i}`, { sent: String(Date.now()) }));
    const deadline = Date.now() + 30_000;
    while (lat.length < WATCH_PODS * WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of reqs) r.destroy();
    row(`watch delivery, ${WATCHERS} watchers x ${WATCH_PODS} creates`, `${lat.length} events, p50 ${pct(lat, 50)} ms p99 ${pct(lat, 99)} ms`);
    const apiRss = (await call('GET', '/metrics')).status === 200 ? rssByPort(cluster.apiURL) : 0;
    if (apiRss) row(`apiserver RSS after the run`, `${apiRss.toFixed(0)} MB`);
    await startupFigures(cluster.etcdURL, cluster.dir);
  } finally {
    agent.destroy();
    await cluster.stop();
  }
  console.log('\n| measurement | tskube apiserver | upstream kube-apiserver 1.25 |\n|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

/** RSS of the process listening on the API server's port (found through /proc). */
function rssByPort(url: string): number {
  const port = Number(new URL(url).port);
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inode = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')?.[9];
  if (!inode) return 0;
  for (const pid of readdir('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdir(`/proc/${pid}/fd`)) if (readlink(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return rssOf(Number(pid));
    } catch { /* not ours */ }
  }
  return 0;
}

main().catch((err) => { console.error(err); process.exit(1); });
