// The REST client against real etcd + tskube apiserver: CRUD, patches, Status errors,
// pagination, watch streams and the official JS client reading what we wrote.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { ApiStatusError, isAlreadyExists, isConflict, isNotFound } from '../../src/client/api-status-error.js';
import { CONFIGMAPS, PODS } from '../../src/client/resources.js';
import type { RestClient } from '../../src/client/rest-client.js';
import { type TestCluster, startTestCluster } from './cluster.js';

let c: TestCluster;
let client: RestClient;
before(async () => { c = await startTestCluster(); client = c.client(); });
after(async () => { await c?.stop(); });

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): ConfigMap =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

test('create, get, update, list, delete a ConfigMap; errors carry the server Status', async () => {
  const cms = client.resource(CONFIGMAPS);
  const created = await cms.create('default', cm('one', { a: '1' }));
  assert.equal(created.metadata?.namespace, 'default');
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  const got = await cms.get('default', 'one');
  assert.deepEqual(got.data, { a: '1' });

  const dup = await cms.create('default', cm('one', {})).then(() => null, (e) => e);
  assert.ok(dup instanceof ApiStatusError && isAlreadyExists(dup));
  assert.equal(dup.code, 409);
  assert.equal(dup.status.message, 'configmaps "one" already exists');
  assert.deepEqual(dup.status.details, { name: 'one', kind: 'configmaps' });

  const updated = await cms.update('default', { ...got, data: { a: '2' } });
  assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
  const stale = await cms.update('default', { ...got, data: { a: '3' } }).then(() => null, (e) => e);
  assert.ok(isConflict(stale), `stale update is a Conflict: ${stale}`);
  assert.match((stale as ApiStatusError).message, /the object has been modified; please apply your changes to the latest version and try again/);

  const missing = await cms.get('default', 'absent').then(() => null, (e) => e);
  assert.ok(isNotFound(missing));
  assert.equal((missing as ApiStatusError).status.message, 'configmaps "absent" not found');
  assert.equal((missing as ApiStatusError).status.reason, 'NotFound');

  const bad = await client.resource(PODS).create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [] } }).then(() => null, (e) => e);
  assert.equal((bad as ApiStatusError).code, 422);
  assert.equal((bad as ApiStatusError).reason, 'Invalid');
  assert.ok((bad as ApiStatusError).status.details?.causes?.some((x) => x.field === 'spec.containers'));

  await cms.delete('default', 'one');
  assert.ok(isNotFound(await cms.get('default', 'one').then(() => null, (e) => e)));
});

