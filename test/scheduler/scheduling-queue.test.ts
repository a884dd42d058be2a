// The scheduling queue's order, backoff and event-driven requeueing (pure logic, fake clock).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulingQueue } from '../../src/scheduler/queue/scheduling-queue.js';
import { clusterEvent } from '../../src/scheduler/framework/cluster-event.js';
import { pod } from './plugins/world.js';

function queue() {
  let now = 1000;
  const q = new SchedulingQueue({
    now: () => now,
    preEnqueue: (p) => (p.spec?.schedulingGates?.length ? 'gated' : undefined),
    eventsFor: (_p, plugin) => (plugin === 'NodeResourcesFit' ? [clusterEvent('Node', 'Add'), clusterEvent('AssignedPod', 'Delete')] : [clusterEvent('Node', 'UpdateNodeTaint')]),
  });
  return { q, tick: (ms: number) => { now += ms; } };
}

test('activeQ pops higher priority first, then older', async () => {
  const { q, tick } = queue();
  q.add(pod('low-old', { priority: 1 })); tick(1);
  q.add(pod('high', { priority: 100 })); tick(1);
  q.add(pod('low-new', { priority: 1 }));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.name);
  assert.deepEqual(order, ['high', 'low-old', 'low-new']);
});

test('backoff doubles from 1s to the 10s cap', () => {
  const { q } = queue();
  const d = (attempts: number) => q.backoffDuration({ attempts } as any);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(d), [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods move back only on events their rejecting plugins registered', async () => {
  const { q, tick } = queue();
  q.add(pod('cpu'));
  q.add(pod('taint'));
  const a = (await q.pop())!;
  const b = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.requeueFailed(a, cycle, new Set(['NodeResourcesFit']));
  q.requeueFailed(b, cycle, new Set(['TaintToleration']));
  assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 2, gated: 0 });
  assert.equal(q.onEvent(clusterEvent('Node', 'UpdateNodeLabel')), 0);
  assert.equal(q.onEvent(clusterEvent('AssignedPod', 'Delete')), 1);
  // Still inside its 1s backoff: goes to backoffQ, then active after the flush.
  assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 1, gated: 0 });
  tick(1000);
  q.flushBackoff();
  assert.equal((await q.pop())!.info.name, 'cpu');
  // After five minutes everything gets another try.
  tick(5 * 60_000);
  q.flushUnschedulableLeftovers();
  assert.equal((await q.pop())!.info.name, 'taint');
});

test('a failure during which an event arrived goes to backoff, not unschedulable', async () => {
  const { q } = queue();
  q.add(pod('p'));
  const a = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.onEvent(clusterEvent('Node', 'Add'));
  q.requeueFailed(a, cycle, new Set(['TaintToleration']));
  assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
});

test('gated pods wait until their gates are removed', async () => {
  const { q } = queue();
  const gated = pod('g', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } });
  q.add(gated);
  assert.equal(q.counts().gated, 1);
  assert.equal(q.tryPop(), undefined);
  q.update({ ...gated, spec: { ...gated.spec!, schedulingGates: [] } });
  assert.equal(q.tryPop()?.info.name, 'g');
});
