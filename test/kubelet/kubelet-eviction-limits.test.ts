// Eviction by minimum reclaim and by local storage limits, against real processes:
// - a hollow node (declared usage) with --eviction-minimum-reclaim: a threshold acted on stays
//   met until the signal recovers past threshold + minimum reclaim, so a second pod goes
//   although the first eviction brought memory back above the threshold; a pod over its
//   container or pod ephemeral-storage limit is evicted with upstream's message, without a
//   DisruptionTarget condition;
// - a host-process node where a real process fills an emptyDir past its sizeLimit and one
//   writes past its container's ephemeral-storage limit in its own sandbox directory.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, NODES, PODS } from '../../src/client/index.js';
import { type Env, eventually, getPod, podManifest, startEnv } from './harness.js';

const USAGE = 'hollow.tskube.io/usage';

describe('kubelet eviction: minimum reclaim and local storage limits', { timeout: 300_000 }, () => {
  let env: Env;
  const hollow = 'reclaim-node';
  const real = 'storage-node';
  const failed = (name: string) => eventually(`${name} evicted`, async () => { const p = await getPod(env.client, name); return p.status?.phase === 'Failed' ? p : undefined; }, 60_000);
  const running = (name: string) => eventually(`${name} Running`, async () => (await getPod(env.client, name)).status?.phase === 'Running', 60_000);
  const hollowPod = (name: string, usage: Record<string, Record<string, string>>, containers: NonNullable<Pod['spec']>['containers']) => {
    const p = podManifest(name, hollow, { containers });
    p.metadata!.annotations = { [USAGE]: JSON.stringify(usage) };
    return p;
  };

  before(async () => {
    env = await startEnv();
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    // the hollow machine has 256Gi of memory and 100Gi of disk
    await env.startKubelet(hollow, ['--container-runtime-endpoint', 'hollow://', '--node-status-update-frequency', '1s',
      '--eviction-hard', 'memory.available<200Gi', '--eviction-minimum-reclaim', 'memory.available=10Gi', '--eviction-pressure-transition-period', '2s']);
    await env.startKubelet(real, ['--container-runtime-endpoint', 'host-process://', '--eviction-hard', 'memory.available<1Mi']);
  });
  after(async () => { await env?.stop(); });

  it('a threshold acted on stays met until the signal is past threshold + minimum reclaim', async () => {
    // 53Gi within its 60Gi request, 5Gi over none: 198Gi available, under 200Gi
    await env.client.resource(PODS).create('default', hollowPod('big', { main: { memory: '53Gi' } }, [{ name: 'main', image: 'busybox', resources: { requests: { memory: '60Gi' } } }]));
    await running('big');
    await env.client.resource(PODS).create('default', hollowPod('small', { main: { memory: '5Gi' } }, [{ name: 'main', image: 'busybox' }]));
    const small = await failed('small');
    assert.equal(small.status!.message, 'The node was low on resource: memory. Threshold quantity: 200Gi, available: 198Gi. Container main was using 5Gi, request is 0, has larger consumption of memory. ');
    // 203Gi available: above the threshold, below threshold + 10Gi — the next round goes on
    const big = await failed('big');
    assert.equal(big.status!.message, 'The node was low on resource: memory. Threshold quantity: 200Gi, available: 203Gi. ');
    // 256Gi available again: the pressure ends (BestEffort pods are admitted again)
    await eventually('MemoryPressure cleared', async () => ((await env.client.resource(NODES).get('', hollow)) as Node).status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status === 'False', 60_000);
  });

  it('a hollow pod over its container or pod ephemeral-storage limit is evicted, without DisruptionTarget', async () => {
    // within the pod's 2Gi, over main's own 1Gi (the pod's sum is checked first, as upstream)
    await env.client.resource(PODS).create('default', hollowPod('layer', { main: { 'ephemeral-storage': '1536Mi' } },
      [{ name: 'main', image: 'busybox', resources: { limits: { 'ephemeral-storage': '1Gi' } } }, { name: 'side', image: 'busybox', resources: { limits: { 'ephemeral-storage': '1Gi' } } }]));
    await env.client.resource(PODS).create('default', hollowPod('podsum', { main: { 'ephemeral-storage': '600Mi' }, side: { 'ephemeral-storage': '600Mi' } },
      [{ name: 'main', image: 'busybox', resources: { limits: { 'ephemeral-storage': '1Gi' } } }, { name: 'side', image: 'busybox' }]));
    await env.client.resource(PODS).create('default', hollowPod('within', { main: { 'ephemeral-storage': '500Mi' } },
      [{ name: 'main', image: 'busybox', resources: { limits: { 'ephemeral-storage': '1Gi' } } }]));
    const layer = await failed('layer');
    assert.equal(layer.status!.reason, 'Evicted');
    assert.equal(layer.status!.message, 'Container main exceeded its local ephemeral storage limit "1Gi". ');
    assert.equal(layer.status!.conditions!.find((c) => c.type === 'DisruptionTarget'), undefined);
    const podsum = await failed('podsum');
    assert.equal(podsum.status!.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ');
    assert.equal((await getPod(env.client, 'within')).status!.phase, 'Running');
    const events = JSON.parse(env.c.k('get', 'events', '--field-selector', 'involvedObject.name=layer,reason=Evicted', '-o', 'json')) as { items: { type: string; message: string }[] };
    assert.deepEqual(events.items.map((e) => [e.type, e.message]), [['Warning', 'Container main exceeded its local ephemeral storage limit "1Gi". ']]);
  });

  it('a real process filling an emptyDir past its sizeLimit, or its sandbox past its limit, gets its pod evicted', async () => {
    const fill = (where: string, mb: number) => `head -c ${mb * 1024 * 1024} /dev/zero > "${where}/fill"; exec sleep 600`;
    await env.client.resource(PODS).create('default', podManifest('filler', real, {
      volumes: [{ name: 'cache', emptyDir: { sizeLimit: '4Mi' } }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', fill('$CONTAINER_SANDBOX_MOUNT_POINT/cache', 6)], volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }],
    }));
    await env.client.resource(PODS).create('default', podManifest('scribbler', real, {
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', fill('$CONTAINER_SANDBOX_MOUNT_POINT', 6)], resources: { limits: { 'ephemeral-storage': '4Mi' } } }],
    }));
    await env.client.resource(PODS).create('default', podManifest('tidy', real, {
      volumes: [{ name: 'cache', emptyDir: { sizeLimit: '4Mi' } }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', fill('$CONTAINER_SANDBOX_MOUNT_POINT/cache', 1)], volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }],
    }));
    const filler = await failed('filler');
    assert.equal(filler.status!.message, 'Usage of EmptyDir volume "cache" exceeds the limit "4Mi". ');
    assert.ok(filler.status!.containerStatuses![0].state!.terminated, JSON.stringify(filler.status));
    const scribbler = await failed('scribbler');
    // one container: the pod's sum of limits is its limit, and that check comes first
    assert.equal(scribbler.status!.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 4Mi. ');
    assert.equal((await getPod(env.client, 'tidy')).status!.phase, 'Running');
    const shown = env.c.k('get', 'pod', 'filler', 'scribbler', 'tidy', '--no-headers');
    assert.match(shown, /^filler\s+0\/1\s+(Error|Evicted|ContainerStatusUnknown)/m);
  });
});
