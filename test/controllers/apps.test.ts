// DaemonSet and StatefulSet controllers end to end with kubectl rollout status; pods run on
// hollow kubelets and are bound by the real tskube scheduler. The StatefulSet's claims bind
// to pre-made PersistentVolumes (persistentvolume-binder): as upstream, the scheduler's
// VolumeBinding keeps a pod with an unbound Immediate claim Pending.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DAEMONSETS, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, STATEFULSETS, SharedInformer } from '../../src/client/index.js';
import { type Env, startEnv, waitFor } from './harness.js';

const live = async (env: Env, sel: string) => (await env.client.resource(PODS).list('default', { labelSelector: sel })).items.filter((p) => !p.metadata?.deletionTimestamp);

describe('daemonset and statefulset controllers', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await env.kubelet.addNode('node-a', { disk: 'ssd' });
    await env.kubelet.addNode('node-b', { disk: 'ssd' });
    await env.kubelet.addNode('node-c', { disk: 'hdd' }, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--controllers=daemonset,statefulset,persistentvolume-binder']);
    for (let i = 0; i < 3; i++) {
      await env.client.resource(PERSISTENTVOLUMES).create('', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `pv-${i}` },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/pv-${i}` } } });
    }
  });
  after(async () => { await env?.stop(); });

  it('runs one daemon pod per eligible node, respecting taints and node selectors, and rolls out updates', async () => {
    await env.client.resource(DAEMONSETS).create('default', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
    });
    assert.match(await env.k('rollout', 'status', 'ds/agent', '--timeout=60s'), /daemon set "agent" successfully rolled out/);
    let pods = await live(env, 'app=agent');
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), ['node-a', 'node-b'], 'not on the tainted node-c');
    assert.ok(pods.every((p) => p.spec!.tolerations!.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute')));
    // tolerate the taint: node-c joins
    await env.k('patch', 'ds', 'agent', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } } }));
    assert.match(await env.k('rollout', 'status', 'ds/agent', '--timeout=60s'), /successfully rolled out/);
    pods = await live(env, 'app=agent');
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), ['node-a', 'node-b', 'node-c']);
    // a rolling image update replaces every pod, never more than one unavailable at a time
    const informer = new SharedInformer<Pod>(env.client, PODS, { labelSelector: 'app=agent', log: () => {} });
    let minReady = Infinity; let synced = false;
    const count = () => { if (synced) minReady = Math.min(minReady, informer.lister.list().filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length); };
    informer.addEventHandler({ onAdd: count, onUpdate: count, onDelete: count });
    informer.start(); await informer.waitForSync(); synced = true;
    try {
      await env.k('set', 'image', 'ds/agent', 'c=busybox:2');
      assert.match(await env.k('rollout', 'status', 'ds/agent', '--timeout=60s'), /successfully rolled out/);
    } finally { await informer.stop(); }
    assert.ok(minReady >= 2, `ready daemon pods dropped to ${minReady}`);
    pods = await live(env, 'app=agent');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec!.containers[0].image === 'busybox:2'));
    // select by label: node-c (hdd) loses its pod
    await env.k('patch', 'ds', 'agent', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } }));
    await waitFor('pods only on ssd nodes', async () => { const p = await live(env, 'app=agent'); return p.length === 2 && p.every((x) => x.spec!.nodeName !== 'node-c'); }, 60_000);
    const ds = await waitFor('status', async () => { const d = await env.client.resource(DAEMONSETS).get('default', 'agent'); return d.status?.numberReady === 2 && d; });
    assert.equal(ds.status!.desiredNumberScheduled, 2);
  });

  it('creates StatefulSet pods in order with stable names and claims, scales down from the top', async () => {
    const informer = new SharedInformer<Pod>(env.client, PODS, { labelSelector: 'app=db', log: () => {} });
    const order: string[] = [];
    informer.addEventHandler({ onAdd: (p) => order.push(p.metadata!.name!) });
    informer.start(); await informer.waitForSync();
    await env.client.resource(STATEFULSETS).create('default', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: {
        replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    try {
      assert.match(await env.k('rollout', 'status', 'sts/db', '--timeout=60s'), /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision db-\w+/);
    } finally { await informer.stop(); }
    assert.deepEqual(order, ['db-0', 'db-1', 'db-2']);
    const pods = await live(env, 'app=db');
    for (const p of pods) {
      assert.equal(p.spec!.hostname, p.metadata!.name);
      assert.equal(p.spec!.subdomain, 'db');
      assert.equal(p.spec!.volumes!.find((v) => v.name === 'data')!.persistentVolumeClaim!.claimName, `data-${p.metadata!.name}`);
    }
    const claims = (await env.client.resource(PERSISTENTVOLUMECLAIMS).list('default')).items;
    assert.deepEqual(claims.map((c) => c.metadata!.name).sort(), ['data-db-0', 'data-db-1', 'data-db-2']);
    assert.ok(claims.every((c) => c.status?.phase === 'Bound' && /^pv-\d$/.test(c.spec?.volumeName ?? '')), 'each claim bound to one of the volumes');
    await env.k('scale', 'sts/db', '--replicas=1');
    await waitFor('1 pod', async () => { const p = await live(env, 'app=db'); return p.length === 1 && p[0].metadata!.name === 'db-0'; });
    // claims stay (Retain)
    assert.equal((await env.client.resource(PERSISTENTVOLUMECLAIMS).list('default')).items.length, 3);
    await env.k('scale', 'sts/db', '--replicas=3');
    assert.match(await env.k('rollout', 'status', 'sts/db', '--timeout=60s'), /complete: 3 new pods|complete 3 pods/);
  });

  it('does a partitioned rolling update from the highest ordinal', async () => {
    await env.k('patch', 'sts', 'db', '--type=merge', '-p', JSON.stringify({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } } }));
    await env.k('set', 'image', 'sts/db', 'c=busybox:2');
    const out = await env.k('rollout', 'status', 'sts/db', '--timeout=60s');
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated/);
    // the apiserver defaults partition to 0 as upstream does, so kubectl reports a partitioned roll out
    const images = Object.fromEntries((await live(env, 'app=db')).map((p) => [p.metadata!.name, p.spec!.containers[0].image]));
    assert.deepEqual(images, { 'db-0': 'busybox:1', 'db-1': 'busybox:2', 'db-2': 'busybox:2' });
    await env.k('patch', 'sts', 'db', '--type=merge', '-p', JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }));
    assert.match(await env.k('rollout', 'status', 'sts/db', '--timeout=60s'), /complete: 3 new pods|complete 3 pods/);
    assert.ok((await live(env, 'app=db')).every((p) => p.spec!.containers[0].image === 'busybox:2'));
  });

  it('Parallel: creates every pod without waiting for readiness and rolls an unready set forward', async () => {
    await env.client.resource(STATEFULSETS).create('default', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'par' },
      spec: {
        replicas: 3, serviceName: 'par', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'par' } },
        // no node has disk=none: the pods stay Pending, never Ready
        template: { metadata: { labels: { app: 'par' } }, spec: { nodeSelector: { disk: 'none' }, containers: [{ name: 'c', image: 'busybox:1' }] } },
      },
    });
    // OrderedReady would stop at par-0 until it is Ready; Parallel makes all three at once
    const pending = await waitFor('3 pending pods', async () => { const p = await live(env, 'app=par'); return p.length === 3 && p; });
    assert.deepEqual(pending.map((p) => p.metadata!.name).sort(), ['par-0', 'par-1', 'par-2']);
    assert.ok(pending.every((p) => !p.spec!.nodeName));
    const sts = await waitFor('status', async () => { const s = await env.client.resource(STATEFULSETS).get('default', 'par'); return s.status?.replicas === 3 && s; });
    assert.equal(sts.status!.readyReplicas ?? 0, 0);
    // a fixed template replaces the unready pods from the top, as upstream (OrderedReady would be stuck)
    await env.k('patch', 'sts', 'par', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/nodeSelector' }]));
    assert.match(await env.k('rollout', 'status', 'sts/par', '--timeout=90s'), /complete: 3 new pods|complete 3 pods/);
    const running = await live(env, 'app=par');
    assert.equal(running.length, 3);
    assert.ok(running.every((p) => p.spec!.nodeName && !p.spec!.nodeSelector), 'every pod from the new template, scheduled');
    await env.k('scale', 'sts/par', '--replicas=0');
    await waitFor('no pods', async () => (await live(env, 'app=par')).length === 0, 60_000);
  });
});
