// The two setups scheduler-bench runs the same workload in: every component in this one
// process (upstream scheduler_perf's setup), or each component as its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import type { ClientConfig } from '../../src/client/client-config.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { startEtcdServer } from '../../src/store/etcd-server.js';
import { DEFAULT_MAX_REQUEST_BYTES, DEFAULT_QUOTA_BACKEND_BYTES } from '../../src/store/server/etcd-config.js';
import { createLogger } from '../../src/store/server/log.js';
import { startApiServer } from '../../src/apiserver/server.js';
import { defaultOptions } from '../../src/apiserver/options.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { defaultConfig } from '../../src/scheduler/config/load-config.js';
import { startCluster, type StoreKind } from '../../test/apiserver/harness.js';
import { api } from '../../test/apiserver/api-request.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TOKEN = 'bench-token-0123456789';

export interface BenchEnv {
  clientConfig: ClientConfig;
  /** Starts the scheduler and waits until its caches are synced. */
  startScheduler(): Promise<void>;
  /** Resident memory by process (bytes). */
  memory(): Promise<Record<string, number>>;
  /** CPU seconds (user + system) used so far, by process. */
  cpu(): Record<string, number>;
  /** A line about the scheduler's own counters, if it can be read. */
  schedulerStats(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** CPU seconds (utime + stime) of a process from /proc. */
function cpuOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // clock ticks (USER_HZ = 100)
}

/** Resident set size of a process from /proc (bytes). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** tskube etcd, apiserver and scheduler in this process, as upstream's scheduler_perf runs them. */
export async function startOneProcess(o: { qps: number; profileDir?: string }): Promise<BenchEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-sched-bench-'));
  const etcd = await startEtcdServer({
    name: 'default', dataDir: path.join(dir, 'etcd'), listenClientUrls: [new URL('http://127.0.0.1:0')], advertiseClientUrls: ['http://127.0.0.1:0'],
    listenPeerUrls: ['http://localhost:2380'], initialAdvertisePeerUrls: ['http://localhost:2380'], initialClusterState: 'new', initialClusterToken: 'etcd-cluster',
    clientCertAuth: false, quotaBackendBytes: DEFAULT_QUOTA_BACKEND_BYTES, maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
    autoCompactionMode: 'periodic', autoCompactionRetention: 0, logLevel: 'warn', snapshotCount: 100000, enableV2: false,
  }, createLogger('etcd', 'warn'));
  const etcdURL = `http://127.0.0.1:${etcd.clientAddresses[0].port}`;
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},bench-admin,uid-1,"system:masters"\n`);
  const apiserver = await startApiServer({
    ...defaultOptions(), etcdServers: [etcdURL], bindAddress: '127.0.0.1', securePort: 0, certDir: path.join(dir, 'certs'),
    tokenAuthFile: path.join(dir, 'tokens.csv'), serviceClusterIPRange: '10.96.0.0/24', maxRequestsInflight: 2000,
  });
  const clientConfig: ClientConfig = { server: `https://127.0.0.1:${apiserver.port}`, insecureSkipTLSVerify: true, token: TOKEN, namespace: 'default' };
  let scheduler: Scheduler | undefined;
  let schedClient: RestClient | undefined;
  let eventClient: RestClient | undefined;
  let session: Session | undefined;
  return {
    clientConfig,
    async startScheduler() {
      const config = defaultConfig();
      config.leaderElection!.leaderElect = false;
      schedClient = new RestClient({ ...clientConfig, qps: o.qps, burst: o.qps, userAgent: 'tskube-scheduler' });
      eventClient = new RestClient({ ...clientConfig, qps: o.qps, burst: o.qps, userAgent: 'tskube-scheduler' });
      scheduler = new Scheduler({ client: schedClient, eventClient, config, log: (m) => process.stderr.write(`scheduler: ${m}\n`) });
      await scheduler.startInformers();
      if (o.profileDir) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
      }
      scheduler.run();
    },
    cpu() {
      const u = process.cpuUsage();
      return { 'one process': (u.user + u.system) / 1e6 };
    },
    async memory() {
      const m = process.memoryUsage();
      return { 'one process (etcd+apiserver+scheduler+load) rss': m.rss, 'heap used': m.heapUsed };
    },
    async schedulerStats() {
      if (!scheduler) return undefined;
      const e = scheduler.events;
      return `${scheduler.scheduledCount} scheduled; events: ${e.writes.create} created, ${e.writes.patch} series patches, ${e.dropped} dropped`;
    },
    async stop() {
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        fs.mkdirSync(o.profileDir!, { recursive: true });
        const file = path.join(o.profileDir!, `one-process-${Date.now()}.cpuprofile`);
        fs.writeFileSync(file, JSON.stringify(profile));
        console.log(`cpu profile: ${file}`);
        session.disconnect();
      }
      await scheduler?.stop();
      schedClient?.close();
      eventClient?.close();
      await apiserver.close();
      await etcd.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Each component its own process: a store (real etcd or tskube etcd), tskube apiserver, tskube scheduler. */
