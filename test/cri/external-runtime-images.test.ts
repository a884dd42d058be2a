// `tskube up --container-runtime-endpoint` on a containerd that is not tskube's: its own
// config names another sandbox image (as Debian's default registry.k8s.io/pause does), which it
// does not have, and it lacks the add-on image. up's import puts both in, under those names,
// so a pod sandbox runs with nothing pulled; a second run imports nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importImagesToExternalRuntime } from '../../src/admin/up/external-runtime.js';
import { ADDON_IMAGE } from '../../src/admin/addons/addon-input.js';
import { ContainerdProcess } from '../../src/kubelet/runtime/cri/containerd-process.js';
import { CriClient } from '../../src/kubelet/runtime/cri/cri-client.js';
import { loudSkip } from './harness.js';

const skip = loudSkip();
const SANDBOX = 'registry.k8s.io/pause:3.9-tskube-test';

describe('images imported into an external CRI runtime', { skip }, () => {
  let dir: string;
  let containerd: ContainerdProcess;
  let cri: CriClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-extrt-'));
    // a sandbox image other than tskube's is left to the runtime (not imported at start)
    containerd = await ContainerdProcess.start({ dataDir: path.join(dir, 'containerd'), sandboxImage: SANDBOX });
    cri = new CriClient(containerd.endpoint);
  });
  after(async () => {
    cri?.close();
    await containerd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the pause image under the runtime\'s own name and the add-on image, once', async () => {
    assert.equal(await cri.imageStatus(SANDBOX), undefined);
    assert.equal(await cri.imageStatus(ADDON_IMAGE), undefined);
    const lines: string[] = [];
    const imported = await importImagesToExternalRuntime(containerd.endpoint, path.join(dir, 'images'), (m) => lines.push(m));
    assert.deepEqual(imported, [SANDBOX, ADDON_IMAGE]);
    assert.ok(await cri.imageStatus(SANDBOX));
    assert.ok(await cri.imageStatus(ADDON_IMAGE));
    // the imported pause image is what the runtime runs a sandbox with (host network: no CNI here)
    const config = { metadata: { name: 'p', namespace: 'default', uid: `uid-${process.pid}`, attempt: 0 }, logDirectory: path.join(dir, 'logs'),
      linux: { securityContext: { namespaceOptions: { network: 'NODE' as const } } } };
    fs.mkdirSync(config.logDirectory);
    const sb = await cri.runPodSandbox(config);
    assert.equal((await cri.podSandboxStatus(sb)).status.state, 'SANDBOX_READY');
    await cri.stopPodSandbox(sb);
    await cri.removePodSandbox(sb);
    assert.deepEqual(await importImagesToExternalRuntime(containerd.endpoint, path.join(dir, 'images'), (m) => lines.push(m)), []);
    assert.deepEqual(lines, []);
  });

  test('an endpoint nobody serves is a clear error', async () => {
    await assert.rejects(importImagesToExternalRuntime(`unix://${dir}/none.sock`, path.join(dir, 'images'), () => {}),
      /--container-runtime-endpoint unix:\/\/.*none\.sock: no CRI runtime answers there/);
  });
});
