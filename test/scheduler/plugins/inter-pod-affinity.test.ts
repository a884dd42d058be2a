import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import * as IPA from '../../../src/scheduler/plugins/inter-pod-affinity/inter-pod-affinity.js';

const zoneNodes = () => [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('nozone')];
const term = (labels: Record<string, string>, topologyKey: string) => ({ labelSelector: { matchLabels: labels }, topologyKey });
const fits = (w: World, p: any) => ['a1', 'a2', 'b1', 'nozone'].filter((n) => w.filter(p, n).isSuccess());

test('required affinity: same topology domain as a matching pod; the first pod of a group may go anywhere', () => {
  const w = new World(undefined, zoneNodes(), [pod('db', { labels: { app: 'db' }, node: 'a2' })]);
  const web = pod('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } });
  assert.deepEqual(fits(w, web), ['a1', 'a2']);
  assert.deepEqual(w.filter(web, 'b1').reasons, [IPA.ErrReasonAffinityRulesNotMatch]);
  const self = pod('cache', { labels: { app: 'cache' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' }, 'zone')] } } } });
  assert.deepEqual(fits(w, self), ['a1', 'a2', 'b1']);
  // Other namespaces are not matched unless the term says so.
  const other = pod('o', { ns: 'other', spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } });
  assert.deepEqual(fits(w, other), []);
  const anyNs = pod('o2', { ns: 'other', spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term({ app: 'db' }, 'zone'), namespaceSelector: {} }] } } } });
  assert.deepEqual(fits(w, anyNs), ['a1', 'a2']);
});

test('required anti-affinity, both the incoming pod\'s and existing pods\'', () => {
  const w = new World(undefined, zoneNodes(), [pod('web-0', { labels: { app: 'web' }, node: 'a1' })]);
  const web = pod('web-1', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')] } } } });
  assert.deepEqual(fits(w, web), ['a2', 'b1', 'nozone']);
  assert.deepEqual(w.filter(web, 'a1').reasons, [IPA.ErrReasonAntiAffinityRulesNotMatch]);
  // An existing pod that repels app=batch by zone binds newcomers too.
  w.cache.addOrUpdatePod(pod('loner', { node: 'b1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'batch' }, 'zone')] } } } }));
  const batch = pod('batch', { labels: { app: 'batch' } });
  assert.deepEqual(fits(w, batch), ['a1', 'a2', 'nozone']);
  assert.deepEqual(w.filter(batch, 'b1').reasons, [IPA.ErrReasonExistingAntiAffinityRulesNotMatch]);
});

test('preferred affinity and anti-affinity scores', () => {
  const w = new World(undefined, zoneNodes(), [pod('db', { labels: { app: 'db' }, node: 'b1' })]);
  const near = pod('p', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ app: 'db' }, 'zone') }] } } } });
  const s = w.scores(near).get('InterPodAffinity')!;
  assert.deepEqual([s.get('a1'), s.get('b1'), s.get('nozone')], [0, 100, 0]);
  const far = pod('q', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ app: 'db' }, 'zone') }] } } } });
  const f = w.scores(far).get('InterPodAffinity')!;
  assert.deepEqual([f.get('a1'), f.get('b1')], [100, 0]);
});
