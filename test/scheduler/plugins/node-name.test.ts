import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { ErrReason } from '../../../src/scheduler/plugins/node-name/node-name.js';

test('NodeName fits only the named node', () => {
  const w = new World(undefined, [node('a'), node('b')]);
  const p = pod('p', { spec: { nodeName: 'b' } });
  assert.deepEqual(w.filter(p, 'a').reasons, [ErrReason]);
  assert.ok(w.filter(p, 'b').isSuccess());
});
