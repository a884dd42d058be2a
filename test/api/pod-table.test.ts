// The STATUS column of `kubectl get pods` (server-side table): init containers are read in
// order and the first one not yet completed decides, as upstream's printer does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podStatusReason } from '../../src/api/tables/pod-table.js';

const pod = (init: NonNullable<Pod['status']>['initContainerStatuses']): Pod => ({
  spec: { initContainers: [{ name: 'one' }, { name: 'two' }], containers: [{ name: 'main' }] },
  status: { phase: 'Pending', initContainerStatuses: init,
    containerStatuses: [{ name: 'main', image: 'b', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] },
});
const st = (name: string, state: object, restartCount = 0) => ({ name, image: 'b', imageID: '', ready: false, restartCount, state });

test('init containers: the first one not completed decides the STATUS column', () => {
  const waitingTwo = st('two', { waiting: { reason: 'PodInitializing' } });
  assert.equal(podStatusReason(pod([st('one', { running: {} }), waitingTwo])).reason, 'Init:0/2');
  assert.equal(podStatusReason(pod([st('one', { terminated: { exitCode: 0, reason: 'Completed' } }), st('two', { running: {} })])).reason, 'Init:1/2');
  assert.equal(podStatusReason(pod([st('one', { waiting: { reason: 'CrashLoopBackOff' } }, 3), st('two', { waiting: { reason: 'ImagePullBackOff' } }, 5)])).reason,
    'Init:CrashLoopBackOff');
  // restarts are counted up to that container only
  assert.equal(podStatusReason(pod([st('one', { waiting: { reason: 'CrashLoopBackOff' } }, 3), st('two', { waiting: { reason: 'PodInitializing' } }, 5)])).restarts, 3);
  assert.equal(podStatusReason(pod([st('one', { terminated: { exitCode: 7, reason: 'Error' } }), waitingTwo])).reason, 'Init:Error');
});
