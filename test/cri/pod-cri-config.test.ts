// Pure translations the CRI runtime relies on: requests/limits → cgroup values and OOM
// scores, QoS classes, DNS policy, security contexts, CRI log parsing, and our tar writer
// checked by GNU tar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { linuxResources, milliCPUToQuota, milliCPUToShares } from '../../src/kubelet/runtime/cri/linux-resources.js';
import { podQOSClass } from '../../src/kubelet/runtime/cri/pod-qos.js';
import { podDNSConfig, parseResolvConf } from '../../src/kubelet/runtime/cri/dns-config.js';
import { containerSecurityContext } from '../../src/kubelet/runtime/cri/security-context.js';
import { podCgroupParent, portMappings } from '../../src/kubelet/runtime/cri/pod-cri-config.js';
import { parseCriLog, selectLogLines } from '../../src/kubelet/runtime/cri/cri-log-reader.js';
import { exitReason } from '../../src/kubelet/runtime/cri/cri-runtime.js';
import { tarBuffer } from '../../src/images/tar-writer.js';

const mk = (resources: object, extra: object = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns1', uid: 'u-1' },
  spec: { containers: [{ name: 'c', image: 'busybox', resources, ...extra }] },
} as Pod);

test('cpu and memory: shares from requests, CFS quota and memory from limits, OOM score by QoS', () => {
  assert.equal(milliCPUToShares(0), 2);
  assert.equal(milliCPUToShares(250), 256);
  assert.equal(milliCPUToQuota(500), 50_000);
  assert.equal(milliCPUToQuota(1), 1000); // never below 1 ms
  const g = mk({ limits: { cpu: '500m', memory: '64Mi' } });
  assert.equal(podQOSClass(g), 'Guaranteed');
  assert.deepEqual(linuxResources(g, g.spec!.containers[0], 8 * 2 ** 30), {
    cpuShares: '512', oomScoreAdj: '-997', cpuPeriod: '100000', cpuQuota: '50000', memoryLimitInBytes: String(64 << 20),
  });
  const b = mk({ requests: { memory: '1Gi' } });
  assert.equal(podQOSClass(b), 'Burstable');
  assert.equal(linuxResources(b, b.spec!.containers[0], 4 * 2 ** 30).oomScoreAdj, '750');
  const be = mk({});
  assert.equal(podQOSClass(be), 'BestEffort');
  assert.equal(linuxResources(be, be.spec!.containers[0], 4 * 2 ** 30).oomScoreAdj, '1000');
  assert.equal(podCgroupParent(g, '/kubepods'), '/kubepods/podu-1');
  assert.equal(podCgroupParent(b, '/kubepods/'), '/kubepods/burstable/podu-1');
});

test('DNS: ClusterFirst search path, host network falls back to the node, None keeps only dnsConfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-dns-'));
  const resolvConf = path.join(dir, 'resolv.conf');
  fs.writeFileSync(resolvConf, '# node\nnameserver 192.0.2.53\nsearch example.org\noptions edns0\n');
  try {
    const p = mk({});
    assert.deepEqual(podDNSConfig(p, { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf }), {
      servers: ['10.96.0.10'], searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'example.org'], options: ['ndots:5'],
    });
    p.spec!.hostNetwork = true;
    assert.deepEqual(podDNSConfig(p, { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', resolvConf }), parseResolvConf(fs.readFileSync(resolvConf, 'utf8')));
    const none = mk({});
    none.spec!.dnsPolicy = 'None';
    none.spec!.dnsConfig = { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] };
    assert.deepEqual(podDNSConfig(none, { clusterDNS: [], clusterDomain: 'cluster.local', resolvConf }), { servers: ['1.1.1.1'], searches: [], options: ['ndots:2', 'rotate'] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('security context: container overrides pod, privileged unmasks /proc, ports become mappings', () => {
  const p = mk({}, { securityContext: { runAsUser: 5, capabilities: { add: ['NET_ADMIN'] }, allowPrivilegeEscalation: false }, ports: [{ containerPort: 80, hostPort: 8080 }] });
  p.spec!.securityContext = { runAsUser: 1, runAsGroup: 7, fsGroup: 9 };
  const sc = containerSecurityContext(p, p.spec!.containers[0]);
  assert.deepEqual(sc.runAsUser, { value: '5' });
  assert.deepEqual(sc.runAsGroup, { value: '7' });
  assert.deepEqual(sc.supplementalGroups, ['9']);
  assert.deepEqual(sc.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: [] });
  assert.equal(sc.noNewPrivs, true);
  assert.ok(sc.maskedPaths!.includes('/proc/kcore'));
  const priv = mk({}, { securityContext: { privileged: true } });
  assert.deepEqual(containerSecurityContext(priv, priv.spec!.containers[0]).maskedPaths, []);
  assert.deepEqual(portMappings(p), [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
});

test('CRI logs: partial records join, streams and tail select whole lines, junk is skipped', () => {
  const text = [
    '2024-05-01T10:00:00.000000001Z stdout P hel',
    '2024-05-01T10:00:00.000000002Z stderr F err1',
    '2024-05-01T10:00:00.000000003Z stdout F lo',
    'garbage',
    '2024-05-01T10:00:01.000000000Z stdout F second',
    '',
  ].join('\n');
  const lines = parseCriLog(text);
  assert.deepEqual(lines.map((l) => `${l.stream}:${l.text}`), ['stderr:err1', 'stdout:hello', 'stdout:second']);
  assert.deepEqual(selectLogLines(lines, { stream: 'stdout', tail: 1 }).map((l) => l.text), ['second']);
  assert.deepEqual(selectLogLines(lines, { sinceTime: '2024-05-01T10:00:00.5Z' }).map((l) => l.text), ['second']);
  assert.equal(exitReason('CONTAINER_EXITED', 137, 'OOMKilled'), 'OOMKilled');
  assert.equal(exitReason('CONTAINER_EXITED', 0, ''), 'Completed');
  assert.equal(exitReason('CONTAINER_EXITED', 2, ''), 'Error');
});

test('tar writer: GNU tar lists and extracts what we write (long names, symlinks, modes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-tar-'));
  try {
    const long = 'd/' + 'x'.repeat(120) + '/file.txt';
    const tar = tarBuffer([
      { name: 'bin', type: 'dir' },
      { name: 'bin/tool', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\n') },
      { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
      { name: long, type: 'file', data: Buffer.alloc(1000, 'a') },
    ]);
    const file = path.join(dir, 't.tar');
    fs.writeFileSync(file, tar);
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    assert.match(listing, /^-rwxr-xr-x root\/root\s+10 .* bin\/tool$/m);
    assert.match(listing, /bin\/alias -> tool$/m);
    execFileSync('tar', ['-xf', file, '-C', dir]);
    assert.equal(fs.readFileSync(path.join(dir, long), 'utf8'), 'a'.repeat(1000));
    assert.equal(fs.readlinkSync(path.join(dir, 'bin/alias')), 'tool');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
