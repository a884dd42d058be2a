// `tskube up --runtime containerd --nodes 2` inside a network namespace the test creates,
// with docker.io mirrored to a docker-registry on the namespace's loopback: a Deployment's
// busybox pods run in the worker's containerd, an API pod on the control plane runs in its
// containerd beside the host-process static pods, the worker in a network namespace of its own
// pulls through the mirror on the host's loopback (relayed), the kube-proxy (one per node) and
// kube-dns add-ons run as containers and answer DNS through the ClusterIP (to the node and to pods), `tskube images
// load` reaches every node, and `tskube down` leaves no containerd, shim, sandbox, bridge,
// cgroup, netns or iptables rule behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxImage } from '../../src/images/busybox-image.js';
import { LocalRegistry } from '../../src/images/local-registry.js';
import { writeOciArchive, writeOciLayout } from '../../src/images/oci-image.js';
import { nodeBridge, nodeCgroupRoot, nodeContainerdDir } from '../../src/admin/up/node-runtime.js';
import { clusterLayout } from '../../src/admin/up/cluster-layout.js';
import { containerdLayout } from '../../src/kubelet/runtime/cri/containerd-config.js';
import { shimPids } from '../../src/kubelet/runtime/cri/containerd-process.js';
import { cgroupDirs, eventually } from './kubelet-env.js';
import { loudSkip } from './harness.js';

const skip = loudSkip();
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

type Run = { code: number; stdout: string; stderr: string };