test('patch: merge, json, strategic and server-side apply; dryRun changes nothing', async () => {
  const cms = client.resource(CONFIGMAPS);
  await cms.create('default', cm('p', { a: '1', b: '2' }));
  let out = await cms.patch('default', 'p', 'merge', { data: { b: null, c: '3' } });
  assert.deepEqual(out.data, { a: '1', c: '3' });
  out = await cms.patch('default', 'p', 'json', [{ op: 'replace', path: '/data/a', value: 'one' }]);
  assert.deepEqual(out.data, { a: 'one', c: '3' });
  out = await cms.patch('default', 'p', 'strategic', { metadata: { labels: { x: 'y' } } });
  assert.deepEqual(out.metadata?.labels, { x: 'y' });
  out = await cms.patch('default', 'p', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' }, data: { applied: 'yes' } }, { fieldManager: 'client-test', force: true });
  assert.equal(out.data?.applied, 'yes');
  assert.ok(out.metadata?.managedFields?.some((m) => m.manager === 'client-test' && m.operation === 'Apply'));
  const dry = await cms.patch('default', 'p', 'merge', { data: { dry: 'run' } }, { dryRun: true });
  assert.equal(dry.data?.dry, 'run');
  assert.equal((await cms.get('default', 'p')).data?.dry, undefined);
  await assert.rejects(cms.patch('default', 'p', 'apply', {}), /fieldManager/);
});

test('list paginates with limit/continue and filters by label selector; deleteCollection', async () => {
  const cms = client.resource(CONFIGMAPS);
  for (let i = 0; i < 7; i++) await cms.create('default', cm(`page-${i}`, {}, { set: 'paged', odd: String(i % 2 === 1) }));
  const names: string[] = [];
  let cont: string | undefined;
  let pages = 0;
  do {
    const page = await cms.list('default', { labelSelector: 'set=paged', limit: 3, continue: cont });
    pages++;
    names.push(...page.items.map((i) => i.metadata!.name!));
    cont = page.metadata.continue || undefined;
  } while (cont);
  assert.equal(pages, 3);
  assert.deepEqual(names.sort(), Array.from({ length: 7 }, (_, i) => `page-${i}`));
  const odd = await cms.list('default', { labelSelector: 'set=paged,odd=true' });
  assert.equal(odd.items.length, 3);
  await cms.deleteCollection('default', { labelSelector: 'set=paged' });
  assert.equal((await cms.list('default', { labelSelector: 'set=paged' })).items.length, 0);
});

test('watch streams ADDED/MODIFIED/DELETED from a resourceVersion and ends at timeoutSeconds', async () => {
  const cms = client.resource(CONFIGMAPS);
  const start = await cms.list('default');
  const seen: string[] = [];
  const watching = (async () => {
    for await (const ev of cms.watch('default', { resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 3, labelSelector: 'w=1' })) {
      seen.push(`${ev.type} ${ev.type === 'ERROR' ? '' : ev.object.metadata?.name}`);
    }
    return 'ended';
  })();
  await cms.create('default', cm('w', {}, { w: '1' }));
  await cms.create('default', cm('not-watched', {}, { w: '2' }));
  await cms.patch('default', 'w', 'merge', { data: { k: 'v' } });
  await cms.delete('default', 'w');
  assert.equal(await watching, 'ended', 'the server ends the watch after timeoutSeconds and the iterator finishes');
  assert.deepEqual(seen, ['ADDED w', 'MODIFIED w', 'DELETED w']);
});

// With the watch cache, as upstream, a version still in the cache's window is served even
// after etcd compacted it; one older than the window is 410 Expired. A restarted server's
// cache begins at the current revision, so every earlier version is outside its window.
test('a too old resourceVersion yields one ERROR 410 Expired event and the watch ends', async () => {
  const cms = client.resource(CONFIGMAPS);
  await cms.create('default', cm('brk', {}));
  for await (const ev of cms.watch('default', { timeoutSeconds: 30 })) {
    assert.equal(ev.type, 'ADDED');
    break;
  }
  const old = (await cms.get('default', 'brk')).metadata!.resourceVersion!;
  await cms.patch('default', 'brk', 'merge', { data: { a: 'b' } });
  await cms.patch('default', 'brk', 'merge', { data: { a: 'c' } });
  c.compactEtcd();
  await c.restartApiServer();
  const events = [];
  for await (const ev of cms.watch('default', { resourceVersion: old, timeoutSeconds: 10 })) events.push(ev);
  assert.equal(events.length, 1, JSON.stringify(events).slice(0, 600));
  const ev = events[0];
  assert.equal(ev.type, 'ERROR', JSON.stringify(ev).slice(0, 800));
  assert.equal(ev.type === 'ERROR' && ev.object.code, 410);
  assert.equal(ev.type === 'ERROR' && ev.object.reason, 'Expired');
});

test('the official @kubernetes/client-node reads what our client wrote, and ours reads its writes', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await client.resource(CONFIGMAPS).create('default', cm('cross', { from: 'tskube' }));
  const theirs = await core.readNamespacedConfigMap({ name: 'cross', namespace: 'default' });
  assert.deepEqual(theirs.data, { from: 'tskube' });
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cross2' }, data: { from: 'client-node' } } });
  assert.deepEqual((await client.resource(CONFIGMAPS).get('default', 'cross2')).data, { from: 'client-node' });
  const err = await core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }).then(() => null, (e) => e);
  assert.equal(err?.code, 404);
});
