// Pure logic behind the kubelet's CRI features: image references and default tags, pull
// secrets matched to registries, Go-style durations in events, eviction thresholds, the
// managed /etc/hosts, systemd cgroup names, and the image manager's policy decisions over a
// scripted runtime (the real-runtime behaviour is in kubelet-containerd.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { applyDefaultTag, normalizedImageName, parseImageRef } from '../../src/kubelet/images/image-ref.js';
import { credentialsFor } from '../../src/kubelet/images/pull-secrets.js';
import { goDuration, ImageError, ImageManager } from '../../src/kubelet/images/image-manager.js';
import { crossed, pressureOf, thresholdValue } from '../../src/kubelet/node/eviction-signals.js';
import { checkImageGCThresholds, parseEvictionThresholds } from '../../src/kubelet/config/kubelet-config.js';
import { etcHostsContent } from '../../src/kubelet/pods/etc-hosts.js';
import { podCgroupParent } from '../../src/kubelet/runtime/cri/pod-cri-config.js';
import { HollowRuntime } from '../../src/kubelet/runtime/hollow-runtime.js';
import type { Image } from '../../src/kubelet/runtime/runtime-service.js';
import { fromCriContainerStats } from '../../src/kubelet/runtime/cri/cri-stats.js';
import { CpuRates } from '../../src/kubelet/stats/summary.js';

