// NodeVolumeLimits through the real API server: CSINode objects (served and validated by
// tskube apiserver) cap how many CSI volumes a node attaches; a volume shared by two pods on
// the node counts once; raising the limit in the CSINode lets a waiting pod in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
const HOST = 'kubernetes.io/hostname';
const DRIVER = 'csi.example.com';
const PVS = { group: '', version: 'v1', resource: 'persistentvolumes' };
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default' };
const SCS = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };
const CSINODES = { group: 'storage.k8s.io', version: 'v1', resource: 'csinodes' };

const csiNode = (name: string, count: number) => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name },
  spec: { drivers: [{ name: DRIVER, nodeID: `${name}-id`, topologyKeys: [HOST], allocatable: { count } }] },
});

before(async () => {
  env = await startEnv();
  await createNode(env.client, nodeObject('nvl-1', { labels: { pool: 'nvl' } }));
  await createNode(env.client, nodeObject('nvl-2', { labels: { pool: 'nvl' } }));
  await env.client.create(CSINODES, csiNode('nvl-1', 1));
  await env.client.create(CSINODES, csiNode('nvl-2', 1));
  await env.client.create(SCS, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'csi-manual' }, provisioner: 'kubernetes.io/no-provisioner' });
  await env.startScheduler(['--leader-elect=false']);
});
after(async () => { await env?.stop(); });

/** A CSI PV and its claim, bound to each other as the PV controller leaves them. */
async function boundCSIClaim(claim: string, handle: string): Promise<void> {
  const pvName = `${claim}-pv`;
  const c: any = await env.client.create(PVCS, {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: claim, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
    spec: { storageClassName: 'csi-manual', volumeName: pvName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  await env.client.update({ ...PVCS, name: claim, subresource: 'status' }, { ...c, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
  const v: any = await env.client.create(PVS, {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pvName },
    spec: {
      storageClassName: 'csi-manual', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: DRIVER, volumeHandle: handle },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: claim, uid: c.metadata.uid },
    },
  });
  await env.client.update({ ...PVS, name: pvName, subresource: 'status' }, { ...v, status: { phase: 'Bound' } });
}

const withClaim = (name: string, claim: string, host?: string) => {
  const p = podObject(name);
  (p.spec as any).nodeSelector = host ? { pool: 'nvl', [HOST]: host } : { pool: 'nvl' };
  (p.spec as any).volumes = [{ name: 'data', persistentVolumeClaim: { claimName: claim } }];
  return p;
};

test('NodeVolumeLimits: the CSINode count caps attached volumes; a shared volume counts once; a raised count lets the pod in', async () => {
  await boundCSIClaim('nvl-a', 'handle-a');
  await boundCSIClaim('nvl-b', 'handle-b');
  await createPod(env.client, withClaim('nvl-pod-a', 'nvl-a', 'nvl-1'));
  assert.equal(await waitBound(env.client, 'nvl-pod-a'), 'nvl-1');
  // Same volume again on nvl-1: already attached there, so it costs nothing.
  await createPod(env.client, withClaim('nvl-pod-a2', 'nvl-a', 'nvl-1'));
  assert.equal(await waitBound(env.client, 'nvl-pod-a2'), 'nvl-1');
  // A second volume would make two on a node that attaches one.
  await createPod(env.client, withClaim('nvl-pod-b', 'nvl-b', 'nvl-1'));
  const ev = await eventually(async () => (await events(env.client, 'default', 'nvl-pod-b')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling for nvl-pod-b');
  assert.match(ev.message, /^0\/2 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) exceed max volume count\./);
  // The kubelet's CSI driver reports room for more: the CSINode update requeues the pod.
  const cur: any = await env.client.get({ ...CSINODES, name: 'nvl-1' });
  cur.spec.drivers[0].allocatable.count = 2;
  await env.client.update({ ...CSINODES, name: 'nvl-1' }, cur);
  assert.equal(await waitBound(env.client, 'nvl-pod-b', 'default', 20_000), 'nvl-1');
});

test('kubectl get csinodes lists each node with its driver count', () => {
  const out = env.c.k('get', 'csinodes');
  assert.match(out, /^NAME\s+DRIVERS\s+AGE\n/);
  assert.match(out, /\nnvl-1\s+1\s+\d+[smh]/);
  assert.match(env.c.k('get', 'csinode', 'nvl-2', '-o', 'jsonpath={.spec.drivers[0].allocatable.count}'), /^1$/);
});

test('CSINode: the API server rejects a driver listed twice, a negative count and a changed nodeID, as upstream', async () => {
  const dup = csiNode('nvl-bad', 1);
  dup.spec.drivers.push({ ...dup.spec.drivers[0], allocatable: { count: -1 } });
  const err: any = await env.client.create(CSINODES, dup).then(() => undefined, (e) => e);
  assert.equal(err?.status?.code, 422);
  assert.equal(err.status.reason, 'Invalid');
  assert.match(err.status.message, /spec\.drivers\[1\]\.allocatable\.count: Invalid value: -1: must be greater than or equal to 0/);
  assert.match(err.status.message, /spec\.drivers\[1\]\.name: Duplicate value: "csi\.example\.com"/);
  await assert.rejects(env.client.get({ ...CSINODES, name: 'nvl-bad' }), (e: any) => e.status?.code === 404);
  const cur: any = await env.client.get({ ...CSINODES, name: 'nvl-2' });
  cur.spec.drivers[0].nodeID = 'other';
  const upd: any = await env.client.update({ ...CSINODES, name: 'nvl-2' }, cur).then(() => undefined, (e) => e);
  assert.equal(upd?.status?.code, 422);
  assert.match(upd.status.message, /spec\.drivers\[0\]\.nodeID: Invalid value: "other": field is immutable/);
});
