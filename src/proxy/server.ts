// `tskube proxy` as a library: informers on Services and EndpointSlices feed a rate-limited
// sync into the chosen proxier; /healthz (:10256) and /metrics (:10249) as upstream.
import http from 'node:http';
import { Gauge, Histogram, Registry } from 'prom-client';
import { RestClient, SharedInformerFactory, SERVICES, ENDPOINTSLICES, type ClientConfig } from '../client/index.js';
import { ServicePortBuilder, type ServicePort } from './service-port.js';
import { SyncRunner } from './sync-runner.js';
import { Iptables } from './iptables/iptables.js';
import { IptablesProxier } from './iptables/proxier.js';
import { Nft } from './nftables/nft.js';
import { NftablesProxier } from './nftables/proxier.js';
import type { Proxier } from './proxier.js';
import { Conntrack, UdpConntrackCleaner } from './conntrack.js';
import { UserspaceProxier } from './userspace/proxier.js';

const FULL_SYNC_PERIOD_MS = 3_600_000;

export type ProxyMode = 'iptables' | 'nftables' | 'userspace';

export interface ProxyOptions {
  clientConfig: ClientConfig;
  hostname: string;
  mode: ProxyMode;
  clusterCIDR?: string;
  nodePortAddresses?: string[];
  /** `--masquerade-all`: SNAT all traffic sent to ClusterIPs. */
  masqueradeAll?: boolean;
  minSyncPeriodMs: number;
  /** Full resync period (upstream --iptables-sync-period, 30 s). */
  syncPeriodMs?: number;
  /** host:port for /healthz and /metrics; '' disables; port 0 picks a free one. */
  healthzBindAddress: string;
  metricsBindAddress: string;
  /** Command prefix for iptables, nft and conntrack (e.g. ['ip', 'netns', 'exec', 'NS']). */
  iptablesPrefix?: string[];
  /** Userspace mode: address the Service listeners bind to. */
  userspaceBindAddress?: string;
  log: (line: string) => void;
}

export interface RunningProxy {
  healthzPort?: number;
  metricsPort?: number;
  /** Resolves after the next completed sync. */
  synced(): Promise<void>;
  ports(): ServicePort[];
  userspace?: UserspaceProxier;
  stop(): Promise<void>;
}

function listen(server: http.Server, bind: string): Promise<number | undefined> {
  if (!bind) return Promise.resolve(undefined);
  const i = bind.lastIndexOf(':');
  const host = i > 0 ? bind.slice(0, i) : '0.0.0.0';
  const port = Number(i >= 0 ? bind.slice(i + 1) : bind);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve((server.address() as { port: number }).port));
  });
}

