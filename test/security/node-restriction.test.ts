// NodeRestriction as upstream, against the real API server with kubelet identities (tokens of
// system:node:node1/node2 in system:nodes) under --authorization-mode=Node,RBAC: mirror pods only,
// bound to and owned by the node itself and referencing no other object; evictions, tokens,
// pod status, claim status, leases and CSINodes of its own only. A ClusterRole bound to
// system:nodes grants more than the Node authorizer does, so the refusals below are admission's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSecureCluster, USERS, type SecureCluster } from './harness.js';

const MIRROR = { 'kubernetes.io/config.mirror': 'hash1' };

describe('NodeRestriction', () => {
  let c: SecureCluster;
  let uid1 = '';
  const post = (token: string, path: string, body: unknown) => c.request('POST', path, { token, body });
  const mirror = (name: string, o: { node?: string; owners?: unknown[]; spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'dev', annotations: MIRROR, ownerReferences: o.owners ?? [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: uid1, controller: true }] },
    spec: { nodeName: o.node ?? 'node1', containers: [{ name: 'c', image: 'busybox', ...o.container }], ...o.spec },
  });
  const createAsNode1 = (pod: unknown) => post(USERS.node1, '/api/v1/namespaces/dev/pods', pod);

  before(async () => {
    c = await startSecureCluster(['--authorization-mode', 'Node,RBAC', '--enable-admission-plugins', 'NodeRestriction']);
    c.k('create', 'namespace', 'dev');
    c.k('create', 'clusterrole', 'nodes-extra', '--verb=get,create,update,patch', '--resource=leases.coordination.k8s.io,pods');
    c.k('create', 'clusterrolebinding', 'nodes-extra', '--clusterrole=nodes-extra', '--group=system:nodes');
    for (const n of ['node1', 'node2']) {
      const r = await post((USERS as Record<string, string>)[n], '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    uid1 = JSON.parse(c.k('get', 'node', 'node1', '-o', 'json')).metadata.uid;
  });
  after(async () => { await c?.stop(); });

  it('a node creates a mirror pod bound to and owned by itself', async () => {
    const r = await createAsNode1(mirror('m-ok'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(c.k('get', 'pod', 'm-ok', '-n', 'dev', '-o', 'jsonpath={.spec.nodeName}'), 'node1');
  });

  it('refuses non-mirror pods, other nodes, and owner references other than its own Node (upstream messages)', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...mirror('m1'), metadata: { name: 'm1', namespace: 'dev' } }, 'pod does not have "kubernetes.io/config.mirror" annotation, node "node1" can only create mirror pods'],
      [mirror('m2', { node: 'node2' }), 'node "node1" can only create pods with spec.nodeName set to itself'],
      [mirror('m3', { owners: [] }), 'node "node1" can only create pods with an owner reference set to itself'],
      [mirror('m4', { owners: [{ apiVersion: 'v1', kind: 'Node', name: 'node2', uid: 'x', controller: true }] }), 'node "node1" can only create pods with an owner reference set to itself'],
      [mirror('m5', { owners: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'x', controller: true }] }), 'node "node1" can only create pods with an owner reference set to itself'],
      [mirror('m6', { owners: [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'x', controller: true }, { apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'y' }] }), 'node "node1" can only create pods with a single owner reference set to itself'],
      [mirror('m7', { owners: [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'x' }] }), 'node "node1" can only create pods with a controller owner reference set to itself'],
      [mirror('m8', { owners: [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'x', controller: true, blockOwnerDeletion: true }] }), 'node "node1" must not set blockOwnerDeletion on an owner reference'],
      [mirror('m9', { owners: [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'not-the-uid', controller: true }] }), `node node1 UID mismatch: expected ${uid1} got not-the-uid`],
    ];
    for (const [pod, why] of cases) {
      const r = await createAsNode1(pod);
      const name = (pod as any).metadata.name;
      assert.equal(r.status, 403, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.reason, 'Forbidden');
      assert.equal(r.body.message, `pods "${name}" is forbidden: ${why}`);
    }
    assert.equal(c.kubectl(['get', 'pod', 'm2', '-n', 'dev']).code, 1, 'nothing was created');
  });

  it('refuses mirror pods that reference service accounts, secrets, configmaps or claims', async () => {
    const node1 = (what: string) => `node "node1" can not create pods that reference ${what}`;
    const cases: Array<[string, unknown, string]> = [
      ['r1', mirror('r1', { spec: { serviceAccountName: 'default' } }), 'a mirror pod may not reference service accounts'],
      ['r2', mirror('r2', { container: { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] } }), 'a mirror pod may not reference secrets'],
      ['r3', mirror('r3', { spec: { volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 's' } }] } }] } }), 'a mirror pod may not reference secrets'],
      ['r4', mirror('r4', { spec: { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] } }), 'a mirror pod may not use ServiceAccountToken volume projections'],
      ['r5', mirror('r5', { container: { envFrom: [{ configMapRef: { name: 'cm' } }] } }), node1('configmaps')],
      ['r6', mirror('r6', { container: { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] } }), node1('configmaps')],
      ['r7', mirror('r7', { spec: { volumes: [{ name: 'v', configMap: { name: 'cm' } }] } }), node1('configmaps')],
      ['r8', mirror('r8', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'pvc' } }] } }), node1('persistentvolumeclaims')],
      ['r9', mirror('r9', { spec: { volumes: [{ name: 'v', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }] } }), node1('persistentvolumeclaims')],
    ];
    for (const [name, pod, why] of cases) {
      const r = await createAsNode1(pod);
      assert.equal(r.status, 403, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.message, `pods "${name}" is forbidden: ${why}`);
    }
  });

  it('a node evicts, updates the status of and asks tokens for its own pods only', async () => {
    for (const [name, node] of [['e1', 'node1'], ['e2', 'node2']]) {
      c.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dev', labels: { app: 'x' } }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } }));
    }
    const evict = (name: string) => post(USERS.node1, `/api/v1/namespaces/dev/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'dev' } });
    const other = await evict('e2');
    assert.equal(other.status, 403);
    assert.equal(other.body.message, 'pods "e2" is forbidden: node node1 can only evict pods with spec.nodeName set to itself');
    assert.equal(c.k('get', 'pod', 'e2', '-n', 'dev', '-o', 'name').trim(), 'pod/e2');

    const status = (body: unknown) => c.request('PATCH', '/api/v1/namespaces/dev/pods/e1/status', { token: USERS.node1, body, headers: { 'Content-Type': 'application/merge-patch+json' } });
    const relabel = await status({ metadata: { labels: { app: 'stolen' } }, status: { message: 'm' } });
    assert.equal(relabel.status, 403);
    assert.equal(relabel.body.message, 'pods "e1" is forbidden: node "node1" cannot update labels through pod status');
    assert.equal((await status({ status: { message: 'ok' } })).status, 200);

    const sa = (spec: unknown) => post(USERS.node1, '/api/v1/namespaces/dev/serviceaccounts/default/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
    c.kubectl(['create', 'serviceaccount', 'default', '-n', 'dev']);
    const e1 = JSON.parse(c.k('get', 'pod', 'e1', '-n', 'dev', '-o', 'json'));
    const unbound = await sa({ audiences: ['x'] });
    assert.equal(unbound.status, 403, JSON.stringify(unbound.body));
    assert.equal(unbound.body.message, 'serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    const noUID = await sa({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'e1' } });
    assert.equal(noUID.body.message, 'serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid');
    const ok = await sa({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'e1', uid: e1.metadata.uid } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.ok(ok.body.status.token);

    const own = await evict('e1');
    assert.equal(own.status, 201, JSON.stringify(own.body));
  });

  it('a node writes only the status capacity and conditions of a claim', async () => {
    c.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c1', namespace: 'dev' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
    const patch = (body: unknown) => c.request('PATCH', '/api/v1/namespaces/dev/persistentvolumeclaims/c1/status', { token: USERS.node1, body, headers: { 'Content-Type': 'application/merge-patch+json' } });
    const resized = await patch({ status: { capacity: { storage: '2Gi' }, conditions: [{ type: 'FileSystemResizePending', status: 'True' }] } });
    assert.equal(resized.status, 200, JSON.stringify(resized.body));
    const relabel = await patch({ metadata: { labels: { mine: 'yes' } } });
    assert.equal(relabel.status, 403);
    assert.match(relabel.body.message, /^persistentvolumeclaims "c1" is forbidden: node "node1" is not allowed to update fields other than status.capacity and status.conditions: /);
    const phase = await patch({ status: { phase: 'Lost' } });
    assert.equal(phase.status, 403);
    assert.equal(c.k('get', 'pvc', 'c1', '-n', 'dev', '-o', 'jsonpath={.status.capacity.storage} {.metadata.labels}'), '2Gi ');
  });

  it('a node writes only its own lease in kube-node-lease and its own CSINode', async () => {
    const lease = (ns: string, name: string) => post(USERS.node1, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name } });
    c.kubectl(['create', 'namespace', 'kube-node-lease']);
    const otherNs = await lease('dev', 'node1');
    assert.equal(otherNs.status, 403);
    assert.equal(otherNs.body.message, 'leases.coordination.k8s.io "node1" is forbidden: can only access leases in the "kube-node-lease" system namespace');
    const otherName = await lease('kube-node-lease', 'node2');
    assert.equal(otherName.status, 403);
    assert.equal(otherName.body.message, 'leases.coordination.k8s.io "node2" is forbidden: can only access node lease with the same name as the requesting node');
    assert.equal((await lease('kube-node-lease', 'node1')).status, 201);
    const csinode = (name: string) => post(USERS.node1, '/apis/storage.k8s.io/v1/csinodes', { apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name }, spec: { drivers: [] } });
    const otherCSI = await csinode('node2');
    assert.equal(otherCSI.status, 403, JSON.stringify(otherCSI.body));
    assert.equal(otherCSI.body.message, 'csinodes.storage.k8s.io "node2" is forbidden: can only access CSINode with the same name as the requesting node');
    assert.equal((await csinode('node1')).status, 201);
  });

  it('a node may not update pods (only create and delete mirror pods)', async () => {
    const r = await c.request('PATCH', '/api/v1/namespaces/dev/pods/m-ok', { token: USERS.node1, body: { metadata: { labels: { a: 'b' } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'pods "m-ok" is forbidden: unexpected operation "UPDATE", node "node1" can only create and delete mirror pods');
  });
});
