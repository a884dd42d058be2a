// NodeVolumeLimits' counting rules on an in-memory cluster (the real-API test is
// test/scheduler/node-volume-limits.test.ts): unbound claims count against their class's
// provisioner, in-tree disks only where the CSINode says they are migrated, no CSINode or no
// count means no limit, a missing claim is unresolvable, a foreign ephemeral claim an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { Code } from '../../../src/scheduler/framework/status.js';

const only = { disabled: [{ name: '*' }], enabled: [{ name: 'NodeVolumeLimits' }] };
const profile = { schedulerName: 'default-scheduler', plugins: { preFilter: only, filter: only } };
const D = 'csi.example.com';
const csiNode = (name: string, drivers: Array<[string, number | undefined]>, migrated?: string) => ({
  metadata: { name, annotations: migrated ? { 'storage.alpha.kubernetes.io/migrated-plugins': migrated } : undefined },
  spec: { drivers: drivers.map(([d, count]) => ({ name: d, nodeID: name, allocatable: count === undefined ? undefined : { count } })) },
});
const claim = (name: string, o: { volume?: string; cls?: string; owner?: string } = {}) => ({
  metadata: { name, namespace: 'default', ownerReferences: o.owner ? [{ apiVersion: 'v1', kind: 'Pod', name: 'x', uid: o.owner, controller: true }] : undefined },
  spec: { volumeName: o.volume, storageClassName: o.cls ?? 'sc' },
});
const csiPV = (name: string, handle: string, driver = D) => ({ metadata: { name }, spec: { csi: { driver, volumeHandle: handle } } });
const using = (name: string, vols: any[], o: { node?: string } = {}) => pod(name, { node: o.node, spec: { volumes: vols } });
const pvcVol = (c: string) => ({ name: c, persistentVolumeClaim: { claimName: c } });

function world(): World {
  const w = new World(profile as any, [node('n1'), node('n2')]);
  w.csiNodes = [csiNode('n1', [[D, 1]]), csiNode('n2', [[D, undefined]])];
  w.classes = [{ metadata: { name: 'sc' }, provisioner: D, volumeBindingMode: 'WaitForFirstConsumer' }, { metadata: { name: 'ebs' }, provisioner: 'kubernetes.io/aws-ebs' }];
  w.pvcs = [claim('a', { volume: 'pv-a' }), claim('b', { volume: 'pv-b' }), claim('unbound'), claim('ebs-claim', { cls: 'ebs' })];
  w.pvs = [csiPV('pv-a', 'h-a'), csiPV('pv-b', 'h-b')];
  return w;
}

test('a count of 1 takes one volume; the same volume again is free; a driver without a count has no limit', () => {
  const w = world();
  w.cache.addOrUpdatePod(using('on-n1', [pvcVol('a')], { node: 'n1' }));
  w.cache.addOrUpdatePod(using('on-n2', [pvcVol('a')], { node: 'n2' }));
  assert.equal(w.filter(using('same', [pvcVol('a')]), 'n1').code, Code.Success);
  const st = w.filter(using('other', [pvcVol('b')]), 'n1');
  assert.equal(st.code, Code.Unschedulable);
  assert.deepEqual(st.reasons, ['node(s) exceed max volume count']);
  assert.equal(w.filter(using('other', [pvcVol('b')]), 'n2').code, Code.Success);
  w.csiNodes = [];
  assert.equal(w.filter(using('other', [pvcVol('b')]), 'n1').code, Code.Success, 'no CSINode: no limit');
});

test('an unbound claim counts against its class provisioner; pods without volumes are skipped', () => {
  const w = world();
  w.cache.addOrUpdatePod(using('on-n1', [pvcVol('a')], { node: 'n1' }));
  assert.equal(w.filter(using('u', [pvcVol('unbound')]), 'n1').code, Code.Unschedulable);
  assert.equal(w.filter(pod('plain'), 'n1').code, Code.Success);
  assert.equal(w.filter(using('cm', [{ name: 'cfg', configMap: { name: 'x' } }]), 'n1').code, Code.Success);
});

test('in-tree disks count only where the CSINode lists their plugin as migrated', () => {
  const w = world();
  const ebs = (name: string, id: string) => using(name, [{ name: 'd', awsElasticBlockStore: { volumeID: id } }]);
  w.csiNodes = [csiNode('n1', [['ebs.csi.aws.com', 1]])];
  w.cache.addOrUpdatePod({ ...ebs('first', 'vol-1'), spec: { ...ebs('first', 'vol-1').spec!, nodeName: 'n1' } });
  assert.equal(w.filter(ebs('second', 'vol-2'), 'n1').code, Code.Success, 'not migrated: not counted here');
  w.csiNodes = [csiNode('n1', [['ebs.csi.aws.com', 1]], 'kubernetes.io/aws-ebs')];
  assert.equal(w.filter(ebs('second', 'vol-2'), 'n1').code, Code.Unschedulable);
  assert.equal(w.filter(ebs('again', 'aws://zone-a/vol-1'), 'n1').code, Code.Success, 'aws://zone/vol-1 is vol-1');
  assert.equal(w.filter(using('c', [pvcVol('ebs-claim')]), 'n1').code, Code.Unschedulable, 'an in-tree class maps to the CSI driver');
});

test('a missing claim is unresolvable; an ephemeral claim must belong to the pod', () => {
  const w = world();
  const st = w.filter(using('m', [pvcVol('nope')]), 'n1');
  assert.equal(st.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(st.reasons, ['looking up PVC default/nope: persistentvolumeclaim "nope" not found']);
  const p = using('eph', [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }]);
  w.pvcs.push(claim('eph-scratch', { volume: 'pv-a', owner: 'someone-else' }));
  const e = w.filter(p, 'n1');
  assert.equal(e.code, Code.Error);
  assert.match(e.reasons[0], /PVC default\/eph-scratch was not created for pod default\/eph \(pod is not owner\)/);
  w.pvcs[w.pvcs.length - 1].metadata.ownerReferences[0].uid = p.metadata!.uid;
  assert.equal(w.filter(p, 'n1').code, Code.Success, 'its own claim counts like any other: within the count');
});