export async function runProxy(o: ProxyOptions): Promise<RunningProxy> {
  const client = new RestClient({ ...o.clientConfig, qps: 50, burst: 100, userAgent: 'kube-proxy' });
  const factory = new SharedInformerFactory(client);
  const services = factory.forResource(SERVICES);
  const slices = factory.forResource(ENDPOINTSLICES);

  const registry = new Registry();
  const duration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', registers: [registry],
    buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384] });
  const lastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers: [registry] });
  const svcCount = new Gauge({ name: 'kubeproxy_sync_proxy_rules_service_ports', help: 'Service ports programmed in the last sync', registers: [registry] });
  const changed = new Gauge({ name: 'kubeproxy_sync_proxy_rules_chains_changed', help: 'Chains rewritten by the last sync (iptables-restore or nft -f)', registers: [registry], labelNames: ['mode'] });

  const opts = { clusterCIDR: o.clusterCIDR, nodePortAddresses: o.nodePortAddresses, masqueradeAll: o.masqueradeAll };
  let kernel: Proxier | undefined;
  if (o.mode === 'iptables') kernel = new IptablesProxier(new Iptables(o.iptablesPrefix), opts);
  if (o.mode === 'nftables') kernel = new NftablesProxier(new Nft(o.iptablesPrefix), opts);
  await cleanupOtherModes(o.mode, o.iptablesPrefix, o.log);
  const conntrack = kernel ? new UdpConntrackCleaner(new Conntrack(o.iptablesPrefix), o.log) : undefined;
  let conntrackFailed = false;
  let userspace: UserspaceProxier | undefined;
  if (o.mode === 'userspace') {
    o.log('proxy: WARNING: running in USERSPACE mode — iptables is not used; Services are forwarded by this process only on ' +
      `${o.userspaceBindAddress ?? '0.0.0.0'} (NodePorts and locally bound ClusterIPs), with no source-IP preservation and lower throughput`);
    userspace = new UserspaceProxier(o.userspaceBindAddress ?? '0.0.0.0', o.log);
  }

  const builder = new ServicePortBuilder(o.hostname);
  let current: ServicePort[] = [];
  let lastSyncAt = 0;
  let waiters: (() => void)[] = [];
  const doSync = async (): Promise<void> => {
    const start = performance.now();
    current = builder.build(services.lister.list(), slices.lister.list());
    const served = `${current.length} service ports, ${current.filter((p) => p.endpoints.some((e) => e.ready)).length} with ready endpoints`;
    if (userspace) {
      await userspace.sync(current);
      o.log(`proxy: userspace sync of ${served}`);
    } else if (kernel) {
      const r = await kernel.sync(current);
      changed.set({ mode: kernel.name }, r.written);
      const tool = kernel.name === 'nftables' ? 'nft -f' : 'iptables-restore';
      o.log(`proxy: synced ${served} (${r.full ? 'full' : 'partial'}): ${r.written} chains written, ${r.deleted} deleted, render ${r.renderMs.toFixed(1)} ms, ${tool} ${r.applyMs.toFixed(1)} ms`);
      if (r.resyncAfterMs !== undefined) setTimeout(() => runner.request(), r.resyncAfterMs).unref();
      try {
        await conntrack?.afterSync(current);
        conntrackFailed = false;
      } catch (e) {
        if (!conntrackFailed) o.log(`proxy: clearing stale UDP conntrack entries: ${(e as Error).message}`);
        conntrackFailed = true;
      }
    }
    duration.observe((performance.now() - start) / 1000);
    lastSyncAt = Date.now();
    lastSync.set(lastSyncAt / 1000);
    svcCount.set(current.length);
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  const runner = new SyncRunner(doSync, o.minSyncPeriodMs, (e) => { o.log(`proxy: sync failed: ${(e as Error).message}`); setTimeout(() => runner.request(), 1000); });
  // As upstream's proxier (isInitialized): no sync until both caches hold their first list, or the
  // first sync would program Services whose EndpointSlices have not arrived yet as rejecting.
  let cachesSynced = false;
  const request = (): void => { if (cachesSynced) runner.request(); };
  const handler = { onAdd: request, onUpdate: request, onDelete: request };
  services.addEventHandler(handler);
  slices.addEventHandler(handler);
  // every syncPeriod a sync; a full rewrite at most hourly, as upstream (proxyutil.FullSyncPeriod):
  // at 10,000 Services a full iptables sync is ~30 CPU s, a partial one a fraction of a second
  let lastFull = Date.now();
  const periodic = setInterval(() => {
    if (Date.now() - lastFull >= FULL_SYNC_PERIOD_MS) { lastFull = Date.now(); kernel?.forceFullSync(); }
    request();
  }, o.syncPeriodMs ?? 30_000);

  const healthz = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz' || url === '/livez' || url === '/readyz') {
      // healthy when a sync has happened within two full periods, as upstream's healthz server judges
      const ok = lastSyncAt > 0 && Date.now() - lastSyncAt < 2 * (o.syncPeriodMs ?? 30_000) + 60_000;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ lastUpdated: new Date(lastSyncAt).toISOString(), currentTime: new Date().toISOString(), nodeName: o.hostname, nodeHealthy: true }));
      return;
    }
    res.writeHead(404).end('404 page not found\n');
  });
  const metrics = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then((text) => { res.writeHead(200, { 'content-type': registry.contentType }); res.end(text); }, () => res.writeHead(500).end());
      return;
    }
    if (req.url === '/healthz') { res.writeHead(200).end('ok'); return; }
    res.writeHead(404).end('404 page not found\n');
  });
  const healthzPort = await listen(healthz, o.healthzBindAddress);
  const metricsPort = await listen(metrics, o.metricsBindAddress);

  factory.start();
  await factory.waitForCacheSync();
  cachesSynced = true;
  runner.request();
  o.log(`proxy: started in ${o.mode} mode on node ${o.hostname}`);

  return {
    healthzPort, metricsPort, userspace,
    ports: () => current,
    synced: () => new Promise<void>((r) => waiters.push(r)),
    async stop() {
      clearInterval(periodic);
      await runner.stop();
      await factory.shutdown();
      await userspace?.stop();
      for (const srv of [healthz, metrics]) {
        srv.closeAllConnections();
        await new Promise<void>((r) => srv.close(() => r()));
      }
    },
  };
}

/** As upstream: a proxy starting in one mode removes what the other kernel mode left behind. */
async function cleanupOtherModes(mode: ProxyMode, prefix: string[] | undefined, log: (l: string) => void): Promise<void> {
  try {
    if (mode !== 'nftables' && await new Nft(prefix).cleanup()) log('proxy: removed the nftables table left by an earlier nftables-mode proxy');
  } catch { /* nft not installed: nothing to clean */ }
  try {
    if (mode !== 'iptables') {
      const ipt = new Iptables(prefix);
      if ((await ipt.ownChains()).nat.size > 0) log(`proxy: removed ${await ipt.cleanup()} KUBE-* chains left by an earlier iptables-mode proxy`);
    }
  } catch { /* iptables not installed */ }
}
