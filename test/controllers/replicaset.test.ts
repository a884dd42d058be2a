// ReplicaSet and ReplicationController controllers against real etcd + apiserver + manager,
// with the real kubectl for scale, and the test-only FakeKubelet running pods.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICASETS, REPLICATIONCONTROLLERS, EVENTS, SharedInformer, deletedObject } from '../../src/client/index.js';
import { type Env, startEnv, waitFor } from './harness.js';

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const activePods = async (env: Env, ns: string, sel: string): Promise<Pod[]> =>
  (await env.client.resource(PODS).list(ns, { labelSelector: sel })).items.filter((p) => !p.metadata?.deletionTimestamp);

describe('replicaset controller', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await env.kubelet.addNode('node-a');
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--controllers=replicaset,replicationcontroller']);
  });
  after(async () => { await env?.stop(); });

  it('creates the replicas, owned by the ReplicaSet, and reports them ready', async () => {
    const rs = await env.client.resource(REPLICASETS).create('default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') } });
    const pods = await waitFor('3 pods', async () => { const p = await activePods(env, 'default', 'app=web'); return p.length === 3 && p; });
    for (const p of pods) {
      assert.equal(p.metadata!.ownerReferences![0].uid, rs.metadata!.uid);
      assert.equal(p.metadata!.ownerReferences![0].controller, true);
      assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
    }
    await waitFor('readyReplicas 3', async () => (await env.client.resource(REPLICASETS).get('default', 'web')).status?.readyReplicas === 3);
    const events = (await env.client.resource(EVENTS).list('default')).items.filter((e) => e.involvedObject.name === 'web' && e.reason === 'SuccessfulCreate');
    assert.ok(events.some((e) => /^Created pod: web-[a-z0-9]{5}$/.test(e.message ?? '')), JSON.stringify(events.map((e) => e.message)));
  });

  it('replaces a deleted pod', async () => {
    const before = await activePods(env, 'default', 'app=web');
    await env.k('delete', 'pod', before[0].metadata!.name!, '--wait=false');
    const after = await waitFor('a replacement', async () => {
      const p = await activePods(env, 'default', 'app=web');
      return p.length === 3 && !p.some((x) => x.metadata!.name === before[0].metadata!.name) && p;
    });
    assert.equal(after.length, 3);
  });

  it('follows kubectl scale up and down without overshooting', async () => {
    await env.k('scale', 'rs', 'web', '--replicas=5');
    await waitFor('5 pods', async () => (await activePods(env, 'default', 'app=web')).length === 5);
    await env.k('scale', 'rs', 'web', '--replicas=2');
    await waitFor('2 pods', async () => (await activePods(env, 'default', 'app=web')).length === 2);
    await waitFor('status 2', async () => (await env.client.resource(REPLICASETS).get('default', 'web')).status?.replicas === 2);
    // settle, then check nothing more happened (no double creates)
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await activePods(env, 'default', 'app=web')).length, 2);
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    // The adopted pod is the newest of 3 for 2 replicas, so it may be the one scaled away:
    // watch it, and see that it was adopted at some point.
    const watcher = new SharedInformer<Pod>(env.client, PODS, { fieldSelector: 'metadata.name=orphan', log: () => {} });
    let adopted: Pod | undefined;
    const seen = (p: Pod) => { if (p.metadata?.ownerReferences?.[0]?.name === 'web') adopted = p; };
    watcher.addEventHandler({ onAdd: seen, onUpdate: (_, p) => seen(p), onDelete: (p) => seen(deletedObject(p)) });
    watcher.start();
    await watcher.waitForSync();
    try {
      await env.client.resource(PODS).create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      await waitFor('adoption', () => adopted);
    } finally {
      await watcher.stop();
    }
    assert.equal(adopted!.metadata!.ownerReferences![0].kind, 'ReplicaSet');
    assert.equal(adopted!.metadata!.ownerReferences![0].controller, true);
    // 3 pods now for 2 replicas: one goes
    await waitFor('back to 2', async () => (await activePods(env, 'default', 'app=web')).length === 2);
    const keep = (await activePods(env, 'default', 'app=web'))[0];
    await env.k('label', 'pod', keep.metadata!.name!, 'app=other', '--overwrite');
    const released = await waitFor('release', async () => { const p = await env.client.resource(PODS).get('default', keep.metadata!.name!); return !p.metadata?.ownerReferences?.length && p; });
    assert.equal(released.metadata!.labels!.app, 'other');
    await waitFor('replacement for the released pod', async () => (await activePods(env, 'default', 'app=web')).length === 2);
  });

  it('runs ReplicationControllers with their map selectors', async () => {
    await env.client.resource(REPLICATIONCONTROLLERS).create('default', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' }, spec: { replicas: 2, selector: { app: 'legacy' }, template: template('legacy') } });
    await waitFor('2 rc pods', async () => (await activePods(env, 'default', 'app=legacy')).length === 2);
    await waitFor('rc ready', async () => (await env.client.resource(REPLICATIONCONTROLLERS).get('default', 'legacy')).status?.readyReplicas === 2);
    await env.k('scale', 'rc', 'legacy', '--replicas=1');
    await waitFor('1 rc pod', async () => (await activePods(env, 'default', 'app=legacy')).length === 1);
  });
});
