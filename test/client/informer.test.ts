// Shared informers against real etcd + tskube apiserver: the cache and handlers follow
// adds, updates and deletes; indexers; field-selected informers; recovery from an API
// server restart; a relist after compaction turns missed deletes into tombstones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { DeletedFinalStateUnknown, type SharedInformer, deletedObject } from '../../src/client/informer.js';
import { SharedInformerFactory } from '../../src/client/informer-factory.js';
import { CONFIGMAPS, PODS } from '../../src/client/resources.js';
import type { RestClient } from '../../src/client/rest-client.js';
import { type TestCluster, eventually, startTestCluster } from './cluster.js';

let c: TestCluster;
let client: RestClient;
let factory: SharedInformerFactory;
const logs: string[] = [];
before(async () => {
  c = await startTestCluster();
  client = c.client();
  factory = new SharedInformerFactory(client, { log: (m) => logs.push(m) });
});
after(async () => { await factory?.shutdown(); await c?.stop(); });

const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const pod = (name: string, nodeName?: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' } }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });

function recorder<T extends { metadata?: { name?: string } }>(inf: SharedInformer<any>) {
  const events: string[] = [];
  inf.addEventHandler({
    onAdd: (o: T, initial) => events.push(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (a: T, b: T) => events.push(`update ${b.metadata?.name}${(a as any).metadata.resourceVersion === (b as any).metadata.resourceVersion ? ' (same)' : ''}`),
    onDelete: (o: T | DeletedFinalStateUnknown<T>) => events.push(`${o instanceof DeletedFinalStateUnknown ? 'tombstone' : 'delete'} ${deletedObject(o).metadata?.name}`),
  });
  return events;
}

test('lists existing objects in pages, then follows adds, updates and deletes', async () => {
  const cms = client.resource(CONFIGMAPS);
  for (let i = 0; i < 5; i++) await cms.create('kube-public', cm(`pre-${i}`));
  const inf = factory.forResource(CONFIGMAPS, { namespace: 'kube-public' });
  (inf.opts as { pageSize?: number }).pageSize = 2;
  const events = recorder(inf);
  factory.start();
  await factory.waitForCacheSync();
  assert.ok(inf.hasSynced());
  assert.deepEqual(inf.lister.namespace('kube-public').list().map((o) => o.metadata?.name).filter((n) => n?.startsWith('pre-')).sort(), ['pre-0', 'pre-1', 'pre-2', 'pre-3', 'pre-4']);
  assert.ok(events.includes('add pre-0 (initial)'));

  events.length = 0;
  await cms.create('kube-public', cm('live', { v: '1' }));
  await cms.patch('kube-public', 'live', 'merge', { data: { v: '2' } });
  await cms.delete('kube-public', 'pre-3');
  await eventually(() => events.length >= 3, 'three watch events');
  assert.deepEqual(events, ['add live', 'update live', 'delete pre-3']);
  assert.equal(inf.lister.namespace('kube-public').get('live')?.data?.v, '2');
  assert.equal(inf.lister.get('kube-public/pre-3'), undefined);
  assert.ok(Number(inf.lastSyncResourceVersion) > 0);

  // A handler added late first gets what is cached, as adds.
  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o) => late.push(o.metadata!.name!) });
  assert.deepEqual(late.sort(), ['live', 'pre-0', 'pre-1', 'pre-2', 'pre-4']);
});

test('one informer per resource and selector; pods indexed by spec.nodeName; a field-selected informer sees only its node', async () => {
  const byNode = { nodeName: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []) };
  const all = factory.forResource(PODS, { indexers: byNode });
  assert.equal(factory.forResource(PODS), all, 'the factory shares informers');
  const mine = factory.forResource(PODS, { fieldSelector: 'spec.nodeName=node-a' });
  assert.notEqual(mine, all);
  const mineEvents = recorder(mine);
  await factory.waitForCacheSync();
  const pods = client.resource(PODS);
  await pods.create('default', pod('p1', 'node-a'));
  await pods.create('default', pod('p2', 'node-b'));
  await pods.create('default', pod('p3', 'node-a'));
  await pods.create('default', pod('p4'));
  await eventually(() => all.cache.size >= 4 && mine.cache.size >= 2, 'pods in both caches');
  assert.deepEqual(all.lister.byIndex('nodeName', 'node-a').map((p) => p.metadata!.name).sort(), ['p1', 'p3']);
  assert.deepEqual(all.lister.byIndex('nodeName', 'node-b').map((p) => p.metadata!.name), ['p2']);
  assert.deepEqual(mine.lister.list().map((p) => p.metadata!.name).sort(), ['p1', 'p3']);
  assert.deepEqual(all.lister.namespace('default').list('app=x').length, 4);
  assert.deepEqual(all.lister.namespace('default').list('app=y').length, 0);
  await pods.delete('default', 'p1', { gracePeriodSeconds: 0 });
  await eventually(() => mineEvents.includes('delete p1') && all.lister.byIndex('nodeName', 'node-a').length === 1, 'index updated on delete');
  assert.ok(!mineEvents.some((e) => e.includes('p2') || e.includes('p4')));
});