describe('tskube up --runtime containerd', { skip }, () => {
  const name = `upc${process.pid % 100000}`;
  const netns = `tskup-${process.pid}`;
  let dir: string;
  let dataDir: string;
  let registry: LocalRegistry | undefined;
  const inNs = (argv: string[], timeout = 120_000) => new Promise<Run>((resolve) => {
    execFile('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], { timeout, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, HOME: dir } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
  const tskube = (args: string[], timeout?: number) => inNs([process.execPath, MAIN, ...args], timeout);
  const kubectl = async (...args: string[]) => {
    const r = await inNs(['/usr/bin/kubectl', '--kubeconfig', path.join(dataDir, 'admin.conf'), ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const nodes = [`${name}-control-plane`, `${name}-worker`];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-upc-'));
    dataDir = path.join(dir, 'cluster');
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
    // a node needs a route for ClusterIPs to reach nat OUTPUT: a default route, as on any host
    for (const a of [['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1'], ['addr', 'add', '192.168.241.1/24', 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'], ['link', 'set', 'eth1', 'up'], ['route', 'add', 'default', 'via', '192.168.241.2']]) execFileSync('ip', ['-n', netns, ...a]);
    registry = await LocalRegistry.start({ dir: path.join(dir, 'registry'), netns });
    writeOciLayout(path.join(dir, 'bb'), [busyboxImage()]);
    await registry.push(path.join(dir, 'bb'), 'library/busybox:latest');
  });
  after(async () => {
    if (dataDir) await tskube(['down', '--name', name, '--data-dir', dataDir], 120_000);
    await registry?.stop();
    try { execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' }); } catch { /* gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('registry flags without containerd are refused before anything is written', async () => {
    const r = await tskube(['up', '--name', name, '--data-dir', path.join(dir, 'refused'), '--registry-mirror', 'docker.io=http://127.0.0.1:5000']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: --registry-mirror, --registries-file and --container-runtime-endpoint need --runtime containerd\n');
    assert.ok(!fs.existsSync(path.join(dir, 'refused')));
    const bad = await tskube(['up', '--name', name, '--data-dir', path.join(dir, 'refused'), '--runtime', 'containerd', '--registry-mirror', 'docker.io']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--registry-mirror "docker\.io": want HOST=URL/);
    assert.ok(!fs.existsSync(path.join(dir, 'refused')));
  });

  test('two nodes with real containers: a Deployment runs, images load on every node, down leaves nothing', async () => {
    const up = await tskube(['up', '--name', name, '--data-dir', dataDir, '--runtime', 'containerd', '--nodes', '2', '-d', '--wait', '400',
      '--registry-mirror', `docker.io=${registry!.url}`], 450_000);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /✓ Started containerd for 2 nodes \((overlayfs|native) snapshotter, mirrors docker\.io → http:\/\/127\.0\.0\.1:5000\)/);
    assert.match(up.stdout, /✓ 2\/2 nodes Ready/);
    const n = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { status: { nodeInfo: { containerRuntimeVersion: string } } }[] };
    assert.deepEqual(n.items.map((x) => x.status.nodeInfo.containerRuntimeVersion.split('://')[0]), ['containerd', 'containerd']);

    await kubectl('create', 'deployment', 'web', '--image=busybox', '--replicas=2', '--', 'sh', '-c', 'echo "up from $(hostname)"; exec sleep 3600');
    // an API pod on the control plane: containerd there too, beside the host-process static pods
    await kubectl('run', 'on-cp', '--image=busybox', '--restart=Never', `--overrides=${JSON.stringify({ spec: { nodeName: nodes[0], tolerations: [{ operator: 'Exists' }] } })}`,
      '--', 'sleep', '3600');
    const pods = await eventually('web and on-cp Running', async () => {
      const list = (JSON.parse(await kubectl('get', 'pods', '-o', 'json')) as { items: Pod[] }).items;
      return list.length === 3 && list.every((p) => p.status?.phase === 'Running') ? list : undefined;
    }, 240_000, 1000);
    for (const p of pods) {
      assert.match(p.status!.podIP!, /^10\.244\.\d+\.\d+$/);
      assert.match(p.status!.containerStatuses![0].containerID!, /^containerd:\/\//);
    }
    assert.equal(pods.find((p) => p.metadata!.name === 'on-cp')!.spec!.nodeName, nodes[0]);
    assert.ok(pods.filter((p) => p.metadata!.name!.startsWith('web-')).every((p) => p.spec!.nodeName === nodes[1]), 'web pods on the worker (the control plane is tainted)');
    const sys = JSON.parse(await kubectl('get', 'pods', '-n', 'kube-system', '-o', 'json')) as { items: Pod[] };
    const statics = sys.items.filter((p) => p.metadata?.ownerReferences?.[0]?.kind === 'Node');
    assert.equal(statics.length, 4, 'etcd, kube-apiserver, kube-controller-manager, kube-scheduler');
    assert.ok(statics.every((p) => p.status?.containerStatuses?.[0]?.containerID?.startsWith('host-process://')), 'static pods stay host processes');

    // the add-ons run as containers of tskube's own image (imported, not pulled): the worker is a
    // network of its own (a node namespace), so a kube-proxy per node and kube-dns as two pods
    // on the worker, answering through the ClusterIP
    const addons = await eventually('kube-proxy and kube-dns Running in containerd', async () => {
      const list = (JSON.parse(await kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app in (kube-proxy,kube-dns)', '-o', 'json')) as { items: Pod[] }).items;
      return list.length === 4 && list.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) ? list : undefined;
    }, 240_000, 1000);
    const placed = (app: string) => addons.filter((p) => p.metadata!.labels!['k8s-app'] === app).map((p) => p.spec!.nodeName).sort();
    assert.deepEqual(placed('kube-proxy'), nodes);
    assert.deepEqual(placed('kube-dns'), [nodes[1], nodes[1]]);
    for (const p of addons) {
      assert.match(p.status!.containerStatuses![0].containerID!, /^containerd:\/\//);
      assert.equal(p.status!.containerStatuses![0].image, 'localhost/tskube/addon-base:1.0');
    }
    const dns = await eventually('kubernetes.default resolved through 10.96.0.10', async () => {
      const r = await inNs(['/bin/busybox', 'nslookup', 'kubernetes.default.svc.cluster.local', '10.96.0.10'], 20_000);
      return r.code === 0 ? r.stdout : undefined;
    }, 120_000, 1000);
    assert.match(dns, /Address:\s+10\.96\.0\.1\b/);
    // and from a pod on the worker, through its own resolv.conf: the worker's kube-proxy NATs
    // the pod's query to a kube-dns pod
    const web = pods.find((p) => p.metadata!.name!.startsWith('web-'))!.metadata!.name!;
    const fromPod = await eventually('a pod resolves kube-dns.kube-system', async () => {
      try { return await kubectl('exec', web, '--', 'nslookup', 'kube-dns.kube-system.svc.cluster.local'); } catch { return undefined; }
    }, 60_000, 1000);
    assert.match(fromPod, /Server:\s+10\.96\.0\.10\b[\s\S]*Address:\s+10\.96\.0\.10\b/);

    // images load goes to every node's containerd when no endpoint is given
    const archive = path.join(dir, 'extra.tar');
    writeOciArchive(archive, [busyboxImage('docker.io/tskube/extra:v1')]);
    const load = await tskube(['images', 'load', archive, '--name', name, '--data-dir', dataDir]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, nodes.map((node) => `loaded docker.io/tskube/extra:v1 on ${node}\n`).join(''));

    const l = clusterLayout(name, dataDir);
    const down = await tskube(['down', '--name', name, '--data-dir', dataDir], 120_000);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`Stopped cluster "${name}"`));
    for (const node of nodes) {
      const layout = containerdLayout(nodeContainerdDir(l, node));
      assert.ok(!fs.existsSync(layout.socket), `${node}: containerd socket gone`);
      assert.deepEqual(shimPids(layout.socket), [], `${node}: no shims`);
      const netnsDir = path.join(layout.state, 'io.containerd.grpc.v1.cri', 'netns');
      assert.deepEqual(fs.existsSync(netnsDir) ? fs.readdirSync(netnsDir) : [], [], `${node}: no pod network namespaces`);
      assert.deepEqual(cgroupDirs(nodeCgroupRoot(l, node)), [], `${node}: no cgroups`);
      const link = await inNs(['ip', 'link', 'show', nodeBridge(l, node)]);
      assert.notEqual(link.code, 0, `${node}: bridge removed`);
    }
    const rules = await inNs(['iptables-save']);
    assert.doesNotMatch(rules.stdout, /tskube-/, 'no CNI or loopback-guard rule left');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    assert.ok(!ps.includes(dataDir), `no process of the cluster left:\n${ps.split('\n').filter((x) => x.includes(dataDir)).join('\n')}`);
  });
});
