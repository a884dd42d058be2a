import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { ErrReasonUnschedulable } from '../../../src/scheduler/plugins/node-unschedulable/node-unschedulable.js';
import { Code } from '../../../src/scheduler/framework/status.js';

test('NodeUnschedulable rejects cordoned nodes unless the pod tolerates the unschedulable taint', () => {
  const w = new World(undefined, [node('a', { unschedulable: true }), node('b')]);
  const st = w.filter(pod('p'), 'a');
  assert.equal(st.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual([st.plugin, st.reasons], ['NodeUnschedulable', [ErrReasonUnschedulable]]);
  assert.ok(w.filter(pod('p'), 'b').isSuccess());
  const tol = pod('t', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.ok(w.filter(tol, 'a').isSuccess());
});
