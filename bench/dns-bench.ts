// Cluster DNS queries per second and latency: `tskube dns` (its own process, informers on a real
// API server with N Services) against dnsmasq answering the same names from a hosts file, driven
// alternately by the same UDP load generator in this process. dnsmasq stands in for CoreDNS,
// which Debian does not ship: both answer A queries for Service names from memory. Besides wall
// rates (bounded by this load generator too) it prints each server's CPU per query from /proc,
// which does not depend on the generator.
//   node dist/bench/dns-bench.js [--queries 20000] [--concurrency 50] [--services 1000] [--rounds 2] [--profile DIR]
// --profile DIR writes a V8 CPU profile of `tskube dns` (summarize with bench/cpu-profile-summary).
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as dns from 'dns-packet';
import { startCluster } from '../test/apiserver/harness.js';
import { loadKubeconfig, RestClient, SERVICES } from '../src/client/index.js';
import { cpuSeconds, rssMiB } from './proc-stats.js';

const { values: args } = parseArgs({
  options: {
    queries: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '50' },
    services: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '2' }, profile: { type: 'string' },
  },
});
const total = Number(args.queries);
const concurrency = Number(args.concurrency);
const serviceCount = Number(args.services);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface Server { name: string; child: ChildProcess; port: number }
interface Figures { qps: number; p50: number; p99: number; cpuUsPerQuery: number; answered: number; wrong: number }

/** Resolves with the first match of `re` on the child's stderr (or fails when it exits first). */
function waitForLine(child: ChildProcess, re: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: not ready after 60 s:\n${seen}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}):\n${seen}`)); });
  });
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sends `n` A queries for random Service names, `concurrency` in flight, and checks each answer. */
async function drive(port: number, ips: string[], n: number, pid: number): Promise<Figures> {
  const sock = dgram.createSocket('udp4');
  const pending = new Map<number, { start: number; want: string; done: () => void }>();
  const lat: number[] = [];
  let wrong = 0;
  sock.on('message', (m) => {
    const p = pending.get(m.readUInt16BE(0));
    if (!p) return;
    pending.delete(m.readUInt16BE(0));
    lat.push(performance.now() - p.start);
    const a = dns.decode(m).answers?.[0];
    if (a?.type !== 'A' || a.data !== p.want) wrong++;
    p.done();
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let sent = 0;
  let nextId = 0;
  const worker = async (): Promise<void> => {
    while (sent < n) {
      sent++;
      const id = nextId++ & 0xffff;
      const i = Math.floor(Math.random() * ips.length);
      const query = dns.encode({ type: 'query', id, flags: dns.RECURSION_DESIRED, questions: [{ type: 'A', name: `s${i}.default.svc.cluster.local` }] });
      await new Promise<void>((done) => {
        const t = setTimeout(() => { pending.delete(id); done(); }, 2000);
        pending.set(id, { start: performance.now(), want: ips[i], done: () => { clearTimeout(t); done(); } });
        sock.send(query, port, '127.0.0.1');
      });
    }
  };
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  sock.close();
  lat.sort((a, b) => a - b);
  const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;
  return { qps: lat.length / secs, p50: pct(0.5), p99: pct(0.99), cpuUsPerQuery: (cpu * 1e6) / Math.max(1, lat.length), answered: lat.length, wrong };
}

const line = (name: string, f: Figures) =>
  `${name.padEnd(12)} ${f.qps.toFixed(0).padStart(7)} qps  p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms  ` +
  `server CPU ${f.cpuUsPerQuery.toFixed(1)} µs/query  ${f.answered}/${total} answered, ${f.wrong} wrong`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-dns-bench-'));
const cluster = await startCluster({ apiserverArgs: ['--service-cluster-ip-range', '10.96.0.0/16'] });
const servers: Server[] = [];
try {
  const client = new RestClient({ ...loadKubeconfig(cluster.kubeconfig), qps: 1000, burst: 1000 });
  const svcs = client.resource(SERVICES);
  const ips: string[] = [];
  for (let i = 0; i < serviceCount; i += 50) {
    const made = await Promise.all(Array.from({ length: Math.min(50, serviceCount - i) }, (_, j) => svcs.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i + j}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } })));
    made.forEach((s, j) => { ips[i + j] = s.spec!.clusterIP!; });
  }

  // Upstream 127.0.0.1:9 (discard): every query is a cluster name, nothing is forwarded.
  const profile = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
  const ours = spawn(process.execPath, [...profile, path.join(root, 'dist/src/cli/main.js'), 'dns', '--kubeconfig', cluster.kubeconfig,
    '--dns-bind-address', '127.0.0.1', '--dns-port', '0', '--upstream', '127.0.0.1:9'], { stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push({ name: 'tskube dns', child: ours, port: Number((await waitForLine(ours, /serving \S+ on 127\.0\.0\.1:(\d+)/, 'tskube dns'))[1]) });

  const hosts = path.join(dir, 'hosts');
  fs.writeFileSync(hosts, ips.map((ip, i) => `${ip} s${i}.default.svc.cluster.local\n`).join(''));
  const port = await freeUdpPort();
  const theirs = spawn('dnsmasq', ['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', `--addn-hosts=${hosts}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, '--local-ttl=5', '--user=root', '--pid-file=', '--log-facility=-'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForLine(theirs, /read .*hosts - \d+ names|started, version/, 'dnsmasq');
  servers.push({ name: 'dnsmasq', child: theirs, port });

  // Warm both (caches, JIT), then alternate so that the machine's load hits both alike.
  for (const s of servers) await drive(s.port, ips, 2000, s.child.pid!);
  const figures = new Map<string, Figures[]>(servers.map((s) => [s.name, []]));
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const s of servers) {
      const f = await drive(s.port, ips, total, s.child.pid!);
      figures.get(s.name)!.push(f);
      console.log(`round ${r + 1} ${line(s.name, f)}`);
    }
  }
  const best = (name: string) => figures.get(name)!.reduce((a, b) => (b.qps > a.qps ? b : a));
  const [a, b] = [best('tskube dns'), best('dnsmasq')];
  console.log(`\n${serviceCount} Services, A queries over UDP, concurrency ${concurrency}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(line('tskube dns', a));
  console.log(line('dnsmasq', b));
  console.log(`tskube/dnsmasq: qps ${(a.qps / b.qps).toFixed(2)}x, p99 ${(a.p99 / b.p99).toFixed(2)}x, CPU per query ${(a.cpuUsPerQuery / b.cpuUsPerQuery).toFixed(2)}x; RSS ${rssMiB(ours.pid!).toFixed(0)} vs ${rssMiB(theirs.pid!).toFixed(0)} MiB`);
} finally {
  // SIGTERM: `tskube dns` exits cleanly, which is when --cpu-prof writes its profile.
  await Promise.all(servers.map((s) => new Promise<void>((r) => {
    if (s.child.exitCode !== null) return r();
    const t = setTimeout(() => s.child.kill('SIGKILL'), 5000);
    s.child.once('exit', () => { clearTimeout(t); r(); });
    s.child.kill('SIGTERM');
  })));
  await cluster.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
