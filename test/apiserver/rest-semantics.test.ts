// REST semantics end to end on one API server (tskube etcd, --event-ttl 4s, bookmarks every
// 300 ms): event leases kept on update and shared, resourceVersion/resourceVersionMatch on
// lists and watches (Exact, too large, 422 for Exact at 0), bookmarks, 413, a terminating
// namespace, delete preconditions and grace, dry run, generateName, health and metrics
// endpoints, aggregated discovery, and etcd's key layout as on a kubeadm cluster.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type Cluster, manifest, startCluster } from './harness.js';
import { api, openWatch } from './api-request.js';

let c: Cluster;
before(async () => { c = await startCluster({ apiserverArgs: ['--event-ttl', '4s'], env: { TSKUBE_WATCH_BOOKMARK_MS: '300' } }); });
after(async () => { await c?.stop(); });

function etcdctl(...args: string[]): string {
  const r = spawnSync('/usr/bin/etcdctl', ['--endpoints', c.etcdURL, ...args], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
/** The lease a key is attached to ("0" for none). */
const leaseOf = (key: string) => String(JSON.parse(etcdctl('get', key, '-w', 'json')).kvs?.[0]?.lease ?? 'missing');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const event = (name: string) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Test', message: 'm', type: 'Normal', count: 1, source: { component: 'test' },
});

test('events keep a lease on update, share one within the reuse window, and expire after --event-ttl', async () => {
  const evs = '/api/v1/namespaces/default/events';
  assert.equal((await api(c.apiURL, 'POST', evs, event('e1'))).status, 201);
  assert.equal((await api(c.apiURL, 'POST', evs, event('e2'))).status, 201);
  const l1 = leaseOf('/registry/events/default/e1');
  assert.notEqual(l1, '0');
  assert.equal(leaseOf('/registry/events/default/e2'), l1, 'events written within the window share a lease');
  // The recorder's aggregation: a strategic merge patch of count.
  const patched = await api(c.apiURL, 'PATCH', `${evs}/e1`, { count: 2 }, 'application/strategic-merge-patch+json');
  assert.equal(patched.status, 200);
  assert.equal(patched.body.count, 2);
  assert.notEqual(leaseOf('/registry/events/default/e1'), '0', 'the update kept a lease');
  // Gone after the TTL (4 s plus the reuse window; etcd checks leases every 500 ms).
  for (let i = 0; i < 60 && (await api(c.apiURL, 'GET', `${evs}/e1`)).status !== 404; i++) await sleep(500);
  assert.equal((await api(c.apiURL, 'GET', `${evs}/e1`)).status, 404);
  assert.equal((await api(c.apiURL, 'GET', `${evs}/e2`)).status, 404);
});

