// The volume plugins through the real API server: VolumeBinding (missing and unbound
// Immediate claims, bound PVs' node affinity, WaitForFirstConsumer with a static PV and with
// dynamic provisioning), VolumeZone and VolumeRestrictions (ReadWriteOncePod, inline disk
// conflicts). No PV controller or provisioner runs here, so the test does their part the way
// they would: it completes bindings (claim.spec.volumeName, bind-completed, phases) and
// creates the provisioned PV.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const PVS = { group: '', version: 'v1', resource: 'persistentvolumes' };
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default' };
const SCS = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };

before(async () => {
  env = await startEnv();
  await createNode(env.client, nodeObject('vol-1', { labels: { pool: 'vol', [ZONE]: 'vz-a' } }));
  await createNode(env.client, nodeObject('vol-2', { labels: { pool: 'vol', [ZONE]: 'vz-b' } }));
  await env.startScheduler(['--leader-elect=false']);
  await env.client.create(SCS, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' });
  await env.client.create(SCS, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-wffc' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
  await env.client.create(SCS, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast', volumeBindingMode: 'WaitForFirstConsumer',
    allowedTopologies: [{ matchLabelExpressions: [{ key: ZONE, values: ['vz-b'] }] }],
  });
});
after(async () => { await env?.stop(); });

const withClaim = (name: string, claim: string, spec: Record<string, any> = {}) => {
  const p = podObject(name, { spec: { nodeSelector: { pool: 'vol', ...(spec.nodeSelector ?? {}) }, ...spec } });
  (p.spec as any).nodeSelector = { pool: 'vol', ...(spec.nodeSelector ?? {}) };
  (p.spec as any).volumes = [{ name: 'data', persistentVolumeClaim: { claimName: claim } }];
  return p;
};
const pvc = (name: string, cls: string, o: { size?: string; modes?: string[] } = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { storageClassName: cls, accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } } },
});
const pv = (name: string, cls: string, o: { size?: string; host?: string; zone?: string; labels?: Record<string, string>; claim?: string } = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels: o.labels },
  spec: {
    storageClassName: cls, capacity: { storage: o.size ?? '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], hostPath: { path: `/tmp/${name}` },
    claimRef: o.claim ? { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: o.claim } : undefined,
    nodeAffinity: o.host || o.zone ? { required: { nodeSelectorTerms: [{ matchExpressions: [o.host ? { key: HOST, operator: 'In', values: [o.host] } : { key: ZONE, operator: 'In', values: [o.zone!] }] }] } } : undefined,
  },
});

