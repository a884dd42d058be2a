// A real `tskube kubelet` on a containerd that tskube runs, against a real API server, all
// in a network namespace of the test's own, driven by the real kubectl: busybox pods run,
// crash-loop, get probed, OOM-killed, mount volumes, talk to each other by pod IP, pull
// by policy (and fail to), and leave nothing behind when deleted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { busyboxImage, busyboxLayer } from '../../src/images/busybox-image.js';
import { buildImage, writeOciArchive } from '../../src/images/oci-image.js';
import { loudSkip } from './harness.js';
import { cgroupDirs, type CriCluster, eventually, podLog, startCriCluster } from './kubelet-env.js';

const skip = loudSkip();

const SERVE = 'mkdir -p /tmp/www && echo "hello from $(hostname)" > /tmp/www/index.html';

function podObj(name: string, containers: Container[], spec: Partial<NonNullable<Pod['spec']>> = {}, node?: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    // no service account token: no controller manager publishes kube-root-ca.crt here
    spec: { nodeName: node, terminationGracePeriodSeconds: 2, automountServiceAccountToken: false, containers, ...spec } as NonNullable<Pod['spec']>,
  };
}

const cstatus = (p: Pod, name: string) => [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find((s) => s.name === name);

describe('kubelet on containerd (real containers through CRI)', { skip }, () => {
  let c: CriCluster;
  let node: string;
  const events = async (pod: string) => c.k('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  /** Waits for an event line matching `re` (the kubelet's recorder posts in the background). */
  const sawEvent = (pod: string, re: RegExp) => eventually(`event ${re} on ${pod}`, async () => re.test(await events(pod)));

  before(async () => {
    c = await startCriCluster();
    node = c.nodeName;
    await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello from a configMap' } });
    await c.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { password: 's3cret' } });
    // every pod at once, so their waits overlap; each test then checks its own
    const pods: Pod[] = [
      podObj('hello', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo "hello from $(hostname) as $(id -u)"; cat /etc/resolv.conf; cat /etc/hosts; echo "env=$GREETING"; exec sleep 3600'],
        env: [{ name: 'GREETING', value: 'hi' }] }]),
      podObj('crasher', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 1'] }], { restartPolicy: 'Always' }),
      podObj('oom', [{ name: 'hog', image: 'busybox', command: ['sh', '-c', 'x=$(cat /dev/zero | tr "\\000" a); echo survived'],
        resources: { limits: { memory: '32Mi' }, requests: { memory: '32Mi' } } }], { restartPolicy: 'Never' }),
      podObj('live', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'touch /tmp/ok; sleep 4; rm /tmp/ok; exec sleep 3600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 1, failureThreshold: 1 } }]),
      // httpd starts once the test drops a file into the pod's emptyDir (from the node's side)
      podObj('web', [{ name: 'httpd', image: 'busybox', command: ['sh', '-c', `${SERVE}; until [ -f /trigger/go ]; do sleep 0.2; done; exec httpd -f -p 8080 -h /tmp/www`],
        ports: [{ containerPort: 8080, name: 'http' }], volumeMounts: [{ name: 'trigger', mountPath: '/trigger' }],
        readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }], { volumes: [{ name: 'trigger', emptyDir: {} }] }),
      podObj('volumes', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /work/init.txt /cfg/greeting; echo; cat /sec/password; echo; exec sleep 3600'],
        volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'cfg', mountPath: '/cfg' }, { name: 'sec', mountPath: '/sec', readOnly: true }] }], {
        initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo "written by init" > /work/init.txt'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        volumes: [{ name: 'work', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } }],
      }),
      // 5 MB into its writable layer (CRI ContainerStats' writable_layer): over its own 3Mi, within the pod's 6Mi
      podObj('scratch', [
        { name: 'main', image: 'busybox', command: ['sh', '-c', 'head -c 5242880 /dev/zero > /tmp/fill; exec sleep 3600'], resources: { limits: { 'ephemeral-storage': '3Mi' } } },
        { name: 'side', image: 'busybox', command: ['sleep', '3600'], resources: { limits: { 'ephemeral-storage': '3Mi' } } },
      ]),
      podObj('keeper', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]),
      podObj('goner', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]),
    ];
    for (const p of pods) p.spec!.nodeName = node;
    await c.apply({ apiVersion: 'v1', kind: 'List', items: pods });
  });
  after(async () => {
    if (c && process.env.CRI_TEST_DEBUG) process.stderr.write(c.kubelet.output().slice(-20_000));
    await c?.stop();
  });

  test('the node is Ready once its pod CIDR reaches containerd, and names the runtime', async () => {
    const cond = async () => {
      const n = JSON.parse(await c.k('get', 'node', node, '-o', 'json'));
      return { n, ready: n.status.conditions.find((x: { type: string }) => x.type === 'Ready') };
    };
    // no pod CIDR yet: containerd's CNI is not configured, so the network is not ready
    const before = await eventually('node registered', async () => (await cond()).ready);
    if (before.status !== 'True') assert.match(before.message, /container runtime network not ready: NetworkReady=false/);
    await c.k('patch', 'node', node, '--type', 'merge', '-p', '{"spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"]}}');
    const { n } = await eventually('node Ready', async () => { const x = await cond(); return x.ready.status === 'True' ? x : undefined; });
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/1\./);
  });

  test('a busybox pod runs: Running, pod IP from the CIDR, DNS by ClusterFirst, managed /etc/hosts, its output in /var/log/pods', async () => {
    const p = await eventually('hello Running', async () => { const x = await c.pod('hello'); return x.status?.phase === 'Running' ? x : undefined; });
    const ip = p.status!.podIP!;
    assert.match(ip, /^10\.244\.1\.\d+$/);
    assert.match(cstatus(p, 'main')!.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.match(cstatus(p, 'main')!.imageID!, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
    const out = await eventually('hello output', () => { const s = podLog(c, p, 'main'); return s.includes('env=') ? s : undefined; });
    assert.match(out, /^hello from hello as 0$/m);
    assert.match(out, /^nameserver 10\.96\.0\.10$/m);
    assert.match(out, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(out, /^options ndots:5$/m);
    assert.match(out, new RegExp(`^# Kubernetes-managed hosts file\\.$[\\s\\S]*^${ip.replace(/\./g, '\\.')}\\thello$`, 'm'));
    assert.match(out, /^env=hi$/m);
    // the event recorder posts in the background
    const ev = await eventually('hello events', async () => { const e = await events('hello'); return /^Started:/m.test(e) ? e : undefined; });
    assert.match(ev, /^Pulling: Pulling image "busybox"$/m);
    assert.match(ev, /^Pulled: Successfully pulled image "busybox" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/m);
    assert.match(ev, /^Created: Created container main$/m);
    assert.match(ev, /^Started: Started container main$/m);
    const get = await c.k('get', 'pod', 'hello', '-o', 'wide');
    assert.match(get, /hello\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+cri-node-/);
  });

  test('a crashing container goes to CrashLoopBackOff with a growing restart count', async () => {
    // two restarts take one 10 s back-off plus three container starts. A crash between two
    // relists must still be noticed (containerd 1.6 has no event stream): a kubelet that only
    // saw it at its 60 s pod resync would need two minutes, so the wait stays below that.
    const p = await eventually('crasher restarted twice, in back-off', async () => {
      const x = await c.pod('crasher');
      const s = cstatus(x, 'main');
      if ((s?.restartCount ?? 0) >= 2 && s?.state?.waiting?.reason === 'CrashLoopBackOff') return x;
      throw new Error(`phase ${x.status?.phase}, container status ${JSON.stringify(s ?? null)}`);
    }, 100_000, 1000);
    const s = cstatus(p, 'main')!;
    // the back-off doubles from 10 s: how far it got depends on how long the tests before took
    assert.match(s.state!.waiting!.message!, /^back-off (10s|20s|40s|1m20s|2m40s|5m0s) restarting failed container=main pod=crasher_default\(/);
    assert.equal(s.lastState?.terminated?.exitCode, 1);
    assert.equal(s.lastState?.terminated?.reason, 'Error');
    await eventually('three attempts logged', () => /^boom\nboom\nboom\n/.test(podLog(c, p, 'main')));
    await sawEvent('crasher', /^BackOff: Back-off restarting failed container main in pod crasher_default\(/m);
  });

  test('a memory limit is a cgroup limit: the container is OOMKilled', async () => {
    const p = await eventually('oom Failed', async () => { const x = await c.pod('oom'); return x.status?.phase === 'Failed' ? x : undefined; });
    const t = cstatus(p, 'hog')!.state!.terminated!;
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
    assert.doesNotMatch(podLog(c, p, 'hog'), /survived/);
  });

  test('a container writing past its ephemeral-storage limit in its writable layer gets its pod evicted', async () => {
    // containerd refreshes writable-layer usage every 10 s; the eviction manager looks every 10 s
    const p = await eventually('scratch evicted', async () => { const x = await c.pod('scratch'); return x.status?.phase === 'Failed' ? x : undefined; }, 90_000, 1000);
    assert.equal(p.status!.reason, 'Evicted');
    assert.equal(p.status!.message, 'Container main exceeded its local ephemeral storage limit "3Mi". ');
    await sawEvent('scratch', /^Evicted: Container main exceeded its local ephemeral storage limit "3Mi"\. $/m);
  });

  test('a failing liveness probe (exec through CRI) restarts the container', async () => {
    const p = await eventually('live restarted', async () => { const x = await c.pod('live'); return (cstatus(x, 'main')?.restartCount ?? 0) >= 1 ? x : undefined; }, 60_000);
    assert.equal(cstatus(p, 'main')!.lastState?.terminated?.exitCode, 137);
    await sawEvent('live', /^Unhealthy: Liveness probe failed: /m);
    await sawEvent('live', /^Killing: Container main failed liveness probe, will be restarted$/m);
  });

  test('a readiness probe gates Ready; another pod reaches it over HTTP by pod IP', async () => {
    const early = await eventually('web Running', async () => { const x = await c.pod('web'); return x.status?.phase === 'Running' ? x : undefined; });
    await new Promise((r) => setTimeout(r, 2500)); // a few probe periods
    const still = await c.pod('web');
    assert.equal(cstatus(still, 'httpd')!.ready, false);
    assert.equal(still.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'False');
    await sawEvent('web', /^Unhealthy: Readiness probe failed: /m);
    fs.writeFileSync(path.join(c.kubeletRoot, 'pods', early.metadata!.uid!, 'volumes/kubernetes.io~empty-dir/trigger/go'), '');
    const p = await eventually('web Ready', async () => { const x = await c.pod('web'); return cstatus(x, 'httpd')?.ready ? x : undefined; });
    assert.equal(p.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
    const ip = p.status!.podIP!;
    await c.apply(podObj('client', [{ name: 'main', image: 'busybox', command: ['sh', '-c', `until wget -q -O - http://${ip}:8080/; do sleep 0.3; done; exec sleep 3600`] }], {}, node));
    const client = await eventually('client Running', async () => { const x = await c.pod('client'); return x.status?.phase === 'Running' ? x : undefined; });
    assert.notEqual(client.status!.podIP, ip);
    await eventually('client fetched the page', () => podLog(c, client, 'main') === 'hello from web\n');
  });

  test('init containers run first; configMap, secret and emptyDir volumes are seen from inside', async () => {
    const p = await eventually('volumes Running', async () => { const x = await c.pod('volumes'); return x.status?.phase === 'Running' ? x : undefined; });
    const init = cstatus(p, 'init')!.state!.terminated!;
    assert.equal(init.reason, 'Completed');
    const main = cstatus(p, 'main')!.state!.running!;
    assert.ok(Date.parse(main.startedAt!) >= Date.parse(init.finishedAt!), `main ${main.startedAt} after init ${init.finishedAt}`);
    assert.equal(await eventually('volumes output', () => podLog(c, p, 'main')), 'written by init\nhello from a configMap\ns3cret\n');
  });

  test('an image that cannot be pulled: ErrImagePull, then ImagePullBackOff', async () => {
    const w = c.watchPod('nopull', '{.status.containerStatuses[0].state.waiting.reason} {.status.containerStatuses[0].state.waiting.message}');
    try {
      await c.apply(podObj('nopull', [{ name: 'main', image: 'docker.io/library/no-such-image:1.0', command: ['true'] }], {}, node));
      await eventually('ImagePullBackOff after ErrImagePull', () => {
        const lines = w.lines();
        const first = lines.findIndex((l) => l.startsWith('ErrImagePull '));
        return first >= 0 && lines.slice(first).some((l) => l.startsWith('ImagePullBackOff '));
      }, 60_000);
      const lines = w.lines();
      assert.match(lines.find((l) => l.startsWith('ErrImagePull '))!,
        /^ErrImagePull rpc error: code = (NotFound|Unknown) desc = failed to pull and unpack image "docker\.io\/library\/no-such-image:1\.0"/);
      assert.match(lines.find((l) => l.startsWith('ImagePullBackOff '))!,
        /^ImagePullBackOff Back-off pulling image "docker\.io\/library\/no-such-image:1\.0": ErrImagePull: rpc error: code = (NotFound|Unknown) desc = failed to pull and unpack image/);
    } finally {
      w.stop();
    }
    await sawEvent('nopull', /^Failed: Failed to pull image "docker\.io\/library\/no-such-image:1\.0": rpc error: code = (NotFound|Unknown) desc = /m);
    await sawEvent('nopull', /^Failed: Error: ErrImagePull$/m);
    await sawEvent('nopull', /^BackOff: Back-off pulling image "docker\.io\/library\/no-such-image:1\.0"$/m);
  });

  test('a loaded image (not in any registry) runs with IfNotPresent; Never without the image is ErrImageNeverPull', async () => {
    const archive = path.join(c.dir, 'loaded.tar');
    writeOciArchive(archive, [busyboxImage('docker.io/tskube/loaded:v1')]);
    const r = await c.inNetns([process.execPath, path.resolve('dist/src/cli/main.js'), 'images', 'load', archive,
      '--container-runtime-endpoint', c.containerd.endpoint, '--snapshotter', c.containerd.snapshotter]);
    assert.equal(r.code, 0, r.stderr);
    await c.apply({ apiVersion: 'v1', kind: 'List', items: [
      podObj('loaded', [{ name: 'main', image: 'tskube/loaded:v1', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo loaded; exec sleep 3600'] }], {}, node),
      podObj('never', [{ name: 'main', image: 'tskube/absent:v1', imagePullPolicy: 'Never', command: ['true'] }], {}, node),
    ] });
    await eventually('loaded Running', async () => (await c.pod('loaded')).status?.phase === 'Running');
    await sawEvent('loaded', /^Pulled: Container image "tskube\/loaded:v1" already present on machine$/m);
    assert.doesNotMatch(await events('loaded'), /^Pulling:/m);
    const w = await eventually('never waiting', async () => {
      const s = cstatus(await c.pod('never'), 'main')?.state?.waiting;
      return s?.reason === 'ErrImageNeverPull' ? s : undefined;
    });
    assert.equal(w.message, 'Container image "tskube/absent:v1" is not present with pull policy of Never');
    await sawEvent('never', /^ErrImageNeverPull: Container image "tskube\/absent:v1" is not present with pull policy of Never$/m);
  });

  test('a deleted pod leaves no container, sandbox, network namespace, log, volume or cgroup behind', async () => {
    const names = ['hello', 'volumes', 'web', 'client', 'live'];
    const uids = await Promise.all(names.map(async (n) => (await c.pod(n)).metadata!.uid!));
    await c.k('delete', 'pod', ...names, '--wait=true', '--timeout=60s');
    const sandboxes = await c.runtime.listPodSandbox();
    for (const uid of uids) {
      assert.ok(!sandboxes.some((s) => s.metadata.uid === uid), `no sandbox of ${uid}`);
      assert.ok(!fs.existsSync(path.join(c.kubeletRoot, 'pods', uid)), `no pod dir of ${uid}`);
      assert.ok(!fs.readdirSync(c.podLogsDir).some((d) => d.endsWith(uid)), `no log dir of ${uid}`);
      assert.deepEqual(cgroupDirs(`/tskube-test-${process.pid}`).filter((d) => d.includes(uid)), []);
    }
    const left = await c.runtime.listContainers();
    const live = new Set(sandboxes.map((s) => s.id));
    assert.ok(left.every((x) => live.has(x.podSandboxId)), 'every container belongs to a remaining sandbox');
    const netnsDir = path.join(c.containerd.layout.state, 'io.containerd.grpc.v1.cri', 'netns');
    const netns = fs.existsSync(netnsDir) ? fs.readdirSync(netnsDir) : [];
    assert.equal(netns.length, sandboxes.filter((s) => s.state === 'SANDBOX_READY').length, `netns files ${netns.join(' ')}`);
  });

  test('a restarted kubelet adopts its running pods, removes what was deleted meanwhile, collects unused images, and evicts under disk pressure', async () => {
    const keeper = await eventually('keeper Running', async () => { const x = await c.pod('keeper'); return x.status?.phase === 'Running' ? x : undefined; });
    const goner = await eventually('goner Running', async () => { const x = await c.pod('goner'); return x.status?.phase === 'Running' ? x : undefined; });
    const sandboxesOf = async (uid: string) => (await c.runtime.listPodSandbox()).filter((s) => s.metadata.uid === uid);
    const [keeperSandbox] = await sandboxesOf(keeper.metadata!.uid!);
    // an image no container uses (its own config, so its own image id), which image GC may remove
    const archive = path.join(c.dir, 'unused.tar');
    writeOciArchive(archive, [buildImage({ name: 'docker.io/tskube/unused:v1', layers: [busyboxLayer()], cmd: ['sh', '-c', 'echo unused'] })]);
    const r = await c.inNetns([process.execPath, path.resolve('dist/src/cli/main.js'), 'images', 'load', archive,
      '--container-runtime-endpoint', c.containerd.endpoint, '--snapshotter', c.containerd.snapshotter]);
    assert.equal(r.code, 0, r.stderr);

    await c.kubelet.stop();
    await c.k('delete', 'pod', 'goner', '--grace-period=0', '--force');
    // every disk is "full" for these thresholds: image GC must act
    await c.startKubelet(['--image-gc-high-threshold', '1', '--image-gc-low-threshold', '0', '--minimum-image-ttl-duration', '0s',
      '--image-gc-period', '1s']);

    await eventually('goner sandbox removed', async () => (await sandboxesOf(goner.metadata!.uid!)).length === 0);
    const after = await c.pod('keeper');
    assert.equal(after.status?.phase, 'Running');
    assert.equal(after.status?.podIP, keeper.status!.podIP);
    assert.equal(cstatus(after, 'main')!.containerID, cstatus(keeper, 'main')!.containerID);
    assert.equal(cstatus(after, 'main')!.restartCount, 0);
    assert.deepEqual((await sandboxesOf(keeper.metadata!.uid!)).map((s) => s.id), [keeperSandbox.id]);
    assert.match(c.kubelet.output(), /kubelet: pod default\/keeper adopted running sandbox/);

    await eventually('unused image collected', async () => (await c.runtime.imageStatus('tskube/unused:v1')) === undefined);
    assert.ok(await c.runtime.imageStatus('busybox:latest'), 'busybox is in use: kept');
    assert.ok(await c.runtime.imageStatus(c.containerd.sandboxImage), 'the pause image is kept');

    // an eviction threshold no disk can meet: DiskPressure, and once image GC cannot reclaim
    // enough, pods are evicted (keeper is BestEffort), as upstream's eviction manager does
    await c.kubelet.stop();
    await c.startKubelet(['--eviction-hard', 'imagefs.available<100%']);
    const cond = await eventually('DiskPressure', async () => {
      const n = JSON.parse(await c.k('get', 'node', node, '-o', 'json'));
      const d = n.status.conditions.find((x: { type: string }) => x.type === 'DiskPressure');
      return d.status === 'True' ? d : undefined;
    });
    assert.equal(cond.reason, 'KubeletHasDiskPressure');
    await sawEvent(node, /^EvictionThresholdMet: Attempting to reclaim ephemeral-storage$/m);
    const evicted = await eventually('keeper evicted', async () => { const x = await c.pod('keeper'); return x.status?.phase === 'Failed' ? x : undefined; });
    assert.equal(evicted.status?.reason, 'Evicted');
  });
});