test('resourceVersionMatch: Exact reads the old state unpaged; Exact at 0 is 422; a future version is 504 after waiting', async () => {
  const base = '/api/v1/namespaces/default/configmaps';
  const first = await api(c.apiURL, 'POST', base, cm('rv-a'));
  const rv = first.body.metadata.resourceVersion;
  assert.equal((await api(c.apiURL, 'POST', base, cm('rv-b'))).status, 201);
  const exact = await api(c.apiURL, 'GET', `${base}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 200);
  assert.equal(exact.body.metadata.resourceVersion, rv);
  assert.deepEqual(exact.body.items.map((i: any) => i.metadata.name).filter((n: string) => n.startsWith('rv-')), ['rv-a']);
  const newest = await api(c.apiURL, 'GET', `${base}?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
  assert.deepEqual(newest.body.items.map((i: any) => i.metadata.name).filter((n: string) => n.startsWith('rv-')), ['rv-a', 'rv-b']);

  const zero = await api(c.apiURL, 'GET', `${base}?resourceVersion=0&resourceVersionMatch=Exact`);
  assert.equal(zero.status, 422);
  assert.equal(zero.body.reason, 'Invalid');
  assert.equal(zero.body.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');

  const future = Number(newest.body.metadata.resourceVersion) + 1000;
  const t0 = Date.now();
  const tooLarge = await api(c.apiURL, 'GET', `${base}?resourceVersion=${future}&resourceVersionMatch=NotOlderThan`);
  assert.equal(tooLarge.status, 504);
  assert.equal(tooLarge.body.reason, 'Timeout');
  assert.match(tooLarge.body.message, new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`));
  assert.equal(tooLarge.body.details.causes[0].reason, 'ResourceVersionTooLarge');
  assert.ok(Date.now() - t0 >= 2500, 'the server waited for the version before giving up');
  const exactFuture = await api(c.apiURL, 'GET', `${base}?resourceVersion=${future}&resourceVersionMatch=Exact`);
  assert.equal(exactFuture.status, 504);
});

test('watch: a version ahead of the cache waits, then ERROR 504; one etcd reaches in time starts; bookmarks', async () => {
  const base = '/api/v1/namespaces/default/configmaps';
  const list = await api(c.apiURL, 'GET', base);
  const now = Number(list.body.metadata.resourceVersion);
  // Far ahead: an ERROR event carrying 504 Too large resource version.
  const far = await openWatch(c.apiURL, `${base}?watch=true&resourceVersion=${now + 1000}`);
  try {
    const [ev] = await far.waitFor(1, 10_000);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 504);
    assert.match(ev.object.message, /Too large resource version/);
  } finally { far.close(); }
  // Writes to another resource move etcd (not the configmaps cache) past the version: the
  // watch starts once etcd's progress notification says the cache has reached it.
  const ahead = await openWatch(c.apiURL, `${base}?watch=true&resourceVersion=${now + 2}&allowWatchBookmarks=true`);
  try {
    for (const n of ['s1', 's2', 's3']) await api(c.apiURL, 'POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: n } });
    await api(c.apiURL, 'POST', base, cm('after-ahead'));
    for (let i = 0; i < 100 && !ahead.events.some((e) => e.type === 'ADDED'); i++) await sleep(100);
    assert.ok(!ahead.events.some((e) => e.type === 'ERROR'), JSON.stringify(ahead.events));
    assert.deepEqual(ahead.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after-ahead']);
    for (let i = 0; i < 50 && !ahead.events.some((e) => e.type === 'BOOKMARK'); i++) await sleep(100);
    const bookmark = ahead.events.find((e) => e.type === 'BOOKMARK');
    assert.equal(bookmark?.object.kind, 'ConfigMap');
    assert.ok(Number(bookmark.object.metadata.resourceVersion) >= now + 2, 'a bookmark never goes back before the watch\'s version');
  } finally { ahead.close(); }
});

test('413 for a body over 3 MiB; nothing is stored', async () => {
  const big = await api(c.apiURL, 'POST', '/api/v1/namespaces/default/configmaps', cm('big', { x: 'y'.repeat(3 * 1024 * 1024 + 10) }));
  assert.equal(big.status, 413);
  assert.equal(big.body.reason, 'RequestEntityTooLarge');
  assert.equal((await api(c.apiURL, 'GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);
});

test('a terminating namespace refuses new content with 403 Forbidden', async () => {
  c.k('create', 'namespace', 'going');
  c.k('delete', 'namespace', 'going', '--wait=false');
  assert.equal(c.k('get', 'ns', 'going', '-o', 'jsonpath={.status.phase}'), 'Terminating');
  const r = await api(c.apiURL, 'POST', '/api/v1/namespaces/going/configmaps', cm('late'));
  assert.equal(r.status, 403);
  assert.equal(r.body.reason, 'Forbidden');
  assert.equal(r.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace going because it is being terminated');
});

test('delete: preconditions, grace periods on a bound pod, dry run', async () => {
  const pods = '/api/v1/namespaces/default/pods';
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'graceful' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
  const created = await api(c.apiURL, 'POST', pods, pod);
  assert.equal(created.status, 201);
  const wrongUid = await api(c.apiURL, 'DELETE', `${pods}/graceful`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-it' } });
  assert.equal(wrongUid.status, 409);
  assert.equal(wrongUid.body.message, `Operation cannot be fulfilled on pods "graceful": Precondition failed: UID in precondition: not-it, UID in object meta: ${created.body.metadata.uid}`);
  const dry = await api(c.apiURL, 'DELETE', `${pods}/graceful?dryRun=All`);
  assert.equal(dry.status, 202);
  assert.equal((await api(c.apiURL, 'GET', `${pods}/graceful`)).body.metadata.deletionTimestamp, undefined, 'a dry run changes nothing');
  const graceful = await api(c.apiURL, 'DELETE', `${pods}/graceful`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 30 });
  assert.equal(graceful.status, 202);
  assert.equal(graceful.body.metadata.deletionGracePeriodSeconds, 30);
  assert.ok(graceful.body.metadata.deletionTimestamp);
  const now = await api(c.apiURL, 'DELETE', `${pods}/graceful`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
  assert.equal(now.status, 200);
  assert.equal((await api(c.apiURL, 'GET', `${pods}/graceful`)).status, 404);
});

test('kubectl --dry-run=server stores nothing; generateName gets a random suffix', async () => {
  const out = c.k('create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server', '-o', 'json');
  assert.equal(JSON.parse(out).metadata.name, 'dry');
  assert.equal(c.kubectl(['get', 'configmap', 'dry']).code, 1);
  const file = manifest(c, 'gen.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n');
  const name = c.k('create', '-f', file, '-o', 'jsonpath={.metadata.name}');
  assert.match(name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('/version, /healthz, /livez, /readyz with upstream check names, and /metrics', async () => {
  const version = await api(c.apiURL, 'GET', '/version');
  assert.match(version.body.gitVersion, /^v1\.\d+\.\d+/);
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const r = await api(c.apiURL, 'GET', p);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  }
  const ready = (await api(c.apiURL, 'GET', '/readyz?verbose')).body as string;
  for (const line of ['[+]ping ok', '[+]etcd ok', '[+]etcd-readiness ok', '[+]informer-sync ok', '[+]poststarthook/bootstrap-controller ok',
    '[+]poststarthook/crd-informer-synced ok', '[+]poststarthook/rbac/bootstrap-roles ok', '[+]shutdown ok', 'readyz check passed']) {
    assert.ok(ready.split('\n').includes(line), `${line} in\n${ready}`);
  }
  const live = (await api(c.apiURL, 'GET', '/livez?verbose&exclude=etcd')).body as string;
  assert.ok(live.includes('[+]etcd excluded: ok'), live);
  assert.ok(!live.includes('shutdown'));
  assert.equal((await api(c.apiURL, 'GET', '/readyz/etcd')).body, 'ok');
  assert.equal((await api(c.apiURL, 'GET', '/readyz/nope')).status, 404);
  const metrics = (await api(c.apiURL, 'GET', '/metrics')).body as string;
  assert.match(metrics, /^apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",code="201"\} \d+$/m);
  assert.match(metrics, /^apiserver_request_duration_seconds_bucket\{le="1",verb="GET",.*resource="pods".*\} \d+$/m);
  assert.match(metrics, /^apiserver_current_inflight_requests\{request_kind="mutating"\} 0$/m);
  assert.match(metrics, /^etcd_request_duration_seconds_count\{operation="create",type="configmaps"\} \d+$/m);
  assert.match(metrics, /^apiserver_storage_objects\{resource="namespaces"\} \d+$/m);
  // a watch counts as long-running for as long as it stays open, not just while it is set up
  const openWatches = async () => Number(/^apiserver_longrunning_requests\{verb="WATCH",resource="secrets"\} (\d+)$/m.exec((await api(c.apiURL, 'GET', '/metrics')).body as string)?.[1] ?? 0);
  const before = await openWatches();
  const w = await openWatch(c.apiURL, '/api/v1/namespaces/default/secrets?watch=true');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await openWatches(), before + 1);
  w.close();
  for (let i = 0; i < 50 && (await openWatches()) !== before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await openWatches(), before);
});

test('aggregated discovery (apidiscovery.k8s.io/v2) lists groups with their resources', async () => {
  const r = await new Promise<any>((resolve, reject) => {
    import('node:https').then(({ default: https }) => {
      https.get(`${c.apiURL}/apis`, { rejectUnauthorized: false, headers: { Authorization: 'Bearer e2e-token-0123456789', Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ type: res.headers['content-type'], body: JSON.parse(text) }));
      }).on('error', reject);
    });
  });
  assert.match(r.type, /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/);
  assert.equal(r.body.kind, 'APIGroupDiscoveryList');
  const apps = r.body.items.find((g: any) => g.metadata.name === 'apps');
  assert.ok(apps.versions[0].resources.some((x: any) => x.resource === 'deployments' && x.scope === 'Namespaced'));
});

test('etcd keys follow upstream\'s layout (etcdctl get /registry/ --prefix --keys-only)', async () => {
  c.k('create', '-f', manifest(c, 'layout.yaml', [
    'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: {name: widgets.example.com}',
    'spec:', '  group: example.com', '  scope: Namespaced', '  names: {plural: widgets, singular: widget, kind: Widget}',
    '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]',
    '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
    'spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: nginx}]}}}',
    '---', 'apiVersion: v1', 'kind: Node', 'metadata: {name: node-a}',
    '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {ports: [{port: 80}]}',
    '---', 'apiVersion: v1', 'kind: ReplicationController', 'metadata: {name: rc}',
    'spec: {selector: {a: rc}, template: {metadata: {labels: {a: rc}}, spec: {containers: [{name: c, image: nginx}]}}}',
    '---', 'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: ing}', 'spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}',
    '',
  ].join('\n')));
  c.k('wait', '--for', 'condition=Established', 'crd/widgets.example.com');
  c.k('create', '-f', manifest(c, 'widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\n'));
  const keys = etcdctl('get', '/registry/', '--prefix', '--keys-only').split('\n').filter(Boolean);
  for (const k of [
    '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com', '/registry/example.com/widgets/default/w1',
    '/registry/deployments/default/web', '/registry/minions/node-a', '/registry/services/specs/default/web',
    '/registry/services/endpoints/default/kubernetes', '/registry/controllers/default/rc', '/registry/ingress/default/ing',
    '/registry/namespaces/kube-system', '/registry/ranges/serviceips',
    '/registry/priorityclasses/system-node-critical', '/registry/configmaps/default/rv-a',
  ]) assert.ok(keys.includes(k), `${k} in\n${keys.join('\n')}`);
  assert.ok(!keys.some((k) => k.startsWith('/registry/customresourcedefinitions/')));
});

test('a CRD stored at the old key (/registry/customresourcedefinitions/NAME) moves to upstream\'s key at start', async () => {
  const crd = JSON.parse(c.k('get', 'crd', 'widgets.example.com', '-o', 'json'));
  crd.metadata.name = 'gadgets.example.com';
  crd.spec.names = { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' };
  crd.status.acceptedNames = crd.spec.names;
  delete crd.metadata.resourceVersion;
  etcdctl('put', '/registry/customresourcedefinitions/gadgets.example.com', JSON.stringify(crd));
  // A second API server on the same etcd migrates at start and serves the CRD.
  const second = await startCluster({ etcdServers: [c.etcdURL] });
  try {
    const keys = etcdctl('get', '/registry/', '--prefix', '--keys-only');
    assert.ok(keys.includes('/registry/apiextensions.k8s.io/customresourcedefinitions/gadgets.example.com'), keys);
    assert.ok(!keys.includes('/registry/customresourcedefinitions/'), keys);
    assert.equal(second.k('get', 'crd', 'gadgets.example.com', '-o', 'jsonpath={.spec.names.kind}'), 'Gadget');
  } finally { await second.stop(); }
});
