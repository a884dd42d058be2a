import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { pickCandidate } from '../../../src/scheduler/plugins/default-preemption/victims.js';
import { PodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { unschedulable } from '../../../src/scheduler/framework/status.js';

async function preempt(w: World, p: any) {
  const d = w.schedule(p);
  assert.equal(d.node, undefined);
  return w.fw.runPostFilter(d.state, new PodInfo(p), d.statuses);
}

test('preemption picks the node with the fewest, lowest-priority victims', async () => {
  const w = new World(undefined, [node('a', { cpu: '2' }), node('b', { cpu: '2' })], [
    pod('a-low', { cpu: '1', node: 'a', priority: 10 }), pod('a-mid', { cpu: '1', node: 'a', priority: 50 }),
    pod('b-low1', { cpu: '1', node: 'b', priority: 10 }), pod('b-low2', { cpu: '1', node: 'b', priority: 20 }),
  ]);
  const r = await preempt(w, pod('vip', { cpu: '1', priority: 100 }));
  assert.ok(r.status.isSuccess());
  // Node a loses one priority-10 pod; node b would also lose one priority-10 pod but a wins? both need 1 victim:
  // a: victim a-low (10); b: victim b-low1 (10). Tie on highest victim priority and sum; equal count -> start time decides.
  assert.equal(w.deleted.length, 1);
  assert.equal(w.deleted[0].spec!.priority, 10);
  assert.equal(r.result?.nominatedNodeName, w.deleted[0].spec!.nodeName);
});

test('preemption never evicts equal or higher priority pods, and respects preemptionPolicy Never', async () => {
  const w = new World(undefined, [node('a', { cpu: '1' })], [pod('peer', { cpu: '1', node: 'a', priority: 100 })]);
  const r = await preempt(w, pod('vip', { cpu: '1', priority: 100 }));
  assert.ok(!r.status.isSuccess());
  assert.match(r.status.message(), /^preemption: 0\/1 nodes are available: 1 No preemption victims found for incoming pod\.$/);
  const never = await preempt(w, pod('polite', { cpu: '1', priority: 1000, spec: { preemptionPolicy: 'Never' } }));
  assert.equal(never.status.message(), 'preemption: not eligible due to preemptionPolicy=Never.');
  assert.equal(w.deleted.length, 0);
});

test('preemption prefers victims not protected by a PodDisruptionBudget', async () => {
  const w = new World(undefined, [node('a', { cpu: '1' }), node('b', { cpu: '1' })], [
    pod('guarded', { cpu: '1', node: 'a', priority: 0, labels: { app: 'db' } }), pod('free', { cpu: '1', node: 'b', priority: 0, labels: { app: 'batch' } }),
  ]);
  w.pdbs = [{ metadata: { namespace: 'default', name: 'db' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0 } }];
  const r = await preempt(w, pod('vip', { cpu: '1', priority: 100 }));
  assert.equal(r.result?.nominatedNodeName, 'b');
  assert.deepEqual(w.deleted.map((p) => p.metadata!.name), ['free']);
});

test('candidate order: PDB violations, then highest victim priority, then victim count', () => {
  const pi = (name: string, priority: number) => new PodInfo(pod(name, { priority }));
  assert.equal(pickCandidate([
    { node: 'x', victims: [pi('1', 5)], numPDBViolations: 1 },
    { node: 'y', victims: [pi('2', 50), pi('3', 1)], numPDBViolations: 0 },
  ])?.node, 'y');
  assert.equal(pickCandidate([
    { node: 'x', victims: [pi('1', 50)], numPDBViolations: 0 },
    { node: 'y', victims: [pi('2', 5), pi('3', 5)], numPDBViolations: 0 },
  ])?.node, 'y');
  assert.equal(pickCandidate([
    { node: 'x', victims: [pi('1', 5), pi('2', 5)], numPDBViolations: 0 },
    { node: 'y', victims: [pi('3', 5), pi('4', 4), pi('5', 1)], numPDBViolations: 0 },
  ])?.node, 'x');
  void unschedulable;
});
