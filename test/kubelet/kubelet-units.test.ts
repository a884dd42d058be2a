// Pure pieces of the kubelet: what hollow commands do, crash-loop back-off timing, pod IP
// allocation, KubeletConfiguration and flag parsing, CRI log lines, and the pod phase rules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { simulate } from '../../src/kubelet/runtime/simulated-command.js';
import { CrashBackoff } from '../../src/kubelet/pods/crash-backoff.js';
import { PodIPAllocator, subnet } from '../../src/kubelet/runtime/pod-ip-allocator.js';
import { applyConfigFile, defaultKubeletConfig, parseDuration, parseLabels, parseMinimumReclaim, parseTaints } from '../../src/kubelet/config/kubelet-config.js';
import { parseLogLine } from '../../src/kubelet/runtime/cri-log-writer.js';
import { podStatus, type PodView } from '../../src/kubelet/pods/pod-status.js';
import { newRecord } from '../../src/kubelet/pods/container-record.js';
import { expand } from '../../src/kubelet/pods/container-env.js';
import { serviceEnvVars } from '../../src/kubelet/pods/service-env.js';
import { staticPod } from '../../src/kubelet/static/static-pod.js';

test('hollow commands: sleep, true, false, sh -c "exit N", everything else runs forever', () => {
  assert.deepEqual(simulate(['sleep', '2']), { runMs: 2000, exitCode: 0 });
  assert.deepEqual(simulate(['/bin/true']), { runMs: 0, exitCode: 0 });
  assert.deepEqual(simulate(['false']), { runMs: 0, exitCode: 1 });
  assert.deepEqual(simulate(['sh', '-c', 'exit 7']), { runMs: 0, exitCode: 7 });
  assert.deepEqual(simulate(['/bin/sh', '-c', 'sleep 1; exit 2']), { runMs: 1000, exitCode: 2 });
  assert.equal(simulate(['nginx', '-g', 'daemon off;']).runMs, undefined);
  assert.equal(simulate([]).runMs, undefined);
  assert.equal(simulate(['sleep', 'infinity']).runMs, undefined);
});

test('crash back-off: first restart at once, then 10 s doubling to 5 min, reset after 10 min', () => {
  const b = new CrashBackoff();
  const t = 1_000_000;
  assert.equal(b.remaining('k', t, t), 0);
  assert.equal(b.next('k', t), 10_000);
  assert.equal(b.remaining('k', t + 1000, t + 1000), 10_000);
  assert.equal(b.remaining('k', t + 1000, t + 11_000), 0);
  assert.equal(b.next('k', t + 1000), 20_000);
  let last = 0;
  for (let i = 0; i < 10; i++) last = b.next('k', t + 2000 + i);
  assert.equal(last, 300_000);
  assert.equal(b.next('k', t + 2000 + 601_000), 10_000);
});

test('pod IPs: from the CIDR, skipping network and gateway, reused after release; /24 per hollow node', () => {
  const a = new PodIPAllocator('10.1.2.0/30');
  assert.equal(a.allocate(), '10.1.2.2');
  assert.throws(() => a.allocate(), /exhausted/);
  a.release('10.1.2.2');
  assert.equal(a.allocate(), '10.1.2.2');
  assert.equal(subnet('10.128.0.0/9', 24, 0), '10.128.0.0/24');
  assert.equal(subnet('10.128.0.0/9', 24, 300), '10.129.44.0/24');
  assert.throws(() => subnet('10.0.0.0/24', 24, 1), /no room/);
});

