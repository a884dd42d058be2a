// `tskube up --runtime containerd --nodes 3` with real workers: each worker in a network
// namespace of its own with its own containerd and kubelet, on one bridge with routes to every
// node's podCIDR. The whole cluster runs inside a namespace this test makes (standing in for
// the host). Proved with the real kubectl and real packets: pods on two workers talk pod IP to
// pod IP, a ClusterIP Service answers a pod on another node by IP and by DNS name, a NodePort
// answers from another node's namespace, and `tskube down` leaves no namespace, link or rule.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ADDON_IMAGE } from '../../src/admin/addons/addon-input.js';
import type { NodeNetworkPlan } from '../../src/admin/up/node-network.js';
import { stopUp, UpProcess, waitFor } from '../e2e/up-harness.js';
import { loudSkip } from '../cri/harness.js';

const skip = loudSkip();
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
type Run = { code: number; stdout: string; stderr: string };

describe('tskube up --runtime containerd --nodes 3: real workers on a node network', { skip }, () => {
  const name = `upn${process.pid % 100000}`;
  const hostNs = `tskupn-${process.pid}`;
  const [w1, w2] = [`${name}-worker`, `${name}-worker2`];
  let dir: string;
  let dataDir: string;
  let up: UpProcess | undefined;
  let net: NodeNetworkPlan;

  const runIn = (netns: string, argv: string[], timeout = 60_000) => new Promise<Run>((resolve) => {
    execFile('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], { timeout, maxBuffer: 32 << 20, env: { ...process.env, HOME: dir } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
  const kubectl = async (...args: string[]) => {
    const r = await runIn(hostNs, ['/usr/bin/kubectl', '--kubeconfig', path.join(dataDir, 'admin.conf'), ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (obj: object) => new Promise<void>((resolve, reject) => {
    const c = spawn('nsenter', [`--net=/run/netns/${hostNs}`, '--', '/usr/bin/kubectl', '--kubeconfig', path.join(dataDir, 'admin.conf'), 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl apply: ${err}`))));
    c.stdin.end(JSON.stringify(obj));
  });
  /** wget in a pod; the body or the error (busybox's own -T crashes it: timeout does that job). */
  const wgetFrom = async (pod: string, url: string) => {
    const r = await runIn(hostNs, ['/usr/bin/kubectl', '--kubeconfig', path.join(dataDir, 'admin.conf'), '-n', 'dev', 'exec', pod, '--', 'timeout', '10', 'wget', '-q', '-O', '-', url]);
    return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim()}`;
  };
  const pod = (podName: string, node: string, command: string, labels: Record<string, string> = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: 'dev', labels },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 1, automountServiceAccountToken: false,
      // tskube's add-on image (busybox), imported into every node's containerd at start: nothing is pulled
      containers: [{ name: 'main', image: ADDON_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', command] }],
    },
  });
  const netnsList = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-upn-'));
    dataDir = path.join(dir, 'cluster');
    execFileSync('ip', ['netns', 'add', hostNs]);
    // the "host" has a default route (to a peer inside its namespace), as any host does
    for (const a of [['link', 'set', 'lo', 'up'], ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1'], ['addr', 'add', '192.168.242.1/24', 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'], ['link', 'set', 'eth1', 'up'], ['route', 'add', 'default', 'via', '192.168.242.2']]) execFileSync('ip', ['-n', hostNs, ...a]);
    const child = spawn('nsenter', [`--net=/run/netns/${hostNs}`, '--', process.execPath, MAIN, 'up', '--name', name, '--data-dir', dataDir,
      '--runtime', 'containerd', '--nodes', '3', '--wait', '400'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } });
    up = new UpProcess(child);
    await up.ready(420_000);
    net = (JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as { nodeNetwork: NodeNetworkPlan }).nodeNetwork;
  });

  after(async () => {
    if (up) await stopUp(up, dataDir, 120_000);
    if (net) {
      for (const n of net.nodes) if (n.netns) spawn('ip', ['netns', 'del', n.netns]);
    }
    try { execFileSync('ip', ['netns', 'del', hostNs], { stdio: 'ignore' }); } catch { /* gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('pods on two nodes, a Service from the other node by IP and name, a NodePort from another node; down removes the network', async () => {
    // the plan: the control plane on the bridge's gateway, each worker a namespace of its own
    assert.equal(net.nodes.length, 3);
    assert.equal(net.nodes[0].ip, net.gateway);
    assert.equal(net.nodes[0].netns, undefined);
    for (const n of net.nodes.slice(1)) {
      assert.ok(n.netns && n.netns.includes(name), n.netns);
      assert.ok(n.hostVeth && n.hostVeth.length <= 15 && net.bridge.length <= 15);
      assert.match(netnsList(), new RegExp(`^${n.netns}\\b`, 'm'));
    }
    const ipOf = (node: string) => net.nodes.find((n) => n.name === node)!.ip;
    const wns = (node: string) => net.nodes.find((n) => n.name === node)!.netns!;

    // every node registered with its address on the node network
    const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { addresses: { type: string; address: string }[] } }[] };
    for (const node of nodes.items) {
      assert.equal(node.status.addresses.find((a) => a.type === 'InternalIP')?.address, ipOf(node.metadata.name), node.metadata.name);
    }
    // a worker's kubelet and containerd run in its namespace: its pods' network lives there
    await waitFor('a kube-proxy pod Running on every node', async () => {
      const l = JSON.parse(await kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy', '-o', 'json')) as { items: Pod[] };
      return l.items.length === 3 && l.items.every((p) => p.status?.phase === 'Running');
    }, 240_000, 1000);

    await kubectl('create', 'namespace', 'dev');
    await apply(pod('web', w1, 'mkdir -p /www/cgi-bin && echo "hello from $(hostname)" > /www/index.html'
      + ' && printf \'#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "$REMOTE_ADDR"\\n\' > /www/cgi-bin/peer && chmod +x /www/cgi-bin/peer'
      + ' && exec httpd -f -p 8080 -h /www', { app: 'web' }));
    await apply(pod('client', w2, 'exec sleep 3600'));
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'dev' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-np', namespace: 'dev' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    const [web, client] = await waitFor('both pods Running with IPs', async () => {
      const l = JSON.parse(await kubectl('get', 'pods', '-n', 'dev', '-o', 'json')) as { items: Pod[] };
      const byName = (n: string) => l.items.find((p) => p.metadata?.name === n);
      const ps = [byName('web'), byName('client')];
      return ps.every((p) => p?.status?.phase === 'Running' && p.status.podIP) && (ps as Pod[]);
    }, 180_000, 1000);
    // each pod's address is from its own node's podCIDR
    const cidrOf = (node: string) => nodes.items.find((n) => n.metadata.name === node)!.spec.podCIDR!;
    assert.notEqual(cidrOf(w1), cidrOf(w2));
    const prefix = (cidr: string) => cidr.split('.').slice(0, 3).join('.') + '.';
    assert.ok(web.status!.podIP!.startsWith(prefix(cidrOf(w1))), `${web.status!.podIP} in ${cidrOf(w1)}`);
    assert.ok(client.status!.podIP!.startsWith(prefix(cidrOf(w2))), `${client.status!.podIP} in ${cidrOf(w2)}`);

    // pod IP to pod IP across nodes (routes via the nodes' addresses, no NAT between pods)
    const hello = 'hello from web';
    assert.equal(await waitFor('client → web pod IP', async () => (await wgetFrom('client', `http://${web.status!.podIP}:8080/`)) === hello && hello, 90_000, 1000), hello);
    // the server sees the client's own pod address (a CGI answering httpd's REMOTE_ADDR)
    const peer = await wgetFrom('client', `http://${web.status!.podIP}:8080/cgi-bin/peer`);
    assert.equal(peer.replace(/^\[::ffff:(.*)\]$/, '$1'), client.status!.podIP);

    // a ClusterIP Service from a pod on the other node: by IP, by full name and by short name
    const svcIP = (await kubectl('get', 'service', '-n', 'dev', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    for (const url of [`http://${svcIP}/`, 'http://web.dev.svc.cluster.local/', 'http://web/']) {
      assert.equal(await waitFor(`client → ${url}`, async () => (await wgetFrom('client', url)) === hello && hello, 90_000, 1000), hello, url);
    }

    // a NodePort from another node's namespace: worker2's namespace to worker's address, and to
    // its own address (its kube-proxy forwards to the pod on the other node); the "host" too
    const np = (await kubectl('get', 'service', '-n', 'dev', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}')).trim();
    const fromNs = (ns: string, url: string) => waitFor(`${ns} → ${url}`, async () => {
      const r = await runIn(ns, ['timeout', '10', 'busybox', 'wget', '-q', '-O', '-', url]);
      return r.code === 0 && r.stdout.trim();
    }, 90_000, 1000);
    assert.equal(await fromNs(wns(w2), `http://${ipOf(w1)}:${np}/`), hello);
    assert.equal(await fromNs(wns(w2), `http://${ipOf(w2)}:${np}/`), hello);
    assert.equal(await fromNs(hostNs, `http://${ipOf(w1)}:${np}/`), hello);

    // down removes the namespaces, the links and the rules of this cluster
    const down = await runIn(hostNs, [process.execPath, MAIN, 'down', '--name', name, '--data-dir', dataDir], 180_000);
    assert.equal(down.code, 0, down.stderr);
    await up!.exited;
    const list = netnsList();
    for (const n of net.nodes) if (n.netns) assert.doesNotMatch(list, new RegExp(`^${n.netns}\\b`, 'm'));
    const links = execFileSync('ip', ['-n', hostNs, '-o', 'link', 'show'], { encoding: 'utf8' });
    for (const l of [net.bridge, ...net.nodes.map((n) => n.hostVeth).filter(Boolean)]) assert.ok(!links.includes(`${l}:`) && !links.includes(`${l}@`), `${l} is gone:\n${links}`);
    const rules = execFileSync('ip', ['netns', 'exec', hostNs, 'iptables-save'], { encoding: 'utf8' });
    assert.ok(!rules.includes(net.masqComment), rules);
    assert.doesNotMatch(rules, /KUBE-SVC|KUBE-NODEPORTS/);
    const routes = execFileSync('ip', ['-n', hostNs, 'route', 'show'], { encoding: 'utf8' });
    assert.doesNotMatch(routes, new RegExp(net.subnet.replace(/\./g, '\\.').split('/')[0]));
    assert.doesNotMatch(routes, /10\.244\./);
  });
});
