import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import * as PTS from '../../../src/scheduler/plugins/pod-topology-spread/pod-topology-spread.js';
import { Code } from '../../../src/scheduler/framework/status.js';

const nodes = () => [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('nozone')];
const spread = (maxSkew: number, when = 'DoNotSchedule', extra: Record<string, unknown> = {}) => ({ spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...extra }] }, labels: { app: 'web' } });

test('DoNotSchedule: skew limit per zone; nodes without the key are unresolvable', () => {
  const w = new World(undefined, nodes(), [pod('w0', { labels: { app: 'web' }, node: 'a1' })]);
  const p = pod('w1', spread(1));
  assert.ok(!w.filter(p, 'a2').isSuccess());
  assert.deepEqual(w.filter(p, 'a2').reasons, [PTS.ErrReasonConstraintsNotMatch]);
  assert.ok(w.filter(p, 'b1').isSuccess());
  const st = w.filter(p, 'nozone');
  assert.equal(st.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(st.reasons, [PTS.ErrReasonNodeLabelNotMatch]);
  // maxSkew 2 allows a second pod in zone a.
  assert.ok(w.filter(pod('w2', spread(2)), 'a2').isSuccess());
});

test('minDomains: fewer domains than asked makes the global minimum 0', () => {
  const w = new World(undefined, nodes(), [pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'b1' })]);
  assert.ok(w.filter(pod('x', spread(1)), 'a2').isSuccess());
  assert.ok(!w.filter(pod('y', spread(1, 'DoNotSchedule', { minDomains: 3 })), 'a2').isSuccess());
});

test('nodeAffinityPolicy Honor leaves out nodes the pod cannot use', () => {
  const w = new World(undefined, [...nodes(), node('c1', { labels: { zone: 'c', pool: 'x' } })], [pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'b1' })]);
  const sel = { nodeSelector: { pool: 'x' } };
  // zone c is empty; counted only when the pod could go there. With the selector, zones a, b are ignored.
  const honor = pod('h', { ...spread(1), spec: { ...spread(1).spec, ...sel } });
  assert.ok(w.filter(honor, 'c1').isSuccess());
  const plain = pod('p', spread(1));
  assert.ok(!w.filter(plain, 'a2').isSuccess());
});

test('ScheduleAnyway scores fewer matching pods higher; default constraints follow Services', () => {
  const w = new World(undefined, nodes(), [pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'a2' })]);
  const s = w.scores(pod('p', spread(1, 'ScheduleAnyway'))).get('PodTopologySpread')!;
  assert.ok(s.get('b1')! > s.get('a1')!);
  assert.equal(s.get('nozone'), 0);
  // No constraints and no Service: no default spreading.
  assert.equal(w.scores(pod('q', { labels: { app: 'web' } })).get('PodTopologySpread'), undefined);
  // Default constraints use kubernetes.io/hostname and topology.kubernetes.io/zone.
  const zoned = (n: string, z: string) => node(n, { labels: { 'topology.kubernetes.io/zone': z } });
  const w2 = new World(undefined, [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')], [pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'a2' })]);
  w2.services = [{ metadata: { namespace: 'default', name: 'web' }, spec: { selector: { app: 'web' } } }];
  const d = w2.scores(pod('r', { labels: { app: 'web' } })).get('PodTopologySpread')!;
  assert.equal(d.get('b1'), 100);
  assert.ok(d.get('b1')! > d.get('a1')!);
});

test('default constraints follow ReplicaSets; a ReplicaSet replaced by the informer is read anew, an invalid selector is skipped', () => {
  const zoned = (n: string, z: string) => node(n, { labels: { 'topology.kubernetes.io/zone': z } });
  const w = new World(undefined, [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')], [pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'a2' })]);
  const rs = (sel: unknown) => ({ metadata: { namespace: 'default', name: 'web' }, spec: { selector: sel } });
  w.replicaSets = [rs({ matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['web'] }] }), rs({ matchLabels: { app: 'web' } })];
  for (const name of ['r1', 'r2']) { // the second pod reads the parsed selectors again
    const d = w.scores(pod(name, { labels: { app: 'web' } })).get('PodTopologySpread')!;
    assert.equal(d.get('b1'), 100);
    assert.ok(d.get('b1')! > d.get('a1')!);
  }
  // The informer replaces the object: a selector that no longer matches the pod means no default spreading.
  w.replicaSets = [rs({ matchLabels: { app: 'other' } })];
  assert.equal(w.scores(pod('r3', { labels: { app: 'web' } })).get('PodTopologySpread'), undefined);
});

