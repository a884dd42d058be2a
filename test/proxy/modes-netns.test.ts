// tskube proxy in iptables and nftables mode, each against a real API server, programming a
// "node" network namespace the test makes (see topology.ts): real packets from pod
// namespaces behind a bridge, from the node itself and from an off-cluster namespace reach
// TCP/UDP servers in the pods through ClusterIPs and NodePorts. One set of scenarios, run
// against both modes.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from '../apiserver/harness.js';
import { loadKubeconfig } from '../../src/client/index.js';
import { runProxy, type ProxyMode, type RunningProxy } from '../../src/proxy/server.js';
import { makeTopology, NODE_IP, NODE_POD_GW, nsRun, OUTSIDE_IP, startServers, tcpMany, udpMany, type Topology } from './topology.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let cluster: Cluster;

before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, logs: string[], ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: last ${JSON.stringify(v)}\n${logs.slice(-6).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
    v = await fn();
  }
  return v;
}

const server = (answer: string): string => answer.split(' ')[0];
const source = (answer: string): string => answer.split(' ')[1];

for (const mode of ['iptables', 'nftables'] as ProxyMode[]) {
  describe(`${mode} mode`, () => {
    const tag = `tkp${process.pid}${mode[0]}`;
    const ns = `proxy-${mode}`;
    const logs: string[] = [];
    let topo: Topology;
    let servers: ChildProcess[] = [];
    let proxy: RunningProxy | undefined;
    let P: string[] = [];
    let podNs: string[] = [];

    const start = (masqueradeAll = false): Promise<RunningProxy> => runProxy({
      clientConfig: loadKubeconfig(cluster.kubeconfig), hostname: 'node-a', mode, clusterCIDR: '10.244.0.0/16', masqueradeAll,
      minSyncPeriodMs: 50, healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0',
      iptablesPrefix: ['ip', 'netns', 'exec', topo.node], log: (l) => logs.push(l),
    });
    const rules = async (): Promise<string> => {
      const r = mode === 'nftables' ? await nsRun(topo.node, 'nft', 'list', 'ruleset') : await nsRun(topo.node, 'iptables-save');
      return r.stdout;
    };
    const apply = (obj: object): void => {
      const r = cluster.kubectl(['apply', '-f', '-'], JSON.stringify(obj));
      assert.equal(r.code, 0, r.stderr);
    };
    const service = (name: string, spec: object = {}): void => apply({
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
    });
    /** Endpoints as [pod index, node name]; ready unless said otherwise. */
    const slice = (svc: string, eps: [number, string][], o: { ready?: boolean; udp?: boolean } = {}): void => apply({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svc}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
      addressType: 'IPv4', ports: [o.udp ? { name: 'dns', port: 8053, protocol: 'UDP' } : { name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: eps.map(([i, node]) => ({ addresses: [P[i]], conditions: { ready: o.ready ?? true }, nodeName: node })),
    });
    const clusterIP = (name: string): string => cluster.k('get', 'svc', '-n', ns, name, '-o', 'jsonpath={.spec.clusterIP}');
    const nodePort = (name: string): number => Number(cluster.k('get', 'svc', '-n', ns, name, '-o', 'jsonpath={.spec.ports[0].nodePort}'));
    const tcp = (from: string, ip: string, port: number, n: number, ok: (r: string[]) => boolean, what: string, timeoutMs?: number) =>
      eventually(() => tcpMany(from, ip, port, n, timeoutMs), ok, `${mode}: ${what}`, logs);

    before(async () => {
      topo = makeTopology(tag, 4);
      P = topo.pods.map((p) => p.ip);
      podNs = topo.pods.map((p) => p.ns);
      servers = await startServers(topo);
      cluster.k('create', 'namespace', ns);
      proxy = await start();
    });
    after(async () => {
      await proxy?.stop();
      for (const s of servers) s.kill();
      topo?.destroy();
    });

    test('ClusterIP from a pod and from the node spreads over three ready endpoints', async () => {
      service('web');
      slice('web', [[0, 'node-a'], [1, 'node-a'], [2, 'node-a']]);
      const ip = clusterIP('web');
      const got = await tcp(podNs[3], ip, 80, 30, (r) => new Set(r.map(server)).size === 3, 'spread over 3 endpoints');
      assert.ok(got.every((a) => P.slice(0, 3).includes(server(a))), JSON.stringify(got));
      // pod sources are not masqueraded
      assert.ok(got.every((a) => source(a) === P[3]), JSON.stringify(got));
      const fromNode = await tcpMany(topo.node, ip, 80, 6);
      assert.ok(fromNode.every((a) => P.slice(0, 3).includes(server(a))), JSON.stringify(fromNode));
      const text = await rules();
      if (mode === 'iptables') assert.match(text, /--mode random --probability 0\.33333/);
      else {
        // a plain ClusterIP Service: its three endpoints are map elements picked by endpoints-3
        assert.match(text, new RegExp(`${ip.replace(/\./g, '\\.')} \\. tcp \\. 80 : goto endpoints-3`));
        assert.match(text, /numgen random mod 3 map @service-endpoints/);
        assert.match(text, new RegExp(`${ip.replace(/\./g, '\\.')} \\. tcp \\. 80 \\. 2 : ${P[2].replace(/\./g, '\\.')} \\. 8080`));
      }
    });

    test('a removed endpoint is no longer served; without ready endpoints connections are refused', async () => {
      const ip = clusterIP('web');
      slice('web', [[0, 'node-a'], [1, 'node-a']]);
      await tcp(podNs[3], ip, 80, 20, (r) => r.every((a) => server(a) === P[0] || server(a) === P[1]), 'endpoint removed');
      slice('web', [[0, 'node-a'], [1, 'node-a']], { ready: false });
      await tcp(podNs[3], ip, 80, 3, (r) => r.every((a) => a === 'ERR:ECONNREFUSED'), 'refused without endpoints');
      assert.match(await rules(), /has no endpoints|proxy-\w+\/web:http.*reject-chain|goto reject-chain/);
    });

    test('sessionAffinity ClientIP keeps one backend', async () => {
      service('sticky', { sessionAffinity: 'ClientIP' });
      slice('sticky', [[0, 'node-a'], [1, 'node-a'], [2, 'node-a']]);
      const got = await tcp(podNs[3], clusterIP('sticky'), 80, 15, (r) => !r[0].startsWith('ERR'), 'sticky reachable');
      assert.equal(new Set(got.map(server)).size, 1, JSON.stringify(got));
    });

    test('NodePort on the node address from outside the cluster: source masqueraded', async () => {
      service('np', { type: 'NodePort' });
      slice('np', [[2, 'node-a']]);
      const got = await tcp(topo.outside, NODE_IP, nodePort('np'), 3, (r) => r.every((a) => server(a) === P[2]), 'nodeport');
      // externalTrafficPolicy Cluster may forward to another node, so the source becomes the node's
      assert.ok(got.every((a) => source(a) === NODE_POD_GW), JSON.stringify(got));
    });

    test('externalTrafficPolicy Local: only this node\'s endpoints, client source kept; none here: dropped, pods still served', async () => {
      service('etp', { type: 'NodePort', externalTrafficPolicy: 'Local' });
      slice('etp', [[0, 'node-a'], [1, 'node-b']]);
      const port = nodePort('etp');
      const got = await tcp(topo.outside, NODE_IP, port, 8, (r) => r.every((a) => server(a) === P[0]), 'only the local endpoint');
      assert.ok(got.every((a) => source(a) === OUTSIDE_IP), JSON.stringify(got));
      slice('etp', [[1, 'node-b']]);
      await tcp(topo.outside, NODE_IP, port, 1, (r) => r[0] === 'ERR:TIMEOUT', 'dropped without a local endpoint', 1500);
      // traffic from pods is not subject to the external policy
      const fromPod = await tcpMany(podNs[3], NODE_IP, port, 3);
      assert.ok(fromPod.every((a) => server(a) === P[1]), JSON.stringify(fromPod));
    });

    test('internalTrafficPolicy Local: a ClusterIP reaches only this node\'s endpoints; none here: dropped', async () => {
      service('itp', { internalTrafficPolicy: 'Local' });
      slice('itp', [[0, 'node-a'], [1, 'node-b']]);
      const ip = clusterIP('itp');
      await tcp(podNs[3], ip, 80, 10, (r) => r.every((a) => server(a) === P[0]), 'only the local endpoint');
      slice('itp', [[1, 'node-b']]);
      await tcp(podNs[3], ip, 80, 1, (r) => r[0] === 'ERR:TIMEOUT', 'dropped without a local endpoint', 1500);
    });

    test('hairpin: a pod reaches itself through its Service, masqueraded', async () => {
      service('self');
      slice('self', [[0, 'node-a']]);
      const got = await tcp(podNs[0], clusterIP('self'), 80, 3, (r) => r.every((a) => server(a) === P[0]), 'hairpin');
      assert.ok(got.every((a) => source(a) === NODE_POD_GW), JSON.stringify(got));
    });

    test('--masquerade-all: a pod reaching a ClusterIP is seen from the node; without it, from itself', async () => {
      service('masq');
      slice('masq', [[1, 'node-a']]);
      const ip = clusterIP('masq');
      await tcp(podNs[3], ip, 80, 2, (r) => r.every((a) => server(a) === P[1] && source(a) === P[3]), 'pod source kept');
      await proxy!.stop();
      proxy = await start(true);
      await tcp(podNs[3], ip, 80, 2, (r) => r.every((a) => server(a) === P[1] && source(a) === NODE_POD_GW), 'masqueraded with --masquerade-all');
      await proxy.stop();
      proxy = await start();
      await tcp(podNs[3], ip, 80, 2, (r) => r.every((a) => server(a) === P[1] && source(a) === P[3]), 'pod source kept again');
    });

    test('UDP: a removed endpoint\'s conntrack entry is cleared, so a steady client moves to the new endpoint', async () => {
      service('dns', { ports: [{ name: 'dns', port: 53, targetPort: 8053, protocol: 'UDP' }] });
      slice('dns', [[0, 'node-a']], { udp: true });
      const ip = clusterIP('dns');
      await eventually(() => udpMany(podNs[3], ip, 53, 1, 300, 0), (r) => server(r[0]) === P[0], `${mode}: udp service`, logs);
      // one source port throughout: every datagram belongs to one conntrack entry, refreshed each time
      const stream = udpMany(podNs[3], ip, 53, 40, 150, 41053);
      await new Promise((r) => setTimeout(r, 1500));
      slice('dns', [[1, 'node-a']], { udp: true });
      const got = await stream;
      assert.equal(server(got[0]), P[0], JSON.stringify(got));
      assert.equal(server(got[got.length - 1]), P[1], `still answered by the removed endpoint: ${JSON.stringify(got)}\n${logs.slice(-5).join('\n')}`);
    });

    if (mode === 'nftables') {
      test('a ClusterIP on a port no Service has is rejected', async () => {
        assert.deepEqual(await tcpMany(podNs[3], clusterIP('web'), 81, 1), ['ERR:ECONNREFUSED']);
      });
    }

    test('/healthz and /metrics', async () => {
      const h = await fetch(`http://127.0.0.1:${proxy!.healthzPort}/healthz`);
      assert.equal(h.status, 200);
      assert.equal((await h.json() as { nodeName: string }).nodeName, 'node-a');
      const m = await (await fetch(`http://127.0.0.1:${proxy!.metricsPort}/metrics`)).text();
      assert.match(m, /kubeproxy_sync_proxy_rules_duration_seconds_count \d+/);
      assert.match(m, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
    });

    test('rules survive a proxy restart; a deleted Service disappears; --cleanup removes everything', async () => {
      const port = nodePort('np');
      await proxy!.stop();
      proxy = undefined;
      assert.deepEqual((await tcpMany(topo.outside, NODE_IP, port, 2)).map(server), [P[2], P[2]], 'traffic flows with the proxy stopped');
      proxy = await start();
      cluster.k('delete', 'svc', '-n', ns, 'sticky');
      await eventually(rules, (s) => !s.includes(`${ns}/sticky`), `${mode}: sticky rules deleted`, logs);
      assert.deepEqual((await tcpMany(topo.outside, NODE_IP, port, 2)).map(server), [P[2], P[2]], 'traffic flows after the restart');
      await proxy.stop();
      proxy = undefined;
      const r = spawnSync('ip', ['netns', 'exec', topo.node, process.execPath, path.join(root, 'dist/src/cli/main.js'), 'proxy', '--cleanup'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const left = await rules();
      assert.doesNotMatch(left, /KUBE-|kube-proxy/);
      assert.match((await tcpMany(topo.outside, NODE_IP, port, 1, 1000))[0], /^ERR:/);
    });
  });
}