test('image references: registry, repository, tag and digest; default tag; bad names refused', () => {
  assert.deepEqual(parseImageRef('busybox'), { registry: 'docker.io', repository: 'library/busybox', tag: undefined, digest: undefined });
  assert.deepEqual(parseImageRef('127.0.0.1:5000/team/app:v2'), { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v2', digest: undefined });
  assert.equal(parseImageRef('localhost/x').registry, 'localhost');
  assert.equal(parseImageRef(`quay.io/a/b@sha256:${'a'.repeat(64)}`).digest, `sha256:${'a'.repeat(64)}`);
  assert.equal(applyDefaultTag('busybox'), 'busybox:latest');
  assert.equal(applyDefaultTag('registry:5000/busybox'), 'registry:5000/busybox:latest');
  assert.equal(applyDefaultTag('busybox:1.36'), 'busybox:1.36');
  assert.equal(normalizedImageName('busybox'), 'docker.io/library/busybox:latest');
  for (const bad of ['Busybox', 'busybox:', 'a//b', 'busybox@sha256:short', ' busybox']) {
    assert.throws(() => applyDefaultTag(bad), /couldn't parse image name .*: invalid reference format/, bad);
  }
});

const dockerSecret = (auths: Record<string, object>, type = 'kubernetes.io/dockerconfigjson'): Secret => ({
  metadata: { name: 's' }, type,
  data: type === 'kubernetes.io/dockerconfigjson'
    ? { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') }
    : { '.dockercfg': Buffer.from(JSON.stringify(auths)).toString('base64') },
});

test('pull secrets: matched by registry host, port and path; docker.io spellings; auth decoded', () => {
  const hub = dockerSecret({ 'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') } });
  assert.deepEqual(credentialsFor('busybox', [hub]), [{ username: 'hubuser', password: 'hubpass', serverAddress: 'docker.io' }]);
  const local = dockerSecret({ '127.0.0.1:5001': { username: 'u', password: 'p' }, '127.0.0.1:5001/team': { username: 'team', password: 't' } });
  assert.deepEqual(credentialsFor('127.0.0.1:5001/team/app:v1', [local]).map((a) => a.username), ['team', 'u']);
  assert.deepEqual(credentialsFor('127.0.0.1:5001/other/app', [local]).map((a) => a.username), ['u']);
  assert.deepEqual(credentialsFor('127.0.0.1:5002/team/app', [local]), []);
  const glob = dockerSecret({ '*.example.com': { username: 'g', password: 'x' } }, 'kubernetes.io/dockercfg');
  assert.deepEqual(credentialsFor('reg.example.com/app', [glob]).map((a) => a.username), ['g']);
  assert.deepEqual(credentialsFor('a.reg.example.com/app', [glob]), []);
  assert.deepEqual(credentialsFor('busybox', [{ metadata: { name: 'opaque' }, data: { x: 'eQ==' } }]), []);
});

test('durations print as Go prints them; eviction thresholds parse and compare; GC thresholds validated', () => {
  assert.equal(goDuration(312), '312ms');
  assert.equal(goDuration(1210), '1.21s');
  assert.equal(goDuration(27_880), '27.88s');
  assert.equal(goDuration(63_500), '1m3.5s');
  assert.equal(goDuration(300_000), '5m0s');
  assert.deepEqual(parseEvictionThresholds('memory.available<100Mi,nodefs.available<10%'), { 'memory.available': '100Mi', 'nodefs.available': '10%' });
  assert.throws(() => parseEvictionThresholds('disk<1'), /invalid threshold "disk<1"/);
  assert.equal(thresholdValue('10%', 1000), 100);
  assert.equal(thresholdValue('100Mi', 0), 100 * 2 ** 20);
  const obs = { 'nodefs.available': { available: 50, capacity: 1000 }, 'memory.available': { available: 2 ** 30, capacity: 2 ** 32 } };
  const sig = crossed({ 'nodefs.available': '10%', 'memory.available': '100Mi', 'imagefs.available': '15%' }, obs);
  assert.deepEqual(sig, ['nodefs.available']);
  assert.deepEqual(pressureOf(sig), { memoryPressure: false, diskPressure: true, pidPressure: false });
  checkImageGCThresholds(85, 80);
  assert.throws(() => checkImageGCThresholds(80, 85), /must be less than imageGCHighThresholdPercent/);
  assert.throws(() => checkImageGCThresholds(101, 80), /between 0 and 100/);
});

test('managed /etc/hosts and systemd cgroup names', () => {
  const pod: Pod = { metadata: { name: 'web-0', namespace: 'shop', uid: 'ab-cd' }, spec: { containers: [], hostname: 'web-0', subdomain: 'web', hostAliases: [{ ip: '10.0.0.9', hostnames: ['db', 'db.local'] }] } };
  const text = etcHostsContent(pod, ['10.244.1.7'], 'cluster.local');
  assert.match(text, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
  assert.match(text, /^10\.244\.1\.7\tweb-0\.web\.shop\.svc\.cluster\.local\tweb-0$/m);
  assert.match(text, /# Entries added by HostAliases\.\n10\.0\.0\.9\tdb\tdb\.local\n$/);
  assert.equal(podCgroupParent(pod, '/kubepods', 'systemd'), 'kubepods-besteffort-podab_cd.slice');
  assert.equal(podCgroupParent(pod, '/kubepods', 'cgroupfs'), '/kubepods/besteffort/podab-cd');
});

/** The hollow runtime with a scripted image store and pull results. */
class ScriptedRuntime extends HollowRuntime {
  present = new Map<string, Image>();
  failPulls = 0;
  pulls: string[] = [];
  override async imageStatus(image: string): Promise<Image> { return this.present.get(image)!; }
  override async pullImage(image: string): Promise<string> {
    this.pulls.push(image);
    if (this.failPulls > 0) { this.failPulls--; throw new Error('rpc error: code = NotFound desc = not found'); }
    const img = { id: `sha256:${image.length}`, repoTags: [image], size: 42 };
    this.present.set(image, img);
    return img.id;
  }
}

test('image manager: Always pulls, IfNotPresent uses what is there, Never refuses; failures back off', async () => {
  const rt = new ScriptedRuntime();
  const m = new ImageManager({ runtime: rt });
  const pod: Pod = { metadata: { name: 'p', namespace: 'd', uid: 'u1' }, spec: { containers: [] } };
  const events: string[] = [];
  const ev = (_t: string, reason: string, msg: string) => { events.push(`${reason}: ${msg}`); };
  assert.equal(await m.ensureImageExists(pod, { name: 'c', image: 'app:v1', imagePullPolicy: 'IfNotPresent' }, [], undefined, ev), 'sha256:6');
  assert.match(events.join('\n'), /^Pulling: Pulling image "app:v1"\nPulled: Successfully pulled image "app:v1" in \d+ms \(\d+ms including waiting\)\. Image size: 42 bytes\.$/);
  events.length = 0;
  await m.ensureImageExists(pod, { name: 'c', image: 'app:v1', imagePullPolicy: 'IfNotPresent' }, [], undefined, ev);
  assert.deepEqual(events, ['Pulled: Container image "app:v1" already present on machine']);
  await m.ensureImageExists(pod, { name: 'c', image: 'app:v1', imagePullPolicy: 'Always' }, [], undefined, ev);
  assert.deepEqual(rt.pulls, ['app:v1', 'app:v1']);
  await assert.rejects(m.ensureImageExists(pod, { name: 'c', image: 'gone:v1', imagePullPolicy: 'Never' }, [], undefined, ev),
    (e: ImageError) => e.reason === 'ErrImageNeverPull' && e.message === 'Container image "gone:v1" is not present with pull policy of Never');
  rt.failPulls = 1;
  await assert.rejects(m.ensureImageExists(pod, { name: 'c', image: 'bad:v1' }, [], undefined, ev), (e: ImageError) => e.reason === 'ErrImagePull');
  await assert.rejects(m.ensureImageExists(pod, { name: 'c', image: 'bad:v1' }, [], undefined, ev),
    (e: ImageError) => e.reason === 'ImagePullBackOff' && /^Back-off pulling image "bad:v1": ErrImagePull: rpc error/.test(e.message) && e.retryInMs > 5000);
  assert.equal(rt.pulls.filter((p) => p === 'bad:v1').length, 1, 'no pull while backing off');
  await assert.rejects(m.ensureImageExists(pod, { name: 'c', image: 'UPPER' }, [], undefined, ev), (e: ImageError) => e.reason === 'InvalidImageName');
});

test('CRI container stats: nanoseconds to seconds and ms; unreadable cgroups are no usage; CPU rates between samples', () => {
  const u = fromCriContainerStats({
    attributes: { id: 'c1', metadata: { name: 'main', attempt: 0 }, labels: {} },
    cpu: { timestamp: '1700000000123456789', usageCoreNanoSeconds: { value: '2500000000' }, usageNanoCores: null },
    memory: { timestamp: '1700000000123456789', workingSetBytes: { value: '4096' }, availableBytes: null, usageBytes: { value: '8192' }, rssBytes: null, pageFaults: null, majorPageFaults: null },
    writableLayer: null,
  });
  assert.deepEqual({ cpu: u?.cpuSeconds, ws: u?.memoryWorkingSetBytes, t: u?.timestamp, usage: u?.memoryUsageBytes, rate: u?.usageNanoCores },
    { cpu: 2.5, ws: 4096, t: 1700000000123, usage: 8192, rate: undefined });
  assert.equal(fromCriContainerStats({ attributes: { id: 'c2', metadata: null, labels: {} }, cpu: null, memory: null, writableLayer: null }), undefined);
  const r = new CpuRates();
  assert.equal(r.rate('c', 1, 1000), undefined); // one sample: no rate yet
  assert.equal(r.rate('c', 1.5, 3000), 250_000_000); // 0.5 core-seconds over 2 s
  // 30 ms later: the window is still the last full second or more, not the 30 ms burst
  assert.equal(r.rate('c', 1.53, 3030), Math.round((0.53 / 2.03) * 1e9));
  assert.equal(r.rate('c', 2, 4100), Math.round((0.47 / 1.07) * 1e9)); // base: the 3030 sample
  assert.equal(r.rate('c', 0.1, 4200), undefined); // restarted: the counter went back
  r.keep(new Set());
  assert.equal(r.rate('c', 5, 9000), undefined); // forgotten
});