test('KubeletConfiguration file and flags', () => {
  assert.equal(parseDuration('1m30s', 'x'), 90_000);
  assert.equal(parseDuration('500ms', 'x'), 500);
  assert.throws(() => parseDuration('10 s', 'syncFrequency'), /syncFrequency: invalid duration/);
  assert.deepEqual(parseTaints('a=b:NoSchedule,c:NoExecute'), [{ key: 'a', value: 'b', effect: 'NoSchedule' }, { key: 'c', effect: 'NoExecute' }]);
  assert.throws(() => parseTaints('a=b:Sometimes'), /invalid taint/);
  assert.deepEqual(parseLabels('x=1,y=2'), { x: '1', y: '2' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelet-config-'));
  try {
    const f = path.join(dir, 'config.yaml');
    fs.writeFileSync(f, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: /etc/k/manifests\nmaxPods: 20\nnodeStatusUpdateFrequency: 4s\nclusterDNS: [10.96.0.10]\nregisterWithTaints: [{key: k, effect: NoSchedule}]\n');
    const cfg = defaultKubeletConfig();
    applyConfigFile(cfg, f);
    assert.equal(cfg.staticPodPath, '/etc/k/manifests');
    assert.equal(cfg.maxPods, 20);
    assert.equal(cfg.nodeStatusUpdateFrequencyMs, 4000);
    assert.equal(cfg.nodeStatusReportFrequencyMs, 4000);
    assert.deepEqual(cfg.clusterDNS, ['10.96.0.10']);
    // the bare command line opens the read-only port (upstream's legacy default); a file leaves it off
    assert.equal(defaultKubeletConfig().readOnlyPort, 10255);
    assert.equal(cfg.readOnlyPort, 0);
    fs.writeFileSync(f, 'kind: KubeletConfiguration\nreadOnlyPort: 10266\nevictionMinimumReclaim: {memory.available: 0Mi, nodefs.available: 5%}\n');
    const withPort = defaultKubeletConfig();
    applyConfigFile(withPort, f);
    assert.equal(withPort.readOnlyPort, 10266);
    assert.deepEqual(withPort.evictionMinimumReclaim, { 'memory.available': '0Mi', 'nodefs.available': '5%' });
    assert.deepEqual(parseMinimumReclaim('memory.available=500Mi, pid.available=100'), { 'memory.available': '500Mi', 'pid.available': '100' });
    assert.throws(() => parseMinimumReclaim('memory.free=1Gi'), /--eviction-minimum-reclaim: invalid minimum reclaim "memory.free=1Gi"/);
    assert.throws(() => parseMinimumReclaim('memory.available=-1Gi'), /negative reclaim defined for memory.available/);
    assert.throws(() => parseMinimumReclaim('nodefs.available=120%'), /invalid percentage "120%"/);
    fs.writeFileSync(f, 'kind: KubeProxyConfiguration\n');
    assert.throws(() => applyConfigFile(defaultKubeletConfig(), f), /want KubeletConfiguration/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CRI log lines and $(VAR) expansion', () => {
  assert.deepEqual(parseLogLine('2024-05-01T10:00:00.123000000Z stderr P part'), { time: '2024-05-01T10:00:00.123000000Z', stream: 'stderr', partial: true, text: 'part' });
  assert.equal(parseLogLine('garbage'), undefined);
  const vars = new Map([['A', 'x']]);
  assert.equal(expand('$(A)-$$(A)-$(B)', vars), 'x-$(A)-$(B)');
});

test('static pods: NAME-NODE, hash-derived UID, file source, NoExecute toleration; bad manifests say why', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec: {containers: [{name: etcd, image: etcd}]}\n';
  const p = staticPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etcd', namespace: 'kube-system' }, spec: { containers: [{ name: 'etcd', image: 'etcd' }] } }, 'f', text, 'cp');
  assert.equal(p.metadata!.name, 'etcd-cp');
  assert.equal(p.metadata!.uid, p.metadata!.annotations!['kubernetes.io/config.hash']);
  assert.equal(p.metadata!.annotations!['kubernetes.io/config.source'], 'file');
  assert.ok(p.spec!.tolerations!.some((t) => t.operator === 'Exists' && t.effect === 'NoExecute'));
  assert.equal(p.spec!.restartPolicy, 'Always');
  assert.throws(() => staticPod({ kind: 'Service' }, 'svc.yaml', '', 'cp'), /svc\.yaml: want kind Pod/);
  assert.throws(() => staticPod({ kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [] } }, 'x.yaml', '', 'cp'), /containers must not be empty/);
});

function view(policy: string, exits: (number | 'running')[]): PodView {
  const pod = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { restartPolicy: policy, containers: exits.map((_, i) => ({ name: `c${i}`, image: 'i' })) } } as Pod;
  return {
    pod, init: [], sandboxReady: true, podIPs: ['10.0.0.2'], hostIP: '127.0.0.1', runtimeName: 'hollow', terminated: false,
    containers: exits.map((e, i) => ({
      ...newRecord(`c${i}`, false), waiting: undefined, ready: e === 'running', started: e === 'running',
      status: {
        id: `id${i}`, metadata: { name: `c${i}`, attempt: 0 }, state: e === 'running' ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED', createdAt: 1, startedAt: 1, finishedAt: 2,
        exitCode: e === 'running' ? 0 : e, image: 'i', imageRef: 'i', reason: '', message: '', logPath: '', labels: {}, annotations: {},
      },
    })),
  };
}

test('pod phase as upstream: Running while any runs; Succeeded/Failed by restartPolicy', () => {
  assert.equal(podStatus(view('Always', ['running', 0])).phase, 'Running');
  assert.equal(podStatus(view('Never', [0, 0])).phase, 'Succeeded');
  assert.equal(podStatus(view('Never', [0, 1])).phase, 'Failed');
  assert.equal(podStatus(view('OnFailure', [0, 0])).phase, 'Succeeded');
  assert.equal(podStatus(view('OnFailure', [0, 1])).phase, 'Running');
  const s = podStatus(view('Always', ['running']));
  assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  const done = podStatus(view('Never', [0]));
  assert.equal(done.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  assert.equal(done.containerStatuses![0].state!.terminated!.reason, 'Completed');
});

test('Service env vars as upstream: headless and port-less Services skipped, IPv6 in brackets, names upper-cased with _', () => {
  const vars = serviceEnvVars([
    { metadata: { name: 'my-db' }, spec: { clusterIP: 'fd00::a', ports: [{ port: 5432 }] } },
    { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { name: 'empty' }, spec: { clusterIP: '10.0.0.9' } },
  ]);
  assert.deepEqual(Object.fromEntries(vars), {
    MY_DB_SERVICE_HOST: 'fd00::a', MY_DB_SERVICE_PORT: '5432', MY_DB_PORT: 'tcp://[fd00::a]:5432',
    MY_DB_PORT_5432_TCP: 'tcp://[fd00::a]:5432', MY_DB_PORT_5432_TCP_PROTO: 'tcp', MY_DB_PORT_5432_TCP_PORT: '5432', MY_DB_PORT_5432_TCP_ADDR: 'fd00::a',
  });
});
