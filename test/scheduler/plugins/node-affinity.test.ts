import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { ErrReasonEnforced, ErrReasonPod } from '../../../src/scheduler/plugins/node-affinity/node-affinity.js';

const nodes = () => [node('a', { labels: { zone: 'z1', gen: '3', disk: 'ssd' } }), node('b', { labels: { zone: 'z2', gen: '5' } }), node('c', { labels: {} })];
const req = (...matchExpressions: any[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } });
const fits = (w: World, p: any) => ['a', 'b', 'c'].filter((n) => w.filter(p, n).isSuccess());

test('NodeAffinity: nodeSelector and every operator of required affinity', () => {
  const w = new World(undefined, nodes());
  assert.deepEqual(fits(w, pod('s', { spec: { nodeSelector: { zone: 'z1' } } })), ['a']);
  assert.deepEqual(w.filter(pod('s', { spec: { nodeSelector: { zone: 'z1' } } }), 'b').reasons, [ErrReasonPod]);
  assert.deepEqual(fits(w, pod('in', { spec: { affinity: req({ key: 'zone', operator: 'In', values: ['z2', 'z3'] }) } })), ['b']);
  assert.deepEqual(fits(w, pod('notin', { spec: { affinity: req({ key: 'zone', operator: 'NotIn', values: ['z2'] }) } })), ['a', 'c']);
  assert.deepEqual(fits(w, pod('ex', { spec: { affinity: req({ key: 'disk', operator: 'Exists' }) } })), ['a']);
  assert.deepEqual(fits(w, pod('dne', { spec: { affinity: req({ key: 'disk', operator: 'DoesNotExist' }) } })), ['b', 'c']);
  assert.deepEqual(fits(w, pod('gt', { spec: { affinity: req({ key: 'gen', operator: 'Gt', values: ['4'] }) } })), ['b']);
  assert.deepEqual(fits(w, pod('lt', { spec: { affinity: req({ key: 'gen', operator: 'Lt', values: ['4'] }) } })), ['a']);
  // Terms are ORed; matchFields on metadata.name.
  const or = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }] } } };
  assert.deepEqual(fits(w, pod('or', { spec: { affinity: or } })), ['b', 'c']);
});

test('NodeAffinity: addedAffinity from the profile is enforced', () => {
  const w = new World({ schedulerName: 'x', pluginConfig: [{ name: 'NodeAffinity', args: { addedAffinity: req({ key: 'zone', operator: 'Exists' }).nodeAffinity } }] }, nodes());
  assert.deepEqual(w.filter(pod('p'), 'c').reasons, [ErrReasonEnforced]);
  assert.ok(w.filter(pod('p'), 'a').isSuccess());
});

test('NodeAffinity score sums preferred weights, normalized to 100', () => {
  const w = new World(undefined, nodes());
  const pref = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
    { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }] } };
  const s = w.scores(pod('p', { spec: { affinity: pref } })).get('NodeAffinity')!;
  assert.deepEqual([s.get('a'), s.get('b'), s.get('c')], [50, 100, 0]);
});
