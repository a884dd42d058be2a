// disruption (kubectl drain honours a PodDisruptionBudget), resourcequota (status.used
// follows the namespace; finished pods give their share back), persistentvolume-binder
// with pvc-/pv-protection (binding, Released/Retain, Delete), ttl, ephemeral-volume and
// podgc (threshold, pods of deleted nodes, terminating pods on out-of-service nodes), on hollow nodes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODDISRUPTIONBUDGETS, PODS, isNotFound } from '../../src/client/index.js';
import { RESOURCEQUOTAS } from '../../src/controllers/util/resource-types.js';
import { type Env, startEnv, waitFor } from './harness.js';

const gone = (p: Promise<unknown>) => p.then(() => false, (e) => isNotFound(e));

describe('disruption, resourcequota, volumes, ttl', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await Promise.all([env.kubelet.addNode('node-a'), env.kubelet.addNode('node-b')]);
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--resource-quota-sync-period=10s', '--terminated-pod-gc-threshold=2']);
  });
  after(async () => { await env?.stop(); });

  it('keeps PodDisruptionBudget status and lets kubectl drain evict within it', async () => {
    await env.k('create', 'deployment', 'web', '--image=busybox', '--replicas=3');
    await env.k('create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=2');
    const pdb = await waitFor('pdb status', async () => {
      const p = await env.client.resource(PODDISRUPTIONBUDGETS).get('default', 'web');
      return p.status?.currentHealthy === 3 && p;
    }, 60_000);
    assert.equal(pdb.status!.desiredHealthy, 2);
    assert.equal(pdb.status!.expectedPods, 3);
    assert.equal(pdb.status!.disruptionsAllowed, 1);
    assert.equal(pdb.status!.observedGeneration, pdb.metadata!.generation);
    const cond = pdb.status!.conditions!.find((c) => c.type === 'DisruptionAllowed')!;
    assert.deepEqual([cond.status, cond.reason], ['True', 'SufficientPods']);
    const onA = (await env.client.resource(PODS).list('default', { labelSelector: 'app=web' })).items.filter((p) => p.spec?.nodeName === 'node-a').length;
    const r = await env.kubectl(['drain', 'node-a', '--ignore-daemonsets', '--timeout=90s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/node-a (cordoned|already cordoned)/);
    const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(pods.filter((p) => p.spec?.nodeName === 'node-a').length, 0, `${onA} pods were on node-a; none stay`);
    await waitFor('3 healthy again', async () => (await env.client.resource(PODDISRUPTIONBUDGETS).get('default', 'web')).status?.currentHealthy === 3, 60_000);
    await env.k('uncordon', 'node-a');
    // with minAvailable equal to the replicas nothing may be evicted: the eviction is refused with 429
    await env.k('patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":3}}');
    await waitFor('no disruptions allowed', async () => {
      const p = await env.client.resource(PODDISRUPTIONBUDGETS).get('default', 'web');
      return p.status?.observedGeneration === p.metadata?.generation && p.status?.disruptionsAllowed === 0 && p.status.conditions?.some((c) => c.reason === 'InsufficientPods');
    });
    const victim = pods[0].metadata!.name!;
    const ev = await env.kubectl(['create', '--raw', `/api/v1/namespaces/default/pods/${victim}/eviction`, '-f', '-'],
      JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: 'default' } }));
    assert.notEqual(ev.code, 0);
    assert.match(ev.stderr, /disruption budget/i);
    await env.k('delete', 'deployment', 'web');
    await env.k('delete', 'pdb', 'web');
  });

  it('recalculates ResourceQuota usage; finished pods stop counting', async () => {
    await env.k('create', 'namespace', 'quota');
    await env.k('create', 'quota', 'q', '-n', 'quota', '--hard=pods=10,requests.cpu=4,count/deployments.apps=5,services=3,configmaps=10');
    const used = async () => (await env.client.resource(RESOURCEQUOTAS).get('quota', 'q')).status?.used ?? {};
    await waitFor('initial usage', async () => (await used()).pods === '0');
    await env.k('create', 'deployment', 'd', '-n', 'quota', '--image=busybox', '--replicas=2');
    await env.k('set', 'resources', 'deployment', 'd', '-n', 'quota', '--requests=cpu=250m');
    await env.k('create', 'service', 'clusterip', 's', '-n', 'quota', '--tcp=80');
    await env.k('create', 'configmap', 'c', '-n', 'quota');
    const u = await waitFor('usage of 2 pods', async () => {
      const u = await used();
      const pods = (await env.client.resource(PODS).list('quota')).items.filter((p) => !p.metadata?.deletionTimestamp);
      return u.pods === '2' && pods.length === 2 && pods.every((p) => p.spec?.containers[0].resources?.requests?.cpu === '250m') && u['requests.cpu'] === '500m' && u;
    }, 60_000);
    assert.equal(u['count/deployments.apps'], '1');
    assert.equal(u.services, '1');
    assert.equal(Number(u.configmaps) >= 1, true);
    // a pod that finishes gives its share back
    await env.kubectl(['apply', '-n', 'quota', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 0'], resources: { requests: { cpu: '1' } } }] } }));
    await waitFor('finished pod not counted', async () => {
      const p = await env.client.resource(PODS).get('quota', 'once');
      const u = await used();
      return p.status?.phase === 'Succeeded' && u.pods === '2' && u['requests.cpu'] === '500m';
    }, 60_000);
    await env.k('delete', 'deployment', 'd', '-n', 'quota');
    await waitFor('usage back to 0 pods', async () => (await used()).pods === '0', 60_000);
  });

  it('binds claims to matching volumes, protects both while in use, and applies reclaim policies', async () => {
    const pv = (name: string, size: string, policy: string, extra: object = {}) => ({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels: { tier: name } },
      spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: policy, storageClassName: 'manual', hostPath: { path: `/tmp/${name}` }, ...extra },
    });
    const pvs = env.client.resource(PERSISTENTVOLUMES);
    await pvs.create('', pv('small', '1Gi', 'Retain') as any);
    await pvs.create('', pv('big', '10Gi', 'Delete') as any);
    await pvs.create('', { ...pv('rox', '5Gi', 'Retain'), spec: { ...pv('rox', '5Gi', 'Retain').spec, accessModes: ['ReadOnlyMany'] } } as any);
    await waitFor('volumes Available with pv-protection', async () => (await pvs.list('')).items.filter((v) => v.status?.phase === 'Available' && v.metadata?.finalizers?.includes('kubernetes.io/pv-protection')).length === 3);
    const claim = (name: string, size: string, extra: object = {}) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: size } }, ...extra } });
    const pvcs = env.client.resource(PERSISTENTVOLUMECLAIMS);
    await pvcs.create('default', claim('want2', '2Gi') as any);
    await pvcs.create('default', claim('want1', '500Mi') as any);
    await pvcs.create('default', claim('nomatch', '100Gi') as any);
    const bound = await waitFor('claims bound', async () => {
      const a = await pvcs.get('default', 'want2'); const b = await pvcs.get('default', 'want1');
      return a.status?.phase === 'Bound' && b.status?.phase === 'Bound' && [a, b];
    }, 60_000);
    assert.equal(bound[0].spec!.volumeName, 'big', 'the only RWO volume of at least 2Gi');
    assert.equal(bound[1].spec!.volumeName, 'small', 'the smallest that fits');
    assert.equal(bound[0].status!.capacity!.storage, '10Gi');
    assert.equal(bound[0].metadata!.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.ok(bound[0].metadata!.finalizers!.includes('kubernetes.io/pvc-protection'));
    const smallPV = await pvs.get('', 'small');
    assert.equal(smallPV.status!.phase, 'Bound');
    assert.equal(smallPV.spec!.claimRef!.name, 'want1');
    assert.equal((await pvcs.get('default', 'nomatch')).status!.phase, 'Pending');
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=nomatch', '-o', 'jsonpath={.items[*].reason}');
    // upstream's message when the claim's class does not exist as a StorageClass
    assert.match(events, /ProvisioningFailed/);

    // a pod using want1 keeps the claim while it runs
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'want1' } }] } }));
    await waitFor('user running', async () => (await env.client.resource(PODS).get('default', 'user')).status?.phase === 'Running', 60_000);
    await env.k('delete', 'pvc', 'want1', '--wait=false');
    await new Promise((r) => setTimeout(r, 1500));
    const held = await pvcs.get('default', 'want1');
    assert.ok(held.metadata!.deletionTimestamp && held.metadata!.finalizers!.includes('kubernetes.io/pvc-protection'), 'claim in use stays');
    await env.k('delete', 'pod', 'user', '--grace-period=0', '--force');
    await waitFor('claim gone once unused', () => gone(pvcs.get('default', 'want1')), 60_000);
    await waitFor('small Released (Retain)', async () => (await pvs.get('', 'small')).status?.phase === 'Released', 60_000);
    // Delete policy: the volume object goes with its claim
    await env.k('delete', 'pvc', 'want2');
    await waitFor('big deleted (Delete)', () => gone(pvs.get('', 'big')), 60_000);
  });

  it('annotates nodes with node.alpha.kubernetes.io/ttl and makes ephemeral volume claims', async () => {
    const n = await waitFor('ttl annotation', async () => { const n = await env.client.resource(NODES).get('', 'node-b'); return n.metadata?.annotations?.['node.alpha.kubernetes.io/ttl'] !== undefined && n; });
    assert.equal(n.metadata!.annotations!['node.alpha.kubernetes.io/ttl'], '0');
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph' }, spec: { containers: [{ name: 'c', image: 'busybox' }],
      volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { metadata: { labels: { x: 'y' } }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '1Gi' } } } } } }] } }));
    const pvc = await waitFor('ephemeral claim', () => env.client.resource(PERSISTENTVOLUMECLAIMS).get('default', 'eph-scratch'));
    assert.equal(pvc.metadata!.ownerReferences![0].kind, 'Pod');
    assert.equal(pvc.metadata!.labels!.x, 'y');
  });

  it('podgc deletes the oldest finished pods over the threshold, pods of nodes that do not exist and terminating pods on out-of-service nodes', async () => {
    await env.k('create', 'namespace', 'gc');
    for (let i = 0; i < 4; i++) {
      await env.kubectl(['apply', '-n', 'gc', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `done-${i}` },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } }));
      await new Promise((r) => setTimeout(r, 1100)); // distinct creation seconds: the oldest go first
    }
    await env.client.resource(PODS).create('gc', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan' }, spec: { nodeName: 'ghost', containers: [{ name: 'c', image: 'busybox' }] } });
    // a terminating pod on a NotReady node tainted out-of-service: no kubelet will finish it, podgc does
    // (the pods tolerate every taint so that only this test's delete, not taint eviction, starts their end)
    await env.client.resource(NODES).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'oos' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } });
    await env.client.resource(PODS).create('gc', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck' }, spec: { nodeName: 'oos', containers: [{ name: 'c', image: 'busybox' }], tolerations: [{ operator: 'Exists' }] } });
    await env.client.resource(PODS).create('gc', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kept' }, spec: { nodeName: 'oos', containers: [{ name: 'c', image: 'busybox' }], tolerations: [{ operator: 'Exists' }] } });
    // graceful (30 s): it would wait for a kubelet that never comes
    assert.match(await env.k('delete', 'pod', 'stuck', '-n', 'gc', '--wait=false'), /pod "stuck" deleted/);
    // the podgc pass runs every 20 s; at most 2 finished pods stay cluster-wide
    await waitFor('orphan gone', () => gone(env.client.resource(PODS).get('gc', 'orphan')), 90_000);
    await waitFor('terminating pod on the out-of-service node gone', () => gone(env.client.resource(PODS).get('gc', 'stuck')), 90_000);
    const kept = await env.client.resource(PODS).get('gc', 'kept');
    assert.equal(kept.metadata?.deletionTimestamp, undefined, 'a pod that is not terminating stays');
    await env.client.resource(PODS).delete('gc', 'kept', { gracePeriodSeconds: 0 });
    await env.client.resource(NODES).delete('', 'oos');
    const left = await waitFor('threshold applied', async () => {
      const all = (await env.client.resource(PODS).list('')).items.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
      return all.length <= 2 && all;
    }, 90_000);
    const names = left.filter((p) => p.metadata!.namespace === 'gc').map((p) => p.metadata!.name).sort();
    assert.deepEqual(names, ['done-2', 'done-3']);
  });
});
