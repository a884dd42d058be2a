// The node network of `tskube up --runtime containerd --nodes N`, made inside a namespace the
// test makes (standing in for the host): worker namespaces on one bridge, routes to every
// node's podCIDR following Node objects, pods made by the real CNI bridge plugin on two
// workers talking TCP with their own addresses (no NAT between pods), pod traffic leaving the
// cluster network masqueraded to the node's address, and nothing left after removal.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Node } from 'kubernetes-types/core/v1.js';
import { planNodeNetwork, chooseNodeSubnet } from '../../src/admin/up/node-network.js';
import { routesFor } from '../../src/admin/up/pod-routes.js';
import { tcpMany } from './topology.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = `tknn${process.pid}`;
const plan = planNodeNetwork(`/tmp/tskube-nn-${process.pid}`, ['c-control-plane', 'c-worker', 'c-worker2'], '172.30.200.0/24', '10.244.0.0/16');
const pods = [`tknp${process.pid}-a`, `tknp${process.pid}-b`];
const ipamDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-nn-ipam-'));
const node = (name: string, cidr: string): Node => ({ metadata: { name }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
const NODES = [node('c-control-plane', '10.244.0.0/24'), node('c-worker', '10.244.1.0/24'), node('c-worker2', '10.244.2.0/24')];

/** Runs a function of the node-network modules inside HOST (the namespace `tskube up` would run in). */
function inHost(code: string): void {
  const script = `
    const nn = await import(${JSON.stringify(path.join(dist, 'src/admin/up/node-network.js'))});
    const pr = await import(${JSON.stringify(path.join(dist, 'src/admin/up/pod-routes.js'))});
    const plan = ${JSON.stringify(plan)};
    const nodes = ${JSON.stringify(NODES)};
    ${code}`;
  // nsenter enters only the network namespace: `ip netns exec` would add a mount namespace,
  // and the worker namespaces' /run/netns mounts made in it would not be seen outside
  execFileSync('nsenter', [`--net=/run/netns/${HOST}`, '--', process.execPath, '--input-type=module', '-e', script], { stdio: 'pipe' });
}
const ipIn = (ns: string, ...a: string[]): string => execFileSync('ip', ['netns', 'exec', ns, 'ip', ...a], { encoding: 'utf8' });

before(() => {
  spawnSync('ip', ['netns', 'del', HOST]);
  execFileSync('ip', ['netns', 'add', HOST]);
  execFileSync('ip', ['-n', HOST, 'link', 'set', 'lo', 'up']);
});
after(() => {
  try { inHost('nn.removeNodeNetwork(plan);'); } catch { /* already removed */ }
  for (const p of pods) spawnSync('ip', ['netns', 'del', p]);
  spawnSync('ip', ['netns', 'del', HOST]);
  fs.rmSync(ipamDir, { recursive: true, force: true });
});

test('names and addresses: one netns and veth per worker, the control plane on the bridge', () => {
  assert.equal(plan.gateway, '172.30.200.1');
  assert.deepEqual(plan.nodes.map((n) => n.ip), ['172.30.200.1', '172.30.200.11', '172.30.200.12']);
  assert.equal(plan.nodes[0].netns, undefined);
  assert.ok(plan.nodes.slice(1).every((n) => n.netns?.endsWith(n.name) && n.hostVeth!.length <= 15));
  assert.ok(plan.bridge.length <= 15);
  assert.match(chooseNodeSubnet('/x', []), /^172\.30\.\d+\.0\/24$/);
  assert.notEqual(chooseNodeSubnet('/x', [chooseNodeSubnet('/x', [])]), chooseNodeSubnet('/x', []));
  assert.throws(() => chooseNodeSubnet('/x', ['172.30.0.0/16']), /no free \/24/);
  assert.deepEqual(routesFor('c-worker', plan, NODES), [
    { cidr: '10.244.0.0/24', via: '172.30.200.1' }, { cidr: '10.244.2.0/24', via: '172.30.200.12' },
  ]);
});

/**
 * A pod on a worker as containerd makes one: its own network namespace, plugged into the
 * node's bridge by the real CNI bridge plugin (host-local IPAM on the node's podCIDR), the
 * plugin run inside the node's namespace. Returns the pod's address.
 */
function cniPod(nodeNs: string, podNs: string, podCIDR: string, bridge: string): string {
  spawnSync('ip', ['netns', 'del', podNs]);
  execFileSync('ip', ['netns', 'add', podNs]);
  execFileSync('ip', ['-n', podNs, 'link', 'set', 'lo', 'up']);
  const conf = { cniVersion: '1.0.0', name: 'tskube', type: 'bridge', bridge, isGateway: true, ipMasq: false,
    ipam: { type: 'host-local', ranges: [[{ subnet: podCIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: path.join(ipamDir, nodeNs) } };
  const out = execFileSync('nsenter', [`--net=/run/netns/${nodeNs}`, '--', '/usr/lib/cni/bridge'], {
    input: JSON.stringify(conf), encoding: 'utf8',
    env: { ...process.env, CNI_COMMAND: 'ADD', CNI_CONTAINERID: podNs, CNI_NETNS: `/run/netns/${podNs}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
  });
  return (JSON.parse(out) as { ips: { address: string }[] }).ips[0].address.split('/')[0];
}

/** A TCP server in namespace `ns` answering "<its address> <the client address it saw>". */
function server(ns: string, addr: string): number {
  const pid = spawnSync('sh', ['-c', `ip netns exec ${ns} ${process.execPath} -e "require('net').createServer((c) => c.end('${addr} ' + c.remoteAddress)).listen(8080, '${addr}')" >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }).stdout.trim();
  return Number(pid);
}

test('pods on different nodes talk with their own addresses; what leaves the cluster network is masqueraded', async () => {
  inHost('nn.createNodeNetwork(plan); new pr.PodRoutes(plan, () => {}).sync(nodes);');
  const [w1, w2] = [plan.nodes[1].netns!, plan.nodes[2].netns!];
  assert.match(ipIn(w1, 'route'), /10\.244\.2\.0\/24 via 172\.30\.200\.12/);
  assert.match(ipIn(HOST, 'route'), /10\.244\.1\.0\/24 via 172\.30\.200\.11/);
  const p1 = cniPod(w1, pods[0], '10.244.1.0/24', 'cni0');
  const p2 = cniPod(w2, pods[1], '10.244.2.0/24', 'cni0');
  assert.match(p1, /^10\.244\.1\.\d+$/);
  assert.match(p2, /^10\.244\.2\.\d+$/);
  // the control plane's address stands for anything outside the cluster network
  const pids = [server(pods[0], p1), server(pods[1], p2), server(HOST, plan.gateway)];
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await tcpMany(pods[1], p1, 8080, 1), [`${p1} ${p2}`]);
    assert.deepEqual(await tcpMany(pods[0], p2, 8080, 1), [`${p2} ${p1}`]);
    assert.deepEqual(await tcpMany(HOST, p2, 8080, 1), [`${p2} ${plan.gateway}`]);
    assert.deepEqual(await tcpMany(pods[0], plan.gateway, 8080, 1), [`${plan.gateway} ${plan.nodes[1].ip}`]);
  } finally {
    for (const p of pids) try { process.kill(p); } catch { /* gone */ }
  }
});

test('removal leaves no namespace, link or rule', () => {
  inHost('nn.removeNodeNetwork(plan);');
  for (const n of plan.nodes) if (n.netns) assert.ok(!fs.existsSync(`/run/netns/${n.netns}`), n.netns);
  assert.doesNotMatch(ipIn(HOST, 'link'), new RegExp(`${plan.bridge}|tskv`));
  assert.doesNotMatch(execFileSync('ip', ['netns', 'exec', HOST, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' }), /tskube node network/);
});
