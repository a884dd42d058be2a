// events.k8s.io/v1 events through a real API server: upstream's shape, isomorphic repeats
// folded into a series (one create, one patch, then counted in memory until a refresh),
// notes cut at 1 KiB, one recorder per reporting controller.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EVENTS_V1, EventBroadcasterV1, truncateNote } from '../../src/client/events-v1-broadcaster.js';
import { EVENTS, PODS } from '../../src/client/resources.js';
import type { RestClient } from '../../src/client/rest-client.js';
import { type TestCluster, startTestCluster } from './cluster.js';

let c: TestCluster;
let client: RestClient;
before(async () => { c = await startTestCluster(); client = c.client(); });
after(async () => { await c?.stop(); });

const newPod = (name: string) => client.resource(PODS).create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('an event has the events.k8s.io shape and reads back as a core/v1 event', async () => {
  const pod = await newPod('ev1-web');
  const b = new EventBroadcasterV1(client, { log: () => {} });
  b.newRecorder('default-scheduler', 'default-scheduler-cp-1').eventf(pod, undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned default/ev1-web to node-2');
  await b.shutdown();
  const list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev1-web');
  assert.equal(list.length, 1);
  const ev = list[0];
  assert.match(ev.metadata!.name!, /^ev1-web\.[0-9a-f]+$/);
  assert.deepEqual([ev.reportingController, ev.reportingInstance, ev.action, ev.reason, ev.type, ev.note],
    ['default-scheduler', 'default-scheduler-cp-1', 'Binding', 'Scheduled', 'Normal', 'Successfully assigned default/ev1-web to node-2']);
  assert.match(ev.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(ev.regarding.uid, pod.metadata!.uid);
  const core = (await client.resource(EVENTS).list('default', { fieldSelector: 'involvedObject.name=ev1-web' })).items;
  assert.equal(core[0].message, 'Successfully assigned default/ev1-web to node-2');
  assert.equal(core[0].reportingComponent, 'default-scheduler');
});

test('isomorphic repeats become one event with a series; notes do not split a series', async () => {
  const pod = await newPod('ev2-web');
  const b = new EventBroadcasterV1(client, { log: () => {} });
  const rec = b.newRecorder('default-scheduler');
  for (let i = 0; i < 5; i++) rec.eventf(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', `0/3 nodes are available: attempt ${i}`);
  await b.flush();
  let list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev2-web');
  assert.equal(list.length, 1);
  assert.equal(list[0].series?.count, 2);
  assert.equal(list[0].note, '0/3 nodes are available: attempt 0');
  assert.deepEqual(b.writes, { create: 1, patch: 1 });
  // The in-memory count is written by the periodic refresh.
  b.refreshSeries();
  await b.flush();
  list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev2-web');
  assert.equal(list[0].series?.count, 5);
  assert.match(list[0].series!.lastObservedTime, /\.\d{6}Z$/);
  // Another reporting controller is another series.
  b.newRecorder('bin-packer').eventf(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  await b.shutdown();
  list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev2-web');
  assert.deepEqual(list.map((e) => e.reportingController).sort(), ['bin-packer', 'default-scheduler']);
});

test('a series whose first event expired is created again; long notes are cut to 1 KiB', async () => {
  const pod = await newPod('ev3-web');
  const b = new EventBroadcasterV1(client, { log: () => {} });
  const rec = b.newRecorder('default-scheduler');
  rec.eventf(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x'.repeat(3000));
  await b.flush();
  let list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev3-web');
  assert.equal(Buffer.byteLength(list[0].note!), 1024);
  assert.ok(list[0].note!.endsWith('x ...'));
  await client.resource(EVENTS_V1).delete('default', list[0].metadata!.name!);
  rec.eventf(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'again');
  await b.shutdown();
  list = (await client.resource(EVENTS_V1).list('default')).items.filter((e) => e.regarding?.name === 'ev3-web');
  assert.equal(list.length, 1);
  assert.equal(list[0].series?.count, 2);
  assert.equal(truncateNote('é'.repeat(600)).length <= 1024, true);
  assert.equal(Buffer.byteLength(truncateNote('é'.repeat(600))) <= 1024, true);
});
