// `tskube up` installs kube-proxy and cluster DNS as kubeadm does, and they work: the whole
// cluster runs inside a network namespace this test makes (so kube-proxy programs that
// namespace, not the machine), with a hollow worker. Checked with the real kubectl and real
// packets: one kube-proxy-xxxxx pod per node from the DaemonSet, its ConfigMap and RBAC,
// the kube-dns Deployment behind the kube-dns Service at 10.96.0.10, a name resolved
// through that ClusterIP, the API server reached through the `kubernetes` Service, and no
// rule left behind after the cluster stops.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clusterProcesses, stopCluster } from '../../src/admin/up/processes.js';
import { sleep, waitFor, UpProcess } from '../e2e/up-harness.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const run = promisify(execFile);
const NS = `tkup${process.pid}`;
const NAME = `px${process.pid}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-up-addons-'));
const admin = path.join(dir, 'admin.conf');
let up: UpProcess | undefined;

const inNs = async (...args: string[]): Promise<string> => (await run('ip', ['netns', 'exec', NS, ...args], { timeout: 60_000, maxBuffer: 16 << 20 })).stdout;
const kubectl = (...args: string[]): Promise<string> => inNs('/usr/bin/kubectl', '--kubeconfig', admin, ...args);
const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await kubectl(...args, '-o', 'json')) as T;
type Pod = { metadata: { name: string }; spec: { nodeName: string; hostNetwork?: boolean }; status: { phase: string } };

before(async () => {
  const ip = (...a: string[]) => { const r = spawnSync('ip', a, { encoding: 'utf8' }); if (r.status !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr}`); };
  spawnSync('ip', ['netns', 'del', NS]);
  ip('netns', 'add', NS);
  ip('-n', NS, 'link', 'set', 'lo', 'up');
  // a node needs a route for ClusterIPs to reach nat OUTPUT: a default route, as on any host
  ip('-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
  ip('-n', NS, 'addr', 'add', '192.168.240.1/24', 'dev', 'eth0');
  ip('-n', NS, 'link', 'set', 'eth0', 'up');
  ip('-n', NS, 'link', 'set', 'eth1', 'up');
  ip('-n', NS, 'route', 'add', 'default', 'via', '192.168.240.2');
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, main, 'up', '--name', NAME, '--data-dir', dir, '--nodes', '2', '--proxy-mode', 'nftables', '--wait', '280'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  up = new UpProcess(child);
  await up.ready();
});

after(async () => {
  if (up && up.child.exitCode === null) {
    try { process.kill(up.child.pid!, 'SIGTERM'); } catch { /* gone */ }
    await Promise.race([up.exited, sleep(60_000)]);
  }
  if (clusterProcesses(dir).length) await stopCluster(dir, [], 2000);
  spawnSync('ip', ['netns', 'del', NS]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('kube-proxy: a DaemonSet pod per node on the host network, its ConfigMap and RBAC', async () => {
  const pods = await waitFor('a kube-proxy pod Running on each node', async () => {
    const l = await json<{ items: Pod[] }>('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy');
    return l.items.length === 2 && l.items.every((p) => p.status.phase === 'Running') && l.items;
  }, 180_000);
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), [`${NAME}-control-plane`, `${NAME}-worker`]);
  for (const p of pods) {
    assert.match(p.metadata.name, /^kube-proxy-[a-z0-9]{5}$/);
    assert.equal(p.spec.hostNetwork, true);
  }
  const cm = await json<{ data: Record<string, string> }>('get', 'configmap', '-n', 'kube-system', 'kube-proxy');
  assert.match(cm.data['config.conf'], /kind: KubeProxyConfiguration/);
  assert.match(cm.data['config.conf'], /mode: nftables/);
  assert.match(cm.data['kubeconfig.conf'], /tokenFile: \/var\/run\/secrets\/kubernetes.io\/serviceaccount\/token/);
  const can = await kubectl('auth', 'can-i', 'watch', 'endpointslices.discovery.k8s.io', '--as', 'system:serviceaccount:kube-system:kube-proxy');
  assert.equal(can.trim(), 'yes');
  // the control plane's kube-proxy is real: it programmed this namespace
  // the kubernetes Service's endpoints may reach the proxy a sync after kube-dns's ClusterIP does
  // (a plain TCP ClusterIP Service: its endpoint is a @service-endpoints element picked by endpoints-1)
  const kubernetes = (t: string): boolean => /10\.96\.0\.1 \. tcp \. 443 : goto endpoints-1\b/.test(t) && /10\.96\.0\.1 \. tcp \. 443 \. 0 : \S+ \. \d+/.test(t);
  const table = await waitFor('table ip kube-proxy with both Services', async () => {
    const t = await inNs('nft', 'list', 'table', 'ip', 'kube-proxy').catch(() => '');
    return t.includes('10.96.0.10 . udp . 53') && kubernetes(t) && t;
  }, 60_000).catch(async (e: Error) => { throw new Error(`${e.message}\n${await inNs('nft', 'list', 'table', 'ip', 'kube-proxy').catch(() => '')}`); });
  assert.ok(kubernetes(table), table);
});

test('kube-dns: Deployment behind the kube-dns Service at the tenth Service IP; names resolve through it', async () => {
  const svc = await json<{ spec: { clusterIP: string; ports: { name: string; port: number; protocol: string }[] } }>('get', 'svc', '-n', 'kube-system', 'kube-dns');
  assert.equal(svc.spec.clusterIP, '10.96.0.10');
  assert.deepEqual(svc.spec.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`), ['dns/UDP/53', 'dns-tcp/TCP/53']);
  await waitFor('kube-dns available', async () => (await json<{ status: { availableReplicas?: number } }>('get', 'deploy', '-n', 'kube-system', 'kube-dns')).status.availableReplicas === 1, 180_000);
  // busybox nslookup on the node, to the ClusterIP: kube-proxy NATs it to the kube-dns pod
  const out = await waitFor('kubernetes.default resolved through 10.96.0.10', async () => {
    try { return await inNs('/bin/busybox', 'nslookup', 'kubernetes.default.svc.cluster.local', '10.96.0.10'); } catch { return undefined; }
  }, 60_000, 1000);
  assert.match(out, /Address:\s+10\.96\.0\.1\b/);
  const svcName = await inNs('/bin/busybox', 'nslookup', 'kube-dns.kube-system.svc.cluster.local', '10.96.0.10');
  assert.match(svcName, /Address:\s+10\.96\.0\.10\b/);
});

test('the API server answers through the kubernetes Service (10.96.0.1:443)', async () => {
  const body = await inNs(process.execPath, '-e', `
    require('https').get({ host: '10.96.0.1', port: 443, path: '/livez', rejectUnauthorized: false }, (r) => { let b = ''; r.on('data', (d) => b += d); r.on('end', () => console.log(r.statusCode, b)); })
      .on('error', (e) => { console.log('ERR', e.message); });`);
  assert.match(body, /^(200 ok|401|403)/, body);
});

test('stopping the cluster removes kube-proxy\'s rules from the node', async () => {
  process.kill(up!.child.pid!, 'SIGTERM');
  assert.equal(await up!.exited, 0);
  assert.match(up!.output, /Removed kube-proxy's rules from this host/);
  const tables = await inNs('nft', 'list', 'tables');
  assert.doesNotMatch(tables, /kube-proxy/);
});
