// Pod watches pinned to a node (fieldSelector spec.nodeName=NODE, as every kubelet watches)
// are indexed by the watch cache: each still sees exactly its pods' events, including the
// binding that moves a pod from spec.nodeName="" (ADDED on the node, DELETED for watchers of
// unbound pods), while unpinned and other-selector watchers see everything that matches.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from './harness.js';
import { api, metric, openWatch, type WatchStream } from './api-request.js';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const ns = `trig-${process.pid}`;
const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
const names = (evs: any[]) => evs.map((e) => `${e.type} ${e.object.metadata.name}`);

test('node-pinned pod watches get exactly their node\'s events, bindings included', async () => {
  assert.equal((await api(c.apiURL, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
  const rv = (await api(c.apiURL, 'GET', `/api/v1/namespaces/${ns}/pods`)).body.metadata.resourceVersion;
  const path = (sel: string) => `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent(sel)}`;
  const watches: WatchStream[] = [];
  try {
    const open = async (sel: string) => { const w = await openWatch(c.apiURL, path(sel)); watches.push(w); return w; };
    const n1 = await open('spec.nodeName=n1');
    const n2 = await open('spec.nodeName=n2');
    const n1Running = await open('spec.nodeName=n1,status.phase=Pending');
    const unbound = await open('spec.nodeName=');
    const bound = await open('spec.nodeName!=');
    const all = await open('metadata.namespace=' + ns);
    const m = (await api(c.apiURL, 'GET', '/metrics')).body as string;
    assert.ok((metric(m, 'apiserver_watch_cache_watchers{prefix="/registry/pods/"}') ?? 0) >= 6, 'pinned watchers are counted');

    assert.equal((await api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('a', 'n1'))).status, 201);
    assert.equal((await api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('b'))).status, 201);
    assert.equal((await api(c.apiURL, 'POST', `/api/v1/namespaces/${ns}/pods/b/binding`,
      { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n2' } })).status, 201);
    assert.equal((await api(c.apiURL, 'PATCH', `/api/v1/namespaces/${ns}/pods/a/status`, { status: { phase: 'Running' } },
      'application/merge-patch+json')).status, 200);
    assert.equal((await api(c.apiURL, 'DELETE', `/api/v1/namespaces/${ns}/pods/a?gracePeriodSeconds=0`)).status, 200);
    assert.equal((await api(c.apiURL, 'DELETE', `/api/v1/namespaces/${ns}/pods/b?gracePeriodSeconds=0`)).status, 200);

    // The unfiltered watch sees all six writes; it is the last to hear of them, so the others are complete.
    assert.deepEqual(names(await all.waitFor(6)), ['ADDED a', 'ADDED b', 'MODIFIED b', 'MODIFIED a', 'DELETED a', 'DELETED b']);
    assert.deepEqual(names(await n1.waitFor(3)), ['ADDED a', 'MODIFIED a', 'DELETED a']);
    assert.deepEqual(names(await n2.waitFor(2)), ['ADDED b', 'DELETED b']);
    assert.deepEqual(names(await n1Running.waitFor(2)), ['ADDED a', 'DELETED a'], 'a leaves status.phase=Pending when Running');
    assert.deepEqual(names(await unbound.waitFor(2)), ['ADDED b', 'DELETED b'], 'the binding takes b out of spec.nodeName=');
    assert.deepEqual(names(await bound.waitFor(5)), ['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED a', 'DELETED b']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(n1.events.length, 3, `n1 got nothing of n2: ${JSON.stringify(names(n1.events))}`);
    assert.equal(n2.events.length, 2, `n2 got nothing of n1: ${JSON.stringify(names(n2.events))}`);
    assert.equal(unbound.events.length, 2);
    assert.equal(n1Running.events.length, 2);
  } finally {
    for (const w of watches) w.close();
  }
});
