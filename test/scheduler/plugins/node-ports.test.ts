import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { ErrReason } from '../../../src/scheduler/plugins/node-ports/node-ports.js';

test('NodePorts: same port and protocol conflict, 0.0.0.0 overlaps every IP', () => {
  const w = new World(undefined, [node('a')], [pod('x', { node: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }] })]);
  assert.deepEqual(w.filter(pod('p', { ports: [{ containerPort: 80, hostPort: 8080 }] }), 'a').reasons, [ErrReason]);
  assert.ok(w.filter(pod('q', { ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }), 'a').isSuccess());
  assert.ok(w.filter(pod('r', { ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.2' }] }), 'a').isSuccess());
  assert.ok(!w.filter(pod('s', { ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }] }), 'a').isSuccess());
  assert.ok(w.filter(pod('t', { ports: [{ containerPort: 80 }] }), 'a').isSuccess());
});