/** Creates a PV and marks it Available, as the PV controller would. */
async function createPV(obj: any): Promise<void> {
  const created: any = await env.client.create(PVS, obj);
  await env.client.update({ ...PVS, name: obj.metadata.name, subresource: 'status' }, { ...created, status: { phase: 'Available' } });
}
/** What the PV controller does to finish a binding: both sides point at each other, both Bound. */
async function completeBinding(claim: string, volume: string): Promise<void> {
  const c: any = await env.client.get({ ...PVCS, name: claim });
  const v: any = await env.client.get({ ...PVS, name: volume });
  if (!v.spec.claimRef?.uid) {
    v.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: claim, uid: c.metadata.uid };
    Object.assign(v, await env.client.update({ ...PVS, name: volume }, v));
  }
  await env.client.update({ ...PVS, name: volume, subresource: 'status' }, { ...v, status: { phase: 'Bound' } });
  c.spec.volumeName = volume;
  c.metadata.annotations = { ...(c.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
  const updated: any = await env.client.update({ ...PVCS, name: claim }, c);
  await env.client.update({ ...PVCS, name: claim, subresource: 'status' }, { ...updated, status: { phase: 'Bound', accessModes: c.spec.accessModes, capacity: { storage: '1Gi' } } });
}
async function failure(name: string, re: RegExp): Promise<string> {
  return (await eventually(async () => (await events(env.client, 'default', name)).find((e) => e.reason === 'FailedScheduling' && re.test(e.message)), `FailedScheduling ${re} for ${name}`)).message;
}

test('VolumeBinding: a missing claim, then an unbound Immediate claim, keep the pod Pending until the claim is bound', async () => {
  await createPod(env.client, withClaim('vb-pod', 'vb-claim'));
  const missing = await failure('vb-pod', /not found/);
  assert.match(missing, /^0\/2 nodes are available: persistentvolumeclaim "vb-claim" not found\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\./);
  await env.client.create(PVCS, pvc('vb-claim', 'manual'));
  assert.match(await failure('vb-pod', /unbound immediate/), /^0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\./);
  const cond = (await getPod(env.client, 'vb-pod')).status.conditions.find((c: any) => c.type === 'PodScheduled');
  assert.equal(cond.reason, 'Unschedulable');
  // The PV only exists on vol-2: once bound, the pod follows it there.
  await createPV(pv('vb-pv', 'manual', { host: 'vol-2' }));
  await completeBinding('vb-claim', 'vb-pv');
  assert.equal(await waitBound(env.client, 'vb-pod', 'default', 20_000), 'vol-2');
  await createPod(env.client, withClaim('vb-pinned', 'vb-claim', { nodeSelector: { [HOST]: 'vol-1' } }));
  assert.match(await failure('vb-pinned', /volume node affinity/), /1 node\(s\) had volume node affinity conflict/);
});

test('VolumeBinding WaitForFirstConsumer: the scheduler picks the node, promises it a matching PV and waits for the binding', async () => {
  await createPV(pv('wffc-pv-small', 'local-wffc', { size: '512Mi', host: 'vol-1' }));
  await createPV(pv('wffc-pv-a', 'local-wffc', { size: '2Gi', host: 'vol-1' }));
  await env.client.create(PVCS, pvc('wffc-claim', 'local-wffc'));
  await createPod(env.client, withClaim('wffc-pod', 'wffc-claim'));
  // PreBind: the smallest PV that fits (2Gi; 512Mi is too small) gets the claim's reference.
  const promised: any = await eventually(async () => { const v: any = await env.client.get({ ...PVS, name: 'wffc-pv-a' }); return v.spec.claimRef?.name && v; }, 'claimRef on the PV');
  assert.equal(promised.spec.claimRef.name, 'wffc-claim');
  assert.equal(promised.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal((await getPod(env.client, 'wffc-pod')).spec.nodeName, undefined, 'not bound before the volume is');
  await completeBinding('wffc-claim', 'wffc-pv-a');
  assert.equal(await waitBound(env.client, 'wffc-pod', 'default', 20_000), 'vol-1');
  // No PV left that fits and no provisioner: nowhere to go.
  await env.client.create(PVCS, pvc('wffc-claim-2', 'local-wffc'));
  await createPod(env.client, withClaim('wffc-pod-2', 'wffc-claim-2'));
  assert.match(await failure('wffc-pod-2', /persistent volumes to bind/), /2 node\(s\) didn't find available persistent volumes to bind/);
});

test('VolumeBinding dynamic provisioning: the selected node (within allowedTopologies) is written on the claim', async () => {
  await env.client.create(PVCS, pvc('dyn-claim', 'fast'));
  await createPod(env.client, withClaim('dyn-pod', 'dyn-claim'));
  const claim: any = await eventually(async () => { const c: any = await env.client.get({ ...PVCS, name: 'dyn-claim' }); return c.metadata.annotations?.['volume.kubernetes.io/selected-node'] && c; }, 'selected-node');
  assert.equal(claim.metadata.annotations['volume.kubernetes.io/selected-node'], 'vol-2');
  // The provisioner's part: a PV in the node's zone, bound to the claim.
  await createPV(pv('dyn-pv', 'fast', { zone: 'vz-b', claim: 'dyn-claim' }));
  await completeBinding('dyn-claim', 'dyn-pv');
  assert.equal(await waitBound(env.client, 'dyn-pod', 'default', 20_000), 'vol-2');
});

test('VolumeZone: a PV labelled with a zone keeps its pods in that zone', async () => {
  await createPV(pv('zone-pv', 'manual', { labels: { [ZONE]: 'vz-a' }, claim: 'zone-claim' }));
  await env.client.create(PVCS, pvc('zone-claim', 'manual'));
  await completeBinding('zone-claim', 'zone-pv');
  await createPod(env.client, withClaim('zone-pod', 'zone-claim'));
  assert.equal(await waitBound(env.client, 'zone-pod'), 'vol-1');
  await createPod(env.client, withClaim('zone-pinned', 'zone-claim', { nodeSelector: { [HOST]: 'vol-2' } }));
  assert.match(await failure('zone-pinned', /volume zone/), /1 node\(s\) had no available volume zone/);
});

test('VolumeRestrictions: a ReadWriteOncePod claim serves one pod; the same inline disk conflicts on a node', async () => {
  await createPV(pv('solo-pv', 'manual', { claim: 'solo' }));
  await env.client.create(PVCS, pvc('solo', 'manual', { modes: ['ReadWriteOncePod'] }));
  await completeBinding('solo', 'solo-pv');
  await createPod(env.client, withClaim('solo-1', 'solo'));
  await waitBound(env.client, 'solo-1');
  await createPod(env.client, withClaim('solo-2', 'solo'));
  assert.match(await failure('solo-2', /ReadWriteOncePod/), /2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode/);
  await env.client.delete({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'solo-1' }, { gracePeriodSeconds: 0 });
  await waitBound(env.client, 'solo-2', 'default', 20_000);

  const disk = (name: string, spec: Record<string, any>) => {
    const p = podObject(name, { spec });
    (p.spec as any).volumes = [{ name: 'pd', gcePersistentDisk: { pdName: 'shared-disk' } }];
    return p;
  };
  await createPod(env.client, disk('disk-1', { nodeName: 'vol-1' }));
  await createPod(env.client, disk('disk-2', { nodeSelector: { pool: 'vol' } }));
  assert.equal(await waitBound(env.client, 'disk-2'), 'vol-2');
  await createPod(env.client, disk('disk-3', { nodeSelector: { pool: 'vol' } }));
  assert.match(await failure('disk-3', /no available disk/), /2 node\(s\) had no available disk/);
});
