// Services seen from inside a real pod: busybox containers run by a real kubelet on a real
// containerd (the CRI test environment, all in a network namespace of the test's own), the
// real `tskube controller-manager` writing EndpointSlices, and the real `tskube proxy`
// (iptables) and `tskube dns` processes in that namespace. The client pod's resolv.conf is the
// kubelet's (--cluster-dns 10.96.0.10, search dev.svc.cluster.local …, ndots:5), so `wget web`
// goes pod → DNS ClusterIP (NATed by the proxy to tskube dns) → web's ClusterIP (NATed to a
// web pod): the "from a pod: a ClusterIP Service by IP and by name".
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { loudSkip } from '../cri/harness.js';
import { type CriCluster, eventually, podLog, startCriCluster, stopChild } from '../cri/kubelet-env.js';

const skip = loudSkip();
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const POD_CIDR = '10.244.1.0/24';
const NODE_POD_GW = '10.244.1.1';
const SERVE = 'mkdir -p /tmp/www && echo "$(hostname)" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www';
// one line per answer, so the test reads what every name gave from the pod's log
const CLIENT = [
  'sed "s/^/rc /" /etc/resolv.conf',
  'for n in web.dev.svc.cluster.local web.dev web WEB_IP; do until a=$(wget -q -O - http://$n/); do sleep 0.5; done; echo "name $n $a"; done',
  'for i in $(seq 30); do echo "spread $(wget -q -O - http://web/)"; done',
  'exec sleep 3600',
].join('; ');

