// `tskube images build` and `tskube images load` against a real containerd: the archive we
// write is accepted by containerd's importer and the CRI plugin then knows the image.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerdProcess } from '../../src/kubelet/runtime/cri/containerd-process.js';
import { CriRuntime } from '../../src/kubelet/runtime/cri/cri-runtime.js';
import { loudSkip } from './harness.js';

const skip = loudSkip();
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function tskube(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('tskube images', { skip }, () => {
  let dir: string;
  let containerd: ContainerdProcess;
  let runtime: CriRuntime;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-images-'));
    // no pods run here, so no CNI network is needed
    containerd = await ContainerdProcess.start({ dataDir: path.join(dir, 'containerd') });
    runtime = new CriRuntime(containerd.endpoint);
  });
  after(async () => {
    await runtime?.close();
    await containerd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the pause image is in the runtime before any pod', async () => {
    const img = await runtime.imageStatus(containerd.sandboxImage);
    assert.ok(img, `${containerd.sandboxImage} present`);
  });

  test('build writes an archive that load imports; the CRI plugin then has the image', async () => {
    const archive = path.join(dir, 'tools.tar');
    const built = await tskube(['images', 'build', '--name', 'docker.io/example/tools:1.2', '-o', archive]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /^docker\.io\/example\/tools:1\.2 sha256:[0-9a-f]{64} → /);
    assert.equal(await runtime.imageStatus('example/tools:1.2'), undefined);
    const loaded = await tskube(['images', 'load', archive, '--container-runtime-endpoint', containerd.endpoint, '--snapshotter', containerd.snapshotter]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'loaded docker.io/example/tools:1.2\n');
    const img = await runtime.imageStatus('example/tools:1.2');
    assert.ok(img && img.size > 0);
    // the same busybox layer as the pause image: containerd stores it once
    const sizes = (await runtime.listImages()).map((i) => i.repoTags.join(','));
    assert.ok(sizes.includes('docker.io/example/tools:1.2'), sizes.join(' '));
  });

  test('bad input: a missing file or socket is a one-line error and exit 1', async () => {
    const missing = await tskube(['images', 'load', path.join(dir, 'nope.tar'), '--container-runtime-endpoint', containerd.endpoint]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: image archive .*nope\.tar: no such file\n$/);
    const noSocket = await tskube(['images', 'load', path.join(dir, 'tools.tar'), '--container-runtime-endpoint', `unix://${dir}/none.sock`]);
    assert.equal(noSocket.code, 1);
    assert.match(noSocket.stderr, /containerd socket .*none\.sock: no such file/);
    const garbage = path.join(dir, 'garbage.tar');
    fs.writeFileSync(garbage, 'not a tar');
    const bad = await tskube(['images', 'load', garbage, '--container-runtime-endpoint', containerd.endpoint]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: ctr images import/);
  });
});
