// Events recorded through a real API server: upstream's shape, and repeats aggregated.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { EventRecorder } from '../../src/client/event-recorder.js';
import { EVENTS, NODES, PODS } from '../../src/client/resources.js';
import type { RestClient } from '../../src/client/rest-client.js';
import { type TestCluster, startTestCluster } from './cluster.js';

let c: TestCluster;
let client: RestClient;
before(async () => { c = await startTestCluster(); client = c.client(); });
after(async () => { await c?.stop(); });

test('an event has upstream shape; repeats become count++ on the same Event; other messages are new Events', async () => {
  const pod = await client.resource(PODS).create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const rec = new EventRecorder(client, { component: 'default-scheduler', host: 'cp-1', log: () => {} });
  rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web-1 to node-2');
  await rec.flush();
  let list = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=web-1' })).items;
  assert.equal(list.length, 1);
  const ev = list[0] as Event;
  assert.match(ev.metadata!.name!, /^web-1\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', namespace: 'default', name: 'web-1', uid: pod.metadata!.uid, apiVersion: 'v1', resourceVersion: pod.metadata!.resourceVersion });
  assert.equal(ev.reason, 'Scheduled');
  assert.equal(ev.type, 'Normal');
  assert.deepEqual(ev.source, { component: 'default-scheduler', host: 'cp-1' });
  assert.equal(ev.reportingComponent, 'default-scheduler');
  assert.equal(ev.reportingInstance, 'cp-1');
  assert.equal(ev.count, 1);
  assert.match(ev.firstTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  // Non-blocking: event() returns before anything is written.
  for (let i = 0; i < 4; i++) rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Warning', 'BackOff', 'a different message');
  await rec.flush();
  list = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=web-1' })).items;
  const backoffs = list.filter((e) => e.reason === 'BackOff');
  assert.equal(backoffs.length, 2);
  const repeated = backoffs.find((e) => e.message === 'Back-off restarting failed container')!;
  assert.equal(repeated.count, 4);
  assert.equal(repeated.type, 'Warning');
  assert.ok(repeated.lastTimestamp! >= repeated.firstTimestamp!);
  assert.equal(backoffs.find((e) => e.message === 'a different message')!.count, 1);
  assert.equal(list.find((e) => e.reason === 'Scheduled')!.count, 1);
  await rec.shutdown();
});

test('events about cluster-scoped objects go to the default namespace; a full queue drops instead of blocking', async () => {
  const node = await client.resource(NODES).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-9' } });
  const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-9', maxQueued: 3, log: () => {} });
  for (let i = 0; i < 10; i++) rec.event(node, 'Normal', 'Starting', `Starting kubelet ${i}`);
  assert.ok(rec.dropped >= 6, `dropped ${rec.dropped}`);
  await rec.shutdown();
  const list = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=node-9' })).items;
  assert.equal(list.length, 10 - rec.dropped);
  assert.ok(list.every((e) => e.involvedObject.kind === 'Node' && e.involvedObject.namespace === undefined && e.metadata?.namespace === 'default'));
  rec.event(node, 'Normal', 'Late', 'after shutdown');
  await rec.flush();
  assert.equal((await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=node-9' })).items.length, 10 - rec.dropped);
});

test('similar events are aggregated after 10 messages and one object\'s flood is cut at 25 (client-go\'s correlator)', async () => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-agg', namespace: 'default', uid: 'u-rs-agg' } };
  const rec = new EventRecorder(client, { component: 'replicaset-controller', host: 'cm-1', log: () => {} });
  for (let i = 1; i <= 12; i++) rec.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: rs-agg-${i}`);
  await rec.flush();
  const list = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=rs-agg' })).items as Event[];
  assert.equal(list.length, 10, 'nine events, then one aggregate for the rest');
  const combined = list.filter((e) => e.message!.startsWith('(combined from similar events): '));
  assert.equal(combined.length, 1);
  assert.equal(combined[0].count, 3);
  assert.equal(combined[0].message, '(combined from similar events): Created pod: rs-agg-12');
  assert.deepEqual(list.filter((e) => !combined.includes(e)).map((e) => e.message).sort(),
    Array.from({ length: 9 }, (_, i) => `Created pod: rs-agg-${i + 1}`).sort());

  const node = { kind: 'Node', name: 'spammy', uid: 'u-spammy', apiVersion: 'v1' };
  for (let i = 0; i < 30; i++) rec.event(node, 'Warning', 'Rebooted', 'Node spammy has been rebooted');
  await rec.flush();
  assert.equal(rec.filtered, 5);
  const spam = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=spammy' })).items as Event[];
  assert.deepEqual(spam.map((e) => e.count), [25]);
  await rec.shutdown();
});