describe('Services from a pod (real containers, tskube proxy and tskube dns)', { skip }, () => {
  let c: CriCluster;
  let clientContainer = '';
  const procs: ChildProcess[] = [];
  /** Runs a command in the client pod's container through CRI (containerd's exec). */
  const inClient = async (...argv: string[]): Promise<{ code: number; out: string }> => {
    const r = await c.runtime.execSync(clientContainer, argv, 20);
    return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
  };
  const logs: string[] = [];

  /** A tskube component in the test's namespace; its output kept for failure messages. */
  const component = (name: string, args: string[]): void => {
    const child = spawn('nsenter', [`--net=/run/netns/${c.netns}`, '--', process.execPath, MAIN, name, '--kubeconfig', c.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { logs.push(`${name}: ${d.toString().trimEnd()}`); if (logs.length > 400) logs.shift(); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    procs.push(child);
  };
  const pod = (name: string, labels: Record<string, string>, command: string, extra: object = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dev', labels },
    spec: {
      nodeName: c.nodeName, terminationGracePeriodSeconds: 1, automountServiceAccountToken: false,
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command], ...extra }],
    },
  });

  before(async () => {
    c = await startCriCluster();
    // a node has a default route (here to a peer inside the namespace): without one, a packet to a
    // ClusterIP with no endpoints would fail routing (no route to host) before the proxy's REJECT
    for (const a of [['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1'], ['addr', 'add', '192.168.250.1/24', 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'], ['link', 'set', 'eth1', 'up'], ['route', 'add', 'default', 'via', '192.168.250.2']]) execFileSync('ip', ['-n', c.netns, ...a]);
    await c.k('patch', 'node', c.nodeName, '--type', 'merge', '-p', JSON.stringify({ spec: { podCIDR: POD_CIDR, podCIDRs: [POD_CIDR] } }));
    component('controller-manager', ['--controllers', 'endpointslice', '--leader-elect=false', '--secure-port', '-1']);
    component('proxy', ['--proxy-mode', 'iptables', '--hostname-override', c.nodeName, '--cluster-cidr', '10.244.0.0/16', '--iptables-min-sync-period', '200ms']);
    // cluster DNS on the node, answering on every address; its Service's endpoint is the node's
    // address on the pod bridge, so a query NATed there is answered from that very address
    component('dns', ['--dns-port', '53', '--upstream', '127.0.0.1:1']);
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    await c.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' },
      spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } });
    await c.apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kube-dns-node', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
      addressType: 'IPv4', endpoints: [{ addresses: [NODE_POD_GW], conditions: { ready: true } }],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] });
    await c.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'dev' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    for (const n of ['web-a', 'web-b', 'web-c']) {
      await c.apply(pod(n, { app: 'web' }, SERVE, { ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }));
    }
  });

  after(async () => {
    for (const p of procs) await stopChild(p).catch(() => {});
    // the proxy's rules live in the test's namespace and go with it
    await c?.stop();
  });

  test('a ClusterIP Service by name (FQDN, name.namespace, short name) and by IP, spread over 3 endpoints', async () => {
    const slice = await eventually('web has 3 ready endpoints', async () => {
      const out = await c.k('get', 'endpointslices', '-n', 'dev', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}');
      return out.trim().split(' ').filter(Boolean).length === 3 ? out : undefined;
    }, 180_000, 1000);
    assert.equal(slice.trim().split(' ').length, 3);
    const webIP = (await c.k('get', 'svc', '-n', 'dev', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    await c.apply(pod('client', { app: 'client' }, CLIENT.replace('WEB_IP', webIP)));
    const client = await eventually('client pod has an IP', async () => { const p = await c.pod('client', 'dev'); return p.status?.podIP ? p : undefined; }, 120_000);
    const out = await eventually('the client fetched through every name and 30 times by short name', () => {
      const text = podLog(c, client, 'main');
      return (text.match(/^spread /gm) ?? []).length === 30 ? text : undefined;
    }, 120_000, 1000).catch((err: Error) => { throw new Error(`${err.message}\n${podLog(c, client, 'main')}\n${logs.slice(-40).join('\n')}`); });
    for (const n of ['web.dev.svc.cluster.local', 'web.dev', 'web', webIP]) assert.match(out, new RegExp(`^name ${n.replace(/\./g, '\\.')} web-[abc]$`, 'm'), out);
    const seen = new Set([...out.matchAll(/^spread (web-[abc])$/gm)].map((m) => m[1]));
    assert.deepEqual([...seen].sort(), ['web-a', 'web-b', 'web-c'], out);
    // the resolv.conf that made the short names work is the kubelet's, by dnsPolicy ClusterFirst
    assert.match(out, /^rc nameserver 10\.96\.0\.10$/m, out);
    assert.match(out, /^rc search dev\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m, out);
    assert.match(out, /^rc options ndots:5$/m, out);
    const running = await c.pod('client', 'dev');
    clientContainer = (running.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^containerd:\/\//, '');
    assert.ok(clientContainer, JSON.stringify(running.status));
  });

  test('a headless Service\'s names answer its ready pods\' addresses', async () => {
    await c.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-pods', namespace: 'dev' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 8080 }] } });
    const ips = (await c.k('get', 'pods', '-n', 'dev', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}')).trim().split(' ').sort();
    assert.equal(ips.length, 3);
    const answer = await eventually('nslookup web-pods from the pod lists 3 addresses', async () => {
      const r = await inClient('nslookup', 'web-pods.dev.svc.cluster.local');
      const got = [...r.out.matchAll(/Address:\s+(10\.244\.1\.\d+)/g)].map((m) => m[1]).sort();
      return got.length === 3 ? got : undefined;
    }, 60_000, 1000);
    assert.deepEqual(answer, ips);
  });

  test('a Service scaled to zero refuses at once; a deleted pod is no longer served', async () => {
    await c.k('delete', 'pod', '-n', 'dev', 'web-a', '--wait=false');
    const left = await eventually('web-a no longer served', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const r = await inClient('wget', '-q', '-O', '-', 'http://web/');
        if (r.code === 0) seen.add(r.out.trim());
      }
      return !seen.has('web-a') && seen.size === 2 ? [...seen].sort() : undefined;
    }, 60_000, 500);
    assert.deepEqual(left, ['web-b', 'web-c']);
    await c.k('delete', 'pod', '-n', 'dev', 'web-b', 'web-c', '--wait=false');
    let last = '';
    const refused = await eventually('web refused', async () => {
      const r = await inClient('wget', '-q', '-O', '-', 'http://web/');
      last = `${r.code} ${r.out}`;
      return r.code !== 0 && /refused/i.test(r.out) ? r.out : undefined;
    }, 60_000, 500).catch((err: Error) => { throw new Error(`${err.message}: ${last}`); });
    assert.match(refused, /refused/i);
  });
});
