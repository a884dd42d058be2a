// Pure logic of volume binding: which PV a claim matches, allowedTopologies, the assume cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMatchingVolume, topologyAllows } from '../../../src/scheduler/plugins/volume-binding/pv-matching.js';
import { AssumeCache } from '../../../src/scheduler/plugins/volume-binding/assume-cache.js';

const claim = (o: Record<string, any> = {}): any => ({
  metadata: { name: 'c', namespace: 'default', uid: 'u1' },
  spec: { storageClassName: 'sc', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...o },
});
const vol = (name: string, size: string, o: Record<string, any> = {}): any => ({
  metadata: { name, labels: o.labels, resourceVersion: '5' },
  spec: { storageClassName: o.cls ?? 'sc', capacity: { storage: size }, accessModes: o.modes ?? ['ReadWriteOnce'], claimRef: o.claimRef, nodeAffinity: o.nodeAffinity },
  status: { phase: o.phase ?? 'Available' },
});

test('findMatchingVolume: smallest that fits, of the class, modes, selector and node; a pre-bound PV wins', () => {
  const pvs = [vol('big', '10Gi'), vol('small', '512Mi'), vol('right', '2Gi'), vol('other-class', '1Gi', { cls: 'x' }), vol('rox', '1Gi', { modes: ['ReadOnlyMany'] }), vol('released', '1Gi', { phase: 'Released' })];
  assert.equal(findMatchingVolume(claim(), pvs, {}, new Set())?.metadata?.name, 'right');
  assert.equal(findMatchingVolume(claim(), pvs, {}, new Set(['right']))?.metadata?.name, 'big');
  assert.equal(findMatchingVolume(claim({ selector: { matchLabels: { tier: 'gold' } } }), [...pvs, vol('gold', '5Gi', { labels: { tier: 'gold' } })], {}, new Set())?.metadata?.name, 'gold');
  const pinned = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } };
  assert.equal(findMatchingVolume(claim(), [vol('local', '1Gi', { nodeAffinity: pinned })], { 'kubernetes.io/hostname': 'n2' }, new Set()), undefined);
  assert.equal(findMatchingVolume(claim(), [vol('local', '1Gi', { nodeAffinity: pinned })], { 'kubernetes.io/hostname': 'n1' }, new Set())?.metadata?.name, 'local');
  const pre = vol('pre', '8Gi', { claimRef: { namespace: 'default', name: 'c' }, phase: 'Pending' });
  assert.equal(findMatchingVolume(claim(), [...pvs, pre], {}, new Set())?.metadata?.name, 'pre');
  assert.equal(findMatchingVolume(claim(), [vol('taken', '1Gi', { claimRef: { namespace: 'default', name: 'someone-else' } })], {}, new Set()), undefined);
});

test('topologyAllows: no terms allow anywhere, an empty term matches nothing, terms are ORed', () => {
  assert.ok(topologyAllows(undefined, {}));
  assert.ok(!topologyAllows([{}], { zone: 'a' }));
  const terms = [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }, { matchLabelExpressions: [{ key: 'zone', values: ['b'] }] }];
  assert.ok(topologyAllows(terms, { zone: 'b' }));
  assert.ok(!topologyAllows(terms, { zone: 'c' }));
});

test('AssumeCache: an assumed copy shows until the informer has a newer version', () => {
  let api: any = vol('pv', '1Gi');
  const cache = new AssumeCache<any>(() => api);
  assert.throws(() => cache.assume('pv', { ...api, metadata: { ...api.metadata, resourceVersion: '4' } }), /does not match/);
  cache.assume('pv', { ...api, spec: { ...api.spec, claimRef: { name: 'c' } } });
  assert.equal(cache.get('pv').spec.claimRef.name, 'c');
  assert.equal(cache.getAPI('pv').spec.claimRef, undefined);
  assert.deepEqual(cache.overlay([api], () => 'pv').map((v) => v.spec.claimRef?.name), ['c']);
  api = { ...api, metadata: { ...api.metadata, resourceVersion: '6' } };
  assert.equal(cache.get('pv').spec.claimRef, undefined);
  cache.assume('pv', { ...api, spec: { ...api.spec, claimRef: { name: 'd' } } });
  cache.restore('pv');
  assert.equal(cache.get('pv').spec.claimRef, undefined);
});
