import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { tolerates } from '../../../src/scheduler/util/tolerations.js';

const gpu = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

test('TaintToleration filter: NoSchedule and NoExecute need a toleration, PreferNoSchedule does not', () => {
  const w = new World(undefined, [node('t', { taints: [gpu] }), node('x', { taints: [{ key: 'k', effect: 'NoExecute' }] }), node('p', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })]);
  const st = w.filter(pod('a'), 't');
  assert.equal(st.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(st.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  assert.deepEqual(w.filter(pod('a'), 'x').reasons, ['node(s) had untolerated taint {k: }']);
  assert.ok(w.filter(pod('a'), 'p').isSuccess());
  assert.ok(w.filter(pod('b', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }), 't').isSuccess());
  assert.ok(!w.filter(pod('c', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'tpu' }] } }), 't').isSuccess());
  assert.ok(w.filter(pod('d', { spec: { tolerations: [{ operator: 'Exists' }] } }), 't').isSuccess());
});

test('toleration matching rules', () => {
  assert.ok(tolerates({ key: 'a', operator: 'Exists' }, { key: 'a', value: 'v', effect: 'NoSchedule' }));
  assert.ok(!tolerates({ key: 'a', operator: 'Exists', effect: 'NoExecute' }, { key: 'a', effect: 'NoSchedule' }));
  assert.ok(!tolerates({ operator: 'Equal', value: 'v' }, { key: 'a', value: 'v', effect: 'NoSchedule' }));
  assert.ok(tolerates({ key: 'a', value: '' }, { key: 'a', effect: 'NoSchedule' }));
});

test('TaintToleration score prefers fewer untolerated PreferNoSchedule taints', () => {
  const soft = (k: string) => ({ key: k, effect: 'PreferNoSchedule' });
  const w = new World(undefined, [node('none'), node('one', { taints: [soft('a')] }), node('two', { taints: [soft('a'), soft('b')] })]);
  const s = w.scores(pod('p')).get('TaintToleration')!;
  assert.deepEqual([s.get('none'), s.get('one'), s.get('two')], [100, 50, 0]);
  const tolerant = w.scores(pod('q', { spec: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] } })).get('TaintToleration')!;
  assert.deepEqual([tolerant.get('none'), tolerant.get('one'), tolerant.get('two')], [100, 100, 0]);
});