test('MatchCounter: one count per selector and node, shared by constraints with the same selector', async () => {
  const { MatchCounter, countMatching, parseConstraint } = await import('../../../src/scheduler/plugins/pod-topology-spread/constraints.js');
  const { selectorFromSpec } = await import('../../../src/scheduler/util/selector-cache.js');
  const w = new World(undefined, nodes(), [
    pod('w0', { labels: { app: 'web' }, node: 'a1' }), pod('w1', { labels: { app: 'web' }, node: 'a1' }), pod('d0', { labels: { app: 'db' }, node: 'a1' }),
    pod('x0', { ns: 'other', labels: { app: 'web' }, node: 'a1' }), pod('w2', { labels: { app: 'web' }, node: 'b1' }),
  ]);
  const p = pod('p', { labels: { app: 'web' } });
  const sel = selectorFromSpec({ matchLabels: { app: 'web' } });
  const host = parseConstraint({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }, p, sel);
  const zone = parseConstraint({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }, p, sel);
  const db = parseConstraint({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'db' } } }, p);
  const m = new MatchCounter('default');
  const a1 = w.cache.nodeInfo('a1')!;
  assert.equal(m.count(host, a1), 2, 'pods of other namespaces and other apps do not count');
  assert.equal(m.count(zone, a1), 2);
  assert.equal(m.count(db, a1), 1, 'another selector is counted on its own');
  assert.equal(m.count(host, w.cache.nodeInfo('b1')!), 1);
  for (const c of [host, zone, db]) for (const n of ['a1', 'a2', 'b1']) assert.equal(m.count(c, w.cache.nodeInfo(n)!), countMatching(c, 'default', w.cache.nodeInfo(n)!));
});

test('countMatching through the node label index equals matching every pod, across adds, removes and selector shapes', async () => {
  const { countMatching, parseConstraint } = await import('../../../src/scheduler/plugins/pod-topology-spread/constraints.js');
  const { selectorFromSpec } = await import('../../../src/scheduler/util/selector-cache.js');
  const { NodeInfo } = await import('../../../src/scheduler/framework/node-info.js');
  const { PodInfo } = await import('../../../src/scheduler/framework/pod-info.js');
  const ni = new NodeInfo();
  const infos = [
    ['w0', 'default', { app: 'web', tier: 'fe' }], ['w1', 'default', { app: 'web', tier: 'be' }], ['w2', 'default', { app: 'web' }],
    ['d0', 'default', { app: 'db', tier: 'be' }], ['x0', 'other', { app: 'web', tier: 'fe' }], ['n0', 'default', {}],
  ].map(([name, ns, labels]) => new PodInfo(pod(name as string, { ns: ns as string, labels: labels as Record<string, string>, node: 'a1' })));
  for (const pi of infos) ni.addPod(pi);
  const brute = (c: ReturnType<typeof parseConstraint>) => ni.pods.filter((p) => p.namespace === 'default' && c.selector.matches(p.pod.metadata?.labels)).length;
  const p = pod('p', { labels: { app: 'web' } });
  const shapes: import('kubernetes-types/meta/v1.js').LabelSelector[] = [
    { matchLabels: { app: 'web' } }, { matchLabels: { app: 'web', tier: 'fe' } }, { matchLabels: { app: 'none' } },
    { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] },
    { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
  ];
  const check = (what: string) => {
    for (const s of shapes) {
      const c = parseConstraint({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }, p, selectorFromSpec(s));
      assert.equal(countMatching(c, 'default', ni), brute(c), `${what}: ${JSON.stringify(s)}`);
    }
  };
  check('all added');
  assert.equal(countMatching(parseConstraint({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }, p, selectorFromSpec({ matchLabels: { app: 'web' } })), 'default', ni), 3);
  assert.ok(ni.removePod(infos[0].key));
  assert.ok(ni.removePod(infos[3].key));
  check('two removed');
  assert.equal(ni.podsWithLabel('default', 'app', 'db').length, 0, 'a removed pod leaves the index');
  const copy = ni.clone();
  assert.equal(copy.podsWithLabel('default', 'app', 'web').length, 2, 'a clone carries the index');
});
