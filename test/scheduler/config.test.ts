// KubeSchedulerConfiguration loading and the plugin set each profile ends up with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, ConfigError } from '../../src/scheduler/config/load-config.js';
import { World } from './plugins/world.js';
import { numFeasibleNodesToFind } from '../../src/scheduler/schedule-one.js';

test('defaults: one default-scheduler profile, leader election on, backoff 1s..10s', () => {
  const c = parseConfig('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n');
  assert.deepEqual(c.profiles, [{ schedulerName: 'default-scheduler' }]);
  assert.equal(c.leaderElection?.leaderElect, true);
  assert.equal(c.leaderElection?.resourceName, 'kube-scheduler');
  assert.equal(c.leaderElection?.resourceNamespace, 'kube-system');
  assert.deepEqual([c.podInitialBackoffSeconds, c.podMaxBackoffSeconds], [1, 10]);
});

test('bad configurations are rejected with the field at fault', () => {
  assert.throws(() => parseConfig('apiVersion: v1\nkind: Pod\n'), ConfigError);
  assert.throws(() => parseConfig(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles: [{schedulerName: a}, {schedulerName: a}]`), /profiles\[1\]\.schedulerName: Duplicate value: "a"/);
  assert.throws(() => parseConfig(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 120`), /percentageOfNodesToScore: Invalid value: 120/);
  assert.throws(() => new World({ schedulerName: 'x', plugins: { filter: { enabled: [{ name: 'NoSuchPlugin' }] } } }), /"NoSuchPlugin" does not exist/);
  assert.throws(() => new World({ schedulerName: 'x', plugins: { filter: { enabled: [{ name: 'ImageLocality' }] } } }), /does not extend filter/);
});

test('plugins: default set, disabled per point or by *, weights overridden', () => {
  const d = new World().fw;
  // Upstream's default order.
  assert.deepEqual(d.filters.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit',
    'VolumeRestrictions', 'NodeVolumeLimits', 'VolumeBinding', 'VolumeZone', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(d.reserve.map((p) => p.name), ['VolumeBinding']);
  assert.deepEqual(d.preBind.map((p) => p.name), ['VolumeBinding']);
  assert.deepEqual(d.scorers.map((s) => `${s.plugin.name}:${s.weight}`), ['TaintToleration:3', 'NodeAffinity:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2', 'NodeResourcesBalancedAllocation:1', 'ImageLocality:1']);
  assert.deepEqual(d.postFilter.map((p) => p.name), ['DefaultPreemption']);
  const c = new World({ schedulerName: 'c', plugins: {
    score: { disabled: [{ name: '*' }], enabled: [{ name: 'NodeResourcesFit', weight: 5 }] },
    filter: { disabled: [{ name: 'TaintToleration' }] },
    multiPoint: { disabled: [{ name: 'DefaultPreemption' }] },
  } }).fw;
  assert.deepEqual(c.scorers.map((s) => `${s.plugin.name}:${s.weight}`), ['NodeResourcesFit:5']);
  assert.ok(!c.filters.some((p) => p.name === 'TaintToleration'));
  assert.equal(c.postFilter.length, 0);
});

test('percentageOfNodesToScore: adaptive default with 100-node and 5% floors', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 10000), 500);
  assert.equal(numFeasibleNodesToFind(10, 500), 100);
  assert.equal(numFeasibleNodesToFind(100, 5000), 5000);
});
