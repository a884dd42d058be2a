// Exec through containerd's own streaming server, as the kubelet proxies it: the CRI Exec
// call returns a URL, and tskube's SPDY/3.1 client (the framing the kubelet's proxy and the
// API server use) runs a command there — output, stdin and the exit code as a Status.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loudSkip, pod, runPod, startNode, type Node } from './harness.js';

const skip = loudSkip();
const client = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spdy-exec-client.js');

describe('streaming through containerd (CRI Exec/Attach URLs)', { skip }, () => {
  let node: Node;
  let containerId: string;
  before(async () => {
    node = await startNode();
    ({ containerId } = await runPod(node, pod('streamer', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo up; exec sleep 600'] }])));
  });
  after(async () => { await node?.stop(); });

  const run = (url: string, input?: string) => JSON.parse(execFileSync('ip', ['netns', 'exec', node.netns, process.execPath, client, url, ...(input === undefined ? [] : [input])],
    { encoding: 'utf8', timeout: 60_000 })) as { protocol: string; stdout: string; stderr: string; error: string };

  it('runs a command and reports its exit code', async () => {
    const url = await node.runtime.execUrl(containerId, ['sh', '-c', 'echo out; echo err >&2; hostname; exit 5'], { stdout: true, stderr: true });
    const r = run(url);
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    assert.equal(r.stdout, 'out\nstreamer\n');
    assert.equal(r.stderr, 'err\n');
    const status = JSON.parse(r.error) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes.find((c) => c.reason === 'ExitCode')?.message, '5');
  });

  it('feeds stdin', async () => {
    const url = await node.runtime.execUrl(containerId, ['cat'], { stdin: true, stdout: true, stderr: true });
    const r = run(url, 'through containerd\n');
    assert.equal(r.stdout, 'through containerd\n');
    assert.match(r.error, /"status":"Success"|^$/);
  });
});
