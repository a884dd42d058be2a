// The kubelet's CRI runtime against a real containerd (started by the test, in its own
// network namespace, pulling from a local registry): version and status, pulls, a pod that
// echoes and exits, CRI logs, exec, an OOM kill, security context, pull errors, cleanup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ImagePullError } from '../../src/kubelet/runtime/cri/image-pull-error.js';
import { readCriLog } from '../../src/kubelet/runtime/cri/cri-log-reader.js';
import { busyboxImage } from '../../src/images/busybox-image.js';
import { writeOciArchive } from '../../src/images/oci-image.js';
import { importImageArchive } from '../../src/images/image-import.js';
import { containerConfig, loudSkip, pod, removePod, runPod, sandboxConfig, startNode, waitExited, type Node } from './harness.js';

const skip = loudSkip();

describe('CRI runtime on containerd', { skip }, () => {
  let node: Node;
  before(async () => { node = await startNode(); });
  after(async () => { await node?.stop(); });

  test('Version and Status speak runtime.v1 and report the runtime and network ready', async () => {
    const v = await node.runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    const conds = Object.fromEntries((await node.runtime.status()).map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { RuntimeReady: true, NetworkReady: true });
  });

  test('pulls busybox through the docker.io mirror on the local registry', async () => {
    const ref = await node.runtime.pullImage('busybox');
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    const img = await node.runtime.imageStatus('busybox:latest');
    assert.equal(img?.id, ref);
    assert.ok(img.repoTags.includes('docker.io/library/busybox:latest'), JSON.stringify(img.repoTags));
    assert.ok((await node.runtime.listImages()).some((i) => i.id === ref));
  });

  test('a container that echoes and exits: Completed, exit 0, output in CRI log format', async () => {
    const p = pod('echo', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo hello from $NAME; echo oops >&2; printf partial'], env: [{ name: 'NAME', value: 'tskube' }] }]);
    const { sandboxId, containerId, sandbox } = await runPod(node, p);
    const s = await waitExited(node, containerId);
    assert.equal(s.exitCode, 0);
    assert.equal(s.reason, 'Completed');
    // Both set; not ordered: containerd stamps startedAt after the start call returns, so a
    // process this short can exit (finishedAt) a moment before it.
    assert.ok(s.startedAt > 0 && s.finishedAt > 0 && Math.abs(s.finishedAt - s.startedAt) < 10_000, JSON.stringify(s));
    assert.equal(s.labels['io.kubernetes.container.name'], 'main');
    assert.equal(s.annotations['io.kubernetes.container.restartCount'], '0');
    const file = path.join(sandbox.logDirectory, 'main/0.log');
    assert.equal(s.logPath, file);
    const raw = fs.readFileSync(file, 'utf8');
    assert.match(raw, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello from tskube$/m);
    assert.match(raw, / stderr F oops$/m);
    assert.match(raw, / stdout P partial$/m);
    assert.equal(readCriLog(file, { stream: 'stdout' }), 'hello from tskube\npartial\n');
    assert.equal(readCriLog(file, { tail: 1, stream: 'stderr' }), 'oops\n');
    await removePod(node, sandboxId);
  });

  test('a failing command exits with its code and reason Error', async () => {
    const p = pod('fail', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 3'] }]);
    const { sandboxId, containerId } = await runPod(node, p);
    const s = await waitExited(node, containerId);
    assert.equal(s.exitCode, 3);
    assert.equal(s.reason, 'Error');
    await removePod(node, sandboxId);
  });

  test('ExecSync runs in the container: hostname is the pod name, exit codes come back', async () => {
    const p = pod('exec-me', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]);
    const { sandboxId, containerId } = await runPod(node, p);
    const st = await node.runtime.containerStatus(containerId);
    assert.equal(st.state, 'CONTAINER_RUNNING');
    const r = await node.runtime.execSync(containerId, ['hostname'], 10);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout.toString().trim(), 'exec-me');
    const bad = await node.runtime.execSync(containerId, ['sh', '-c', 'echo no >&2; exit 7'], 10);
    assert.equal(bad.exitCode, 7);
    assert.equal(bad.stderr.toString(), 'no\n');
    await node.runtime.stopContainer(containerId, 2);
    const stopped = await node.runtime.containerStatus(containerId);
    assert.equal(stopped.state, 'CONTAINER_EXITED');
    await removePod(node, sandboxId);
  });

  test('a memory limit is a cgroup limit: exceeding it is OOMKilled', async () => {
    const p = pod('oom', [{
      name: 'hog', image: 'busybox',
      command: ['sh', '-c', 'x=$(cat /dev/zero | tr "\\000" a); echo survived'],
      resources: { limits: { memory: '32Mi' }, requests: { memory: '32Mi' } },
    }]);
    const { sandboxId, containerId } = await runPod(node, p);
    const s = await waitExited(node, containerId);
    assert.equal(s.reason, 'OOMKilled');
    assert.equal(s.exitCode, 137);
    await removePod(node, sandboxId);
  });

  test('security context: runAsUser/runAsGroup, read-only root filesystem, dropped capabilities', async () => {
    const p = pod('secure', [{
      name: 'main', image: 'busybox', command: ['sleep', '3600'],
      securityContext: { runAsUser: 1000, runAsGroup: 2000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    }]);
    const { sandboxId, containerId } = await runPod(node, p);
    const id = await node.runtime.execSync(containerId, ['sh', '-c', 'id -u; id -g'], 10);
    assert.equal(id.stdout.toString(), '1000\n2000\n');
    const touch = await node.runtime.execSync(containerId, ['touch', '/newfile'], 10);
    assert.notEqual(touch.exitCode, 0);
    assert.match(touch.stderr.toString(), /Read-only file system/);
    const caps = await node.runtime.execSync(containerId, ['sh', '-c', 'grep CapEff /proc/self/status'], 10);
    assert.match(caps.stdout.toString(), /CapEff:\s+0+$/m);
    await removePod(node, sandboxId);
  });

  test('an image that is not in the registry fails with ErrImagePull', async () => {
    await assert.rejects(node.runtime.pullImage('docker.io/library/no-such-image:1.0'), (err: unknown) => {
      assert.ok(err instanceof ImagePullError);
      assert.equal(err.reason, 'ErrImagePull');
      assert.match(err.message, /no-such-image/);
      return true;
    });
    assert.equal(await node.runtime.imageStatus('docker.io/library/no-such-image:1.0'), undefined);
  });

  test('an imported archive (tskube images load) runs without any registry', async () => {
    const archive = path.join(node.dir, 'loaded.tar');
    writeOciArchive(archive, [busyboxImage('docker.io/tskube/loaded:v1')]);
    const names = await importImageArchive(archive, { address: node.containerd.layout.socket, snapshotter: node.containerd.snapshotter });
    assert.deepEqual(names, ['docker.io/tskube/loaded:v1']);
    const img = await node.runtime.imageStatus('tskube/loaded:v1');
    assert.ok(img, 'image present after import');
    const p = pod('loaded', [{ name: 'main', image: 'tskube/loaded:v1', command: ['echo', 'loaded'] }]);
    const sandbox = sandboxConfig(node, p);
    const sandboxId = await node.runtime.runPodSandbox(sandbox);
    const cid = await node.runtime.createContainer(sandboxId, containerConfig(p, p.spec!.containers[0]), sandbox);
    await node.runtime.startContainer(cid);
    assert.equal((await waitExited(node, cid)).exitCode, 0);
    assert.equal(readCriLog(path.join(sandbox.logDirectory, 'main/0.log')), 'loaded\n');
    await removePod(node, sandboxId);
    await node.runtime.removeImage('tskube/loaded:v1');
    assert.equal(await node.runtime.imageStatus('tskube/loaded:v1'), undefined);
  });

  test('removing pods leaves no containers, sandboxes or network namespaces', async () => {
    const p = pod('leftover', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]);
    await runPod(node, p);
    for (const s of await node.runtime.listPodSandbox()) {
      for (const c of await node.runtime.listContainers({ podSandboxId: s.id })) {
        await node.runtime.stopContainer(c.id, 1);
        await node.runtime.removeContainer(c.id);
      }
      await removePod(node, s.id);
    }
    assert.deepEqual(await node.runtime.listContainers(), []);
    assert.deepEqual(await node.runtime.listPodSandbox(), []);
    const netnsDir = path.join(node.containerd.layout.state, 'io.containerd.grpc.v1.cri', 'netns');
    const left = fs.existsSync(netnsDir) ? fs.readdirSync(netnsDir) : [];
    assert.deepEqual(left, []);
    // removal is idempotent, as CRI requires
    await node.runtime.removePodSandbox('0'.repeat(64));
    await node.runtime.removeContainer('0'.repeat(64));
  });
});