export async function startProcesses(o: { store: StoreKind; qps: number; profileDir?: string }): Promise<BenchEnv> {
  const prof = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
  const c = await startCluster({ store: o.store, apiserverArgs: ['--max-requests-inflight', '2000'], nodeArgs: prof });
  const before = new Set(childPids());
  let sched: ChildProcess | undefined;
  let port = 0;
  const name = (pid: number) => (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('apiserver') ? 'apiserver' : o.store === 'etcd' ? 'etcd' : 'tskube etcd');
  const metrics = async () => String((await api(`https://127.0.0.1:${port}`, 'GET', '/metrics')).body);
  return {
    clientConfig: loadKubeconfig(c.kubeconfig),
    async startScheduler() {
      sched = spawn(process.execPath, [...prof, path.join(root, 'dist/src/cli/main.js'), 'scheduler', '--kubeconfig', c.kubeconfig, '--leader-elect=false',
        '--bind-address', '127.0.0.1', '--secure-port', '0', '--kube-api-qps', String(o.qps), '--kube-api-burst', String(o.qps),
        '--authentication-kubeconfig', c.kubeconfig, '--authorization-kubeconfig', c.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
      let out = '';
      port = await new Promise<number>((resolve, reject) => {
        sched!.stderr!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /caches synced/.test(out) && /on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        sched!.once('exit', (code) => reject(new Error(`scheduler exited ${code}: ${out}`)));
      });
    },
    cpu() {
      const out: Record<string, number> = {};
      for (const pid of before) out[name(pid)] = cpuOf(pid);
      if (sched?.pid) out.scheduler = cpuOf(sched.pid);
      const u = process.cpuUsage();
      out['load generator'] = (u.user + u.system) / 1e6;
      return out;
    },
    async memory() {
      const out: Record<string, number> = {};
      for (const pid of before) out[`${name(pid)} rss`] = rssOf(pid);
      if (sched?.pid) {
        out['scheduler rss'] = rssOf(sched.pid);
        out['scheduler heap used'] = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await metrics())?.[1] ?? 0);
      }
      return out;
    },
    async schedulerStats() {
      if (!port) return undefined;
      const m = await metrics();
      const get = (re: RegExp) => re.exec(m)?.[1] ?? '?';
      return `${get(/^scheduler_schedule_attempts_total\{result="scheduled"[^}]*\} (\S+)/m)} scheduled; cpu ${Number(get(/^process_cpu_seconds_total (\S+)/m)).toFixed(1)} s`;
    },
    async stop() {
      if (sched && sched.exitCode === null) {
        const e = new Promise((r) => sched!.once('exit', r));
        sched.kill('SIGTERM');
        await e;
      }
      await c.stop();
    },
  };
}

/** Pids whose parent is this process. */
function childPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(d));
    } catch { /* exited */ }
  }
  return out;
}
