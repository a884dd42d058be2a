// The kubelet's configuration as a user gives it, on real kubelet processes (hollow runtime):
// a KubeletConfiguration file through --config with flags taking precedence as upstream,
// --max-pods admission (OutOfpods with upstream's reason and message), --register-node=false
// (no Node made, an admin-made one kept up to date), --node-status-update-frequency and
// the report-period rule, --node-labels (reserved kubernetes.io labels refused) and --register-with-taints.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { NODES, PODS } from '../../src/client/index.js';
import { type Env, eventually, getPod, podManifest, startEnv } from './harness.js';

const readyCondition = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kubelet flags and KubeletConfiguration', () => {
  let env: Env;
  const getNode = (name: string) => env.client.resource(NODES).get('', name);
  const config = (name: string, lines: string[]): string => {
    const file = path.join(env.c.dir, `${name}.yaml`);
    fs.writeFileSync(file, ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', ...lines, ''].join('\n'));
    return file;
  };

  before(async () => { env = await startEnv(); });
  after(async () => { await env?.stop(); });

  it('--config file with flags overriding it; --max-pods rejects the pod over the limit with OutOfpods', async () => {
    const file = config('flagged', [
      'maxPods: 5',
      'registerWithTaints: [{key: from-file, value: "yes", effect: NoSchedule}]',
      'nodeStatusUpdateFrequency: 1s',
      'nodeStatusReportFrequency: 1h',
    ]);
    await env.startKubelet('flagged', ['--container-runtime-endpoint', 'hollow://', '--config', file, '--max-pods', '1',
      '--node-labels', 'tier=flags,team=kubelet', '--node-status-update-frequency', '1s']);
    const node = await eventually('node flagged Ready', async () => { const n = await getNode('flagged'); return readyCondition(n)?.status === 'True' ? n : undefined; });
    assert.equal(node.status!.capacity!.pods, '1', '--max-pods 1 beats maxPods: 5 in the file');
    assert.equal(node.status!.allocatable!.pods, '1');
    assert.deepEqual(node.spec!.taints, [{ key: 'from-file', value: 'yes', effect: 'NoSchedule' }], 'registerWithTaints from the file');
    assert.equal(node.metadata!.labels!.tier, 'flags');
    assert.equal(node.metadata!.labels!.team, 'kubelet');

    // the flag also set the report period to 1s (the file's 1h lost): the heartbeat moves
    const t1 = readyCondition(node)!.lastHeartbeatTime!;
    const moved = await eventually('heartbeat re-posted', async () => {
      const t2 = readyCondition(await getNode('flagged'))!.lastHeartbeatTime!;
      return Date.parse(t2) > Date.parse(t1) ? t2 : undefined;
    }, 15_000);
    assert.ok(moved);

    await env.client.resource(PODS).create('default', podManifest('first', 'flagged', { tolerations: [{ operator: 'Exists' }] }));
    await eventually('first Running', async () => (await getPod(env.client, 'first')).status?.phase === 'Running');
    await env.client.resource(PODS).create('default', podManifest('second', 'flagged', { tolerations: [{ operator: 'Exists' }] }));
    const rejected = await eventually('second rejected', async () => {
      const p = await getPod(env.client, 'second');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.equal(rejected.status!.reason, 'OutOfpods');
    assert.equal(rejected.status!.message, 'Pod was rejected: Node didn\'t have enough resource: pods, requested: 1, used: 1, capacity: 1');
    const events = env.c.k('get', 'events', '--field-selector', 'involvedObject.name=second,reason=OutOfpods', '-o', 'jsonpath={.items[*].message}');
    assert.equal(events, 'Node didn\'t have enough resource: pods, requested: 1, used: 1, capacity: 1');
    assert.equal((await getPod(env.client, 'first')).status?.phase, 'Running', 'the admitted pod is untouched');
  });

  it('a file that sets nodeStatusUpdateFrequency with a long report period: an unchanged status is not re-posted', async () => {
    const file = config('quiet', ['nodeStatusUpdateFrequency: 1s', 'nodeStatusReportFrequency: 1h']);
    await env.startKubelet('quiet', ['--container-runtime-endpoint', 'hollow://', '--config', file]);
    await eventually('node quiet Ready', async () => readyCondition(await getNode('quiet'))?.status === 'True');
    // Registration is followed by one status post (as upstream's first sync); on a loaded
    // machine that can land after Ready is first seen. After it, four 1 s update periods must
    // pass without a write; a kubelet re-posting an unchanged status never gets there.
    await eventually('four update periods without a status write', async () => {
      const node = await getNode('quiet');
      await sleep(4000);
      const later = await getNode('quiet');
      return later.metadata!.resourceVersion === node.metadata!.resourceVersion && readyCondition(later)!.lastHeartbeatTime === readyCondition(node)!.lastHeartbeatTime;
    }, 30_000);
  });

  it('a bad --config is refused with a clear error before anything starts', async () => {
    const file = config('bad', ['maxPods: -3']);
    await assert.rejects(env.startKubelet('bad', ['--container-runtime-endpoint', 'hollow://', '--config', file]), /maxPods/);
    const wrongKind = path.join(env.c.dir, 'wrong.yaml');
    fs.writeFileSync(wrongKind, 'apiVersion: v1\nkind: ConfigMap\n');
    await assert.rejects(env.startKubelet('bad2', ['--container-runtime-endpoint', 'hollow://', '--config', wrongKind]), /KubeletConfiguration/);
    await assert.rejects(getNode('bad'), /not found/);
    // reserved kubernetes.io labels are the admin's (kubeadm labels the control plane itself), as upstream's kubelet says
    await assert.rejects(env.startKubelet('bad3', ['--container-runtime-endpoint', 'hollow://', '--node-labels', 'tier=x,node-role.kubernetes.io/worker=,node.kubernetes.io/pool=a']),
      /unknown 'kubernetes\.io' or 'k8s\.io' labels specified with --node-labels: \[node-role\.kubernetes\.io\/worker\]\n--node-labels in the 'kubernetes\.io' namespace must begin with an allowed prefix \(kubelet\.kubernetes\.io, node\.kubernetes\.io\) or be in the specifically allowed set \(beta\.kubernetes\.io\/arch, /);
    await assert.rejects(getNode('bad3'), /not found/);
  });

  it('--register-node=false makes no Node, but keeps an admin-made one\'s status', async () => {
    await env.startKubelet('unregistered', ['--container-runtime-endpoint', 'hollow://', '--register-node=false', '--node-status-update-frequency', '1s']);
    await sleep(3000);
    await assert.rejects(getNode('unregistered'), /not found/);
    await env.client.resource(NODES).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'unregistered', labels: { made: 'by-admin' } } });
    const n = await eventually('status posted to the admin-made node', async () => {
      const x = await getNode('unregistered');
      return readyCondition(x)?.status === 'True' ? x : undefined;
    });
    assert.equal(n.metadata!.labels!.made, 'by-admin');
    assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], undefined, 'labels are a registration matter');
    assert.equal(n.status!.capacity!.pods, '110');
    await env.client.resource(PODS).create('default', podManifest('on-unregistered', 'unregistered', {}));
    await eventually('pod Running on the unregistered kubelet', async () => (await getPod(env.client, 'on-unregistered')).status?.phase === 'Running');
  });
});
