// Preemption through the API: PriorityClasses give pods their priority; a high-priority
// pod that fits nowhere evicts the fewest, lowest-priority pods, is nominated to their
// node and then bound there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
const pcs = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };
before(async () => {
  env = await startEnv();
  for (const [name, value] of [['low', 10], ['mid', 100], ['high', 1000]] as const) {
    await env.client.create(pcs, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
  }
  await env.client.create(pcs, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high-polite' }, value: 1000, preemptionPolicy: 'Never' });
  await createNode(env.client, nodeObject('n1', { cpu: '2' }));
  await createNode(env.client, nodeObject('n2', { cpu: '2' }));
  await env.startScheduler(['--leader-elect=false']);
});
after(async () => { await env?.stop(); });

test('a high-priority pod evicts the lowest-priority victim and takes its place', async () => {
  // n1: two low pods; n2: one low and one mid pod. Each pod takes 1 of 2 cpu.
  const place = async (name: string, cls: string, node: string) => {
    await createPod(env.client, podObject(name, { cpu: '1', spec: { priorityClassName: cls, nodeSelector: { 'kubernetes.io/hostname': node } } }));
    await waitBound(env.client, name);
  };
  await place('low-1', 'low', 'n1');
  await place('low-2', 'low', 'n1');
  await place('low-3', 'low', 'n2');
  await place('mid-1', 'mid', 'n2');
  // No preemption when policy is Never.
  await createPod(env.client, podObject('polite', { cpu: '1', spec: { priorityClassName: 'high-polite' } }));
  const msg = (await eventually(async () => (await events(env.client, 'default', 'polite')).find((e) => e.reason === 'FailedScheduling'), 'polite FailedScheduling')).message;
  assert.equal(msg, '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never. Explain: NodeResourcesFit rejected 2 node(s) (n1, n2): Insufficient cpu');
  await env.client.delete({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'polite' });

  await createPod(env.client, podObject('vip', { cpu: '1', spec: { priorityClassName: 'high' } }));
  // The victim is deleted gracefully (deletionTimestamp set); with no kubelet here, the test
  // confirms the termination the way a kubelet would, with a zero grace period.
  const names = ['low-1', 'low-2', 'low-3', 'mid-1'];
  const victim = await eventually(async () => {
    for (const n of names) if ((await getPod(env.client, n)).metadata.deletionTimestamp) return n;
    return undefined;
  }, 'a victim being deleted');
  const victimNode = victim === 'low-3' ? 'n2' : 'n1';
  // As upstream: the victim is marked DisruptionTarget before it is deleted.
  const target = (await getPod(env.client, victim)).status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([target.status, target.reason, target.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
  assert.ok(victim.startsWith('low-'), `victim ${victim} must be a priority-10 pod`);
  assert.equal(await eventually(async () => (await getPod(env.client, 'vip')).status.nominatedNodeName, 'nominatedNodeName'), victimNode);
  await env.client.delete({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: victim }, { gracePeriodSeconds: 0 });
  const node = await waitBound(env.client, 'vip', 'default', 20_000);
  assert.equal(node, victimNode);
  const gone = [victim];
  for (const n of names.filter((x) => x !== victim)) assert.equal((await getPod(env.client, n)).metadata.deletionTimestamp, undefined);
  const vip = await getPod(env.client, 'vip');
  const failed = (await events(env.client, 'default', 'vip')).find((e) => e.reason === 'FailedScheduling');
  assert.match(failed.message, /^0\/2 nodes are available: 2 Insufficient cpu\./);
  const preempted = await eventually(async () => (await events(env.client, 'default', gone[0])).find((e) => e.reason === 'Preempted'), 'Preempted event');
  assert.match(preempted.message, new RegExp(`^Preempted by pod ${vip.metadata.uid} on node ${node}$`));
  assert.equal(preempted.related?.name, 'vip');
  assert.equal(preempted.action, 'Preempting');
});
