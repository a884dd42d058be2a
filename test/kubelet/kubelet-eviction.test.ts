// Node-pressure eviction on a hollow node, whose pods declare their usage
// (hollow.tskube.io/usage), so that every figure is known: a hard memory threshold sets
// MemoryPressure, refuses BestEffort pods at admission while a Burstable one runs, never
// evicts a critical pod, and evicts pods using more than they requested — largest excess
// first, one per round — until the signal is back above the threshold, each left Failed with
// reason Evicted, upstream's message, a DisruptionTarget condition and an Evicted event; a
// soft PID threshold evicts only once its grace period passed. Read back with the real kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NODES, PODS } from '../../src/client/index.js';
import { type Env, eventually, getPod, type KubeletProc, podManifest, startEnv } from './harness.js';

const USAGE = 'hollow.tskube.io/usage';

describe('kubelet node-pressure eviction (hollow runtime, declared usage)', () => {
  let env: Env;
  let k: KubeletProc;
  const node = 'evict-node';
  const condition = async (type: string) => ((await env.client.resource(NODES).get('', node)) as Node).status?.conditions?.find((c) => c.type === type);
  const pod = (name: string, usage: Record<string, unknown> | undefined, extra: Partial<NonNullable<Pod['spec']>> = {}, requests?: Record<string, string>): Pod => {
    const p = podManifest(name, node, { containers: [{ name: 'main', image: 'busybox', ...(requests ? { resources: { requests } } : {}) }], ...extra });
    if (usage) p.metadata!.annotations = { [USAGE]: JSON.stringify({ main: usage }) };
    return p;
  };
  const running = (name: string) => eventually(`${name} Running`, async () => (await getPod(env.client, name)).status?.phase === 'Running', 60_000);
  const setUsage = (name: string, usage: Record<string, unknown>) => env.c.k('annotate', 'pod', name, '--overwrite', `${USAGE}=${JSON.stringify({ main: usage })}`);

  before(async () => {
    env = await startEnv();
    // the hollow machine: 256Gi of memory, pid capacity 4194304
    k = await env.startKubelet(node, ['--container-runtime-endpoint', 'hollow://', '--node-status-update-frequency', '1s',
      '--eviction-hard', 'memory.available<200Gi', '--eviction-pressure-transition-period', '2s',
      '--eviction-soft', 'pid.available<4194204', '--eviction-soft-grace-period', 'pid.available=3s', '--eviction-max-pod-grace-period', '5']);
  });
  after(async () => {
    if (process.env.KUBELET_DEBUG) process.stderr.write(k?.output() ?? '');
    await env?.stop();
  });

  it('under memory pressure: BestEffort pods refused at admission, Burstable admitted, the critical pod never evicted', async () => {
    await env.client.resource(PODS).create('default', pod('crit', { memory: '60Gi' }, { priorityClassName: 'system-node-critical' }));
    await running('crit');
    const mp = await eventually('MemoryPressure', async () => { const c = await condition('MemoryPressure'); return c?.status === 'True' ? c : undefined; }, 40_000);
    assert.equal(mp.reason, 'KubeletHasInsufficientMemory');
    assert.equal(mp.message, 'kubelet has insufficient memory available');
    await env.client.resource(PODS).create('default', pod('late', undefined));
    const late = await eventually('late rejected', async () => { const p = await getPod(env.client, 'late'); return p.status?.phase === 'Failed' ? p : undefined; });
    assert.equal(late.status!.reason, 'Evicted');
    assert.equal(late.status!.message, 'Pod was rejected: The node had condition: [MemoryPressure]. ');
    await env.client.resource(PODS).create('default', pod('burst', undefined, {}, { memory: '1Gi' }));
    await running('burst');
    // admitted, yet the only pod that may go: evicted although within its request
    const burst = await eventually('burst evicted', async () => { const p = await getPod(env.client, 'burst'); return p.status?.phase === 'Failed' ? p : undefined; }, 40_000);
    assert.equal(burst.status!.message, 'The node was low on resource: memory. Threshold quantity: 200Gi, available: 196Gi. ');
    // then rounds with the critical pod alone above the threshold: it stays
    await eventually('nothing left to evict', () => /no pod to evict for memory\.available/.test(k.output()), 40_000);
    assert.equal((await getPod(env.client, 'crit')).status!.phase, 'Running');
    setUsage('crit', {});
    await eventually('MemoryPressure cleared', async () => (await condition('MemoryPressure'))?.status === 'False', 40_000);
  });

  it('evicts pods above their requests, largest excess first, one per round, until the signal recovers', async () => {
    // 25 + 5 + 15 = 45Gi: 211Gi available, above the threshold
    await env.client.resource(PODS).create('default', pod('a', { memory: '25Gi' }));
    await env.client.resource(PODS).create('default', pod('b', { memory: '5Gi' }, {}, { memory: '50Gi' }));
    await env.client.resource(PODS).create('default', pod('c', { memory: '15Gi' }));
    for (const n of ['a', 'b', 'c']) await running(n);
    setUsage('crit', { memory: '40Gi' }); // 171Gi available
    const a = await eventually('a evicted', async () => { const p = await getPod(env.client, 'a'); return p.status?.phase === 'Failed' ? p : undefined; }, 40_000);
    assert.equal(a.status!.reason, 'Evicted');
    assert.equal(a.status!.message, 'The node was low on resource: memory. Threshold quantity: 200Gi, available: 171Gi. Container main was using 25Gi, request is 0, has larger consumption of memory. ');
    const dt = a.status!.conditions!.find((c) => c.type === 'DisruptionTarget')!;
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'TerminationByKubelet', a.status!.message]);
    assert.ok(a.status!.containerStatuses![0].state!.terminated);
    const c = await eventually('c evicted', async () => { const p = await getPod(env.client, 'c'); return p.status?.phase === 'Failed' ? p : undefined; }, 40_000);
    assert.equal(c.status!.message, 'The node was low on resource: memory. Threshold quantity: 200Gi, available: 196Gi. Container main was using 15Gi, request is 0, has larger consumption of memory. ');
    // 211Gi available again: b (under its request) and crit keep running
    await eventually('MemoryPressure cleared', async () => (await condition('MemoryPressure'))?.status === 'False', 40_000);
    for (const n of ['b', 'crit']) assert.equal((await getPod(env.client, n)).status!.phase, 'Running', n);
    // kubectl's STATUS reads the killed container's state (Error), as upstream prints an evicted pod today
    assert.match(env.c.k('get', 'pod', 'a', '--no-headers'), /^a\s+0\/1\s+Error\s+/);
    assert.equal(env.c.k('get', 'pod', 'a', '-o', 'jsonpath={.status.phase} {.status.reason}'), 'Failed Evicted');
    const ev = env.c.k('get', 'events', '--field-selector', 'involvedObject.name=a', '-o', 'jsonpath={range .items[*]}{.type} {.reason}: {.message}{"\\n"}{end}');
    assert.match(ev, /Warning Evicted: The node was low on resource: memory\./);
    assert.match(env.c.k('get', 'events', '--field-selector', `involvedObject.kind=Node,involvedObject.name=${node}`), /EvictionThresholdMet\s+node\/\S+\s+Attempting to reclaim memory/);
  });

  it('a soft threshold sets its condition at once and evicts only after its grace period', async () => {
    await env.client.resource(PODS).create('default', pod('quiet', { pids: 50 }));
    await running('quiet');
    await env.client.resource(PODS).create('default', pod('forky', { pids: 100 }));
    await running('forky');
    // 150 processes: 4194154 available, below the soft threshold
    await eventually('PIDPressure', async () => (await condition('PIDPressure'))?.status === 'True', 40_000);
    const f = await eventually('forky evicted', async () => { const p = await getPod(env.client, 'forky'); return p.status?.phase === 'Failed' ? p : undefined; }, 40_000);
    assert.equal(f.status!.message, 'The node was low on resource: pids. Threshold quantity: 4194204, available: 4194154. ');
    assert.match(k.output(), /evicting pod default\/forky for pid\.available/);
    await eventually('PIDPressure cleared', async () => (await condition('PIDPressure'))?.status === 'False', 40_000);
    assert.equal((await getPod(env.client, 'quiet')).status!.phase, 'Running');
  });
});
