import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { podRequests } from '../../../src/scheduler/framework/pod-requests.js';
import { shapeScorer } from '../../../src/scheduler/plugins/node-resources-fit/scoring-strategy.js';
import { Code } from '../../../src/scheduler/framework/status.js';

test('requests count init containers, sidecars and overhead as upstream', () => {
  const p = pod('p', { cpu: '500m', memory: '1Gi', spec: {
    initContainers: [
      { name: 'init', image: 'i', resources: { requests: { cpu: '2', memory: '100Mi' } } },
      { name: 'side', image: 's', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      { name: 'late', image: 'l', resources: { requests: { cpu: '1' } } },
    ],
    overhead: { cpu: '50m', memory: '10Mi' },
  } });
  const r = podRequests(p);
  // containers 500m + sidecar 100m = 600m < init max 2000m (first init runs alone); + overhead 50m.
  assert.equal(r.milliCPU, 2050);
  // memory: containers 1Gi + 64Mi > inits; + 10Mi overhead.
  assert.equal(r.memory, 1024 * 1024 * 1024 + 74 * 1024 * 1024);
  const nz = podRequests(pod('q'), true);
  assert.deepEqual([nz.milliCPU, nz.memory], [100, 200 * 1024 * 1024]);
});

test('NodeResourcesFit filter lists every insufficient resource and pod count', () => {
  const w = new World(undefined, [node('a', { cpu: '2', memory: '1Gi', pods: '2', extra: { 'example.com/gpu': '1' } })], [pod('x', { cpu: '1500m', node: 'a' })]);
  assert.ok(w.filter(pod('fits', { cpu: '500m' }), 'a').isSuccess());
  const st = w.filter(pod('big', { cpu: '600m', memory: '2Gi' }), 'a');
  assert.equal(st.code, Code.Unschedulable);
  assert.deepEqual(st.reasons, ['Insufficient cpu', 'Insufficient memory']);
  const gpu = pod('gpu', { spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { 'example.com/gpu': '2' } } }] } });
  assert.deepEqual(w.filter(gpu, 'a').reasons, ['Insufficient example.com/gpu']);
  w.cache.addOrUpdatePod(pod('y', { node: 'a' }));
  assert.deepEqual(w.filter(pod('one-more'), 'a').reasons, ['Too many pods']);
});

test('assumed pods count at once: two decisions never overcommit a node', () => {
  const w = new World(undefined, [node('a', { cpu: '1' }), node('b', { cpu: '1' })]);
  const first = w.schedule(pod('p1', { cpu: '800m' })).node;
  const second = w.schedule(pod('p2', { cpu: '800m' })).node;
  assert.ok(first && second && first !== second);
  assert.equal(w.schedule(pod('p3', { cpu: '800m' })).node, undefined);
});

test('NodeResourcesFit scoring: LeastAllocated, MostAllocated, RequestedToCapacityRatio', () => {
  const nodes = [node('empty', { cpu: '4', memory: '4Gi' }), node('busy', { cpu: '4', memory: '4Gi' })];
  const pods = [pod('x', { cpu: '2', memory: '2Gi', node: 'busy' })];
  const p = pod('p', { cpu: '1', memory: '1Gi' });
  const least = new World(undefined, nodes, pods).scores(p).get('NodeResourcesFit')!;
  assert.deepEqual([least.get('empty'), least.get('busy')], [75, 25]);
  const most = new World({ schedulerName: 'm', pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }] }, nodes, pods).scores(p).get('NodeResourcesFit')!;
  assert.deepEqual([most.get('empty'), most.get('busy')], [25, 75]);
  const shape = [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }];
  const ratio = new World({ schedulerName: 'r', pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape } } } }] }, nodes, pods).scores(p).get('NodeResourcesFit')!;
  assert.deepEqual([ratio.get('empty'), ratio.get('busy')], [25, 75]);
  const f = shapeScorer([{ utilization: 0, score: 10 }, { utilization: 50, score: 0 }]);
  assert.deepEqual([f(0, 100), f(25, 100), f(50, 100), f(90, 100)], [100, 50, 0, 0]);
});

test('BalancedAllocation prefers nodes whose cpu and memory use stay even', () => {
  const w = new World(undefined, [node('even', { cpu: '4', memory: '4Gi' }), node('skewed', { cpu: '4', memory: '4Gi' })],
    [pod('x', { cpu: '3', memory: '256Mi', node: 'skewed' })]);
  const s = w.scores(pod('p', { cpu: '1', memory: '1Gi' })).get('NodeResourcesBalancedAllocation')!;
  assert.equal(s.get('even'), 100);
  assert.ok(s.get('skewed')! < 70);
});