// A restarted API server's watch cache starts at the current revision, so (as upstream) a
// watch from an older resourceVersion may be answered 410 and the informer re-lists: the
// delete then arrives as a tombstone. Either way nothing is missed.
test('an API server restart: the informer reconnects, resumes from its resourceVersion and misses nothing', async () => {
  const inf = factory.forResource(CONFIGMAPS, { namespace: 'kube-public' });
  const events = recorder(inf);
  events.length = 0;
  const before = inf.cache.size;
  await c.restartApiServer();
  const cms = client.resource(CONFIGMAPS);
  await cms.create('kube-public', cm('after-restart'));
  await cms.delete('kube-public', 'pre-4');
  await eventually(() => inf.lister.get('kube-public/after-restart') !== undefined && !inf.lister.get('kube-public/pre-4'), 'changes after the restart', 30_000);
  assert.equal(inf.cache.size, before);
  const seen = events.filter((e) => !e.startsWith('update'));
  assert.equal(seen[0], 'add after-restart');
  assert.ok(['delete pre-4', 'tombstone pre-4'].includes(seen[1]), seen.join(', '));
  assert.equal(seen.length, 2, seen.join(', '));
  assert.ok(logs.some((l) => /informer configmaps: watch failed/.test(l)), `the drop was logged: ${logs.join('\n')}`);
});

test('after compaction the watch gets 410, the informer re-lists, and deletes it missed arrive as tombstones', async () => {
  const inf = factory.forResource(CONFIGMAPS, { namespace: 'kube-public' });
  const events = recorder(inf);
  // Take the informer's API server away; change things through a second server; compact the history.
  await c.stopApiServer();
  const second = await c.secondApiServer();
  try {
    const cms = second.client.resource(CONFIGMAPS);
    await cms.delete('kube-public', 'pre-0');
    await cms.create('kube-public', cm('while-away'));
    await cms.patch('kube-public', 'live', 'merge', { data: { v: '3' } });
    await cms.patch('kube-public', 'live', 'merge', { data: { v: '4' } });
    c.compactEtcd();
    events.length = 0;
    logs.length = 0;
    await c.startApiServer();
    await eventually(() => events.includes('tombstone pre-0'), 'the missed delete as a tombstone', 30_000);
    assert.ok(events.includes('add while-away'));
    assert.ok(events.includes('update live'));
    assert.equal(inf.lister.namespace('kube-public').get('live')?.data?.v, '4');
    assert.equal(inf.lister.get('kube-public/pre-0'), undefined);
    assert.ok(logs.some((l) => /watch expired .*re-listing/.test(l)), `410 led to a re-list: ${logs.join('\n')}`);
  } finally {
    await second.stop();
  }
});

test('resync re-delivers cached objects as updates with the same object', async () => {
  const inf = factory.forResource(CONFIGMAPS, { namespace: 'kube-public' });
  const resyncs: string[] = [];
  const reg = inf.addEventHandler({ onUpdate: (a, b) => { if (a === b) resyncs.push(b.metadata!.name!); } }, 1000);
  await eventually(() => resyncs.includes('live'), 'a resync', 10_000);
  reg.remove();
});

test('a transform applies to listed and watched objects before they are cached (managedFields trimmed)', async () => {
  const cms = client.resource(CONFIGMAPS);
  await cms.create('kube-node-lease', cm('listed'));
  const seen: ConfigMap[] = [];
  const inf = factory.forResource(CONFIGMAPS, {
    namespace: 'kube-node-lease',
    transform: (o) => { delete o.metadata!.managedFields; return o; },
  });
  inf.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_a, b) => seen.push(b) });
  inf.start();
  await inf.waitForSync();
  await cms.create('kube-node-lease', cm('watched'));
  await eventually(async () => seen.some((o) => o.metadata?.name === 'watched'), 'watched add');
  const fromServer = await cms.get('kube-node-lease', 'watched');
  assert.ok(fromServer.metadata?.managedFields?.length, 'the server keeps managedFields');
  for (const name of ['listed', 'watched']) assert.equal(inf.lister.namespace('kube-node-lease').get(name)?.metadata?.managedFields, undefined);
  assert.ok(seen.every((o) => o.metadata?.managedFields === undefined));
});
