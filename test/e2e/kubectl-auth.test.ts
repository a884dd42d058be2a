// Authentication and authorization with the real kubectl: tokens, anonymous requests,
// RBAC denials in upstream's words, `auth can-i` (--list, --as), `auth whoami`, the Node
// authorizer, service account tokens that stop working when their object is deleted, and
// bootstrap tokens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSecureCluster, USERS, type SecureCluster } from '../security/harness.js';

const podOn = (name: string, node: string, secret: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dev' },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 's', secret: { secretName: secret } }] },
});

describe('kubectl auth', () => {
  let c: SecureCluster;
  before(async () => {
    c = await startSecureCluster(['--authorization-mode', 'Node,RBAC', '--anonymous-auth=false', '--enable-bootstrap-token-auth',
      '--enable-admission-plugins', 'NodeRestriction']);
    c.k('create', 'namespace', 'dev');
    c.k('create', 'rolebinding', 'jane-view', '--clusterrole', 'view', '--user', 'jane', '-n', 'dev');
  });
  after(async () => { await c?.stop(); });

  it('anonymous requests are 401 Unauthorized when anonymous auth is off; bad tokens too', async () => {
    const r = await c.request('GET', '/api/v1/namespaces');
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const bad = c.as('not-a-token', ['get', 'pods']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
  });

  it('a token user bound to view reads but is denied writes with upstream message', () => {
    assert.equal(c.as(USERS.jane, ['get', 'pods', '-n', 'dev']).code, 0);
    const w = c.as(USERS.jane, ['create', 'configmap', 'x', '-n', 'dev']);
    assert.notEqual(w.code, 0);
    assert.equal(w.stderr.trim(), 'error: failed to create configmap: configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "dev"');
    const other = c.as(USERS.jane, ['get', 'pods', '-n', 'default']);
    assert.equal(other.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    const named = c.as(USERS.jane, ['delete', 'namespace', 'dev']);
    assert.match(named.stderr, /namespaces "dev" is forbidden: User "jane" cannot delete resource "namespaces" in API group "" in the namespace "dev"$/m);
  });

  it('auth whoami names the user and its groups', () => {
    const me = JSON.parse(c.as(USERS.jane, ['auth', 'whoami', '-o', 'json']).stdout);
    assert.equal(me.kind, 'SelfSubjectReview');
    assert.equal(me.status.userInfo.username, 'jane');
    assert.deepEqual(me.status.userInfo.groups, ['system:authenticated']);
  });

  it('auth can-i answers yes and no, lists rules, and impersonates with --as', () => {
    const yes = c.as(USERS.jane, ['auth', 'can-i', 'list', 'pods', '-n', 'dev']);
    assert.equal(yes.stdout.trim(), 'yes');
    const no = c.as(USERS.jane, ['auth', 'can-i', 'create', 'pods', '-n', 'dev']);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(no.code, 1);
    const list = c.as(USERS.jane, ['auth', 'can-i', '--list', '-n', 'dev']).stdout;
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.equal(c.kubectl(['auth', 'can-i', 'create', 'deployments.apps', '-n', 'dev', '--as', 'jane']).stdout.trim(), 'no');
    assert.equal(c.kubectl(['auth', 'can-i', 'get', 'deployments.apps', '-n', 'dev', '--as', 'jane']).stdout.trim(), 'yes');
    assert.equal(c.kubectl(['auth', 'can-i', '*', '*']).stdout.trim(), 'yes');
    // jane may not impersonate. (A namespace's own name is its namespace, as upstream's RequestInfo has it.)
    const imp = c.as(USERS.jane, ['get', 'pods', '-n', 'dev', '--as', 'e2e-admin']);
    assert.match(imp.stderr, /users "e2e-admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });

  it('default roles are reconciled at start and aggregated', () => {
    const admin = JSON.parse(c.k('get', 'clusterrole', 'admin', '-o', 'json'));
    assert.equal(admin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    assert.ok(admin.rules.some((r: any) => r.resources?.includes('rolebindings')), 'admin aggregates system:aggregate-to-admin');
    assert.ok(admin.rules.some((r: any) => r.resources?.includes('secrets') && r.verbs.includes('create')), 'admin aggregates edit');
    assert.ok(admin.rules.some((r: any) => r.resources?.includes('pods/log')), 'admin aggregates view through edit');
    const masters = JSON.parse(c.k('get', 'clusterrolebinding', 'cluster-admin', '-o', 'json'));
    assert.deepEqual(masters.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  });

  it('a kubelet reads only the secrets of pods bound to its node, and writes only its own Node', () => {
    c.k('create', 'secret', 'generic', 's1', '--from-literal=k=v1', '-n', 'dev');
    c.k('create', 'secret', 'generic', 's2', '--from-literal=k=v2', '-n', 'dev');
    c.kubectl(['create', '-f', '-'], podOn('p1', 'node1', 's1'));
    c.kubectl(['create', '-f', '-'], podOn('p2', 'node2', 's2'));
    assert.equal(c.as(USERS.node1, ['get', 'secret', 's1', '-n', 'dev', '-o', 'jsonpath={.data.k}']).stdout, Buffer.from('v1').toString('base64'));
    const refused = c.as(USERS.node1, ['get', 'secret', 's2', '-n', 'dev']);
    assert.equal(refused.stderr.trim(), `Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:node1" cannot get resource "secrets" in API group "" in the namespace "dev": no relationship found between node 'node1' and this object`);
    assert.notEqual(c.as(USERS.node1, ['get', 'secrets', '-n', 'dev']).code, 0, 'no listing');
    const node = (n: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
    assert.equal(c.as(USERS.node1, ['create', '-f', '-'], node('node1')).code, 0);
    const other = c.as(USERS.node1, ['create', '-f', '-'], node('node2'));
    assert.match(other.stderr, /nodes "node2" is forbidden: node "node1" is not allowed to modify node "node2"/);
    const lease = c.as(USERS.node1, ['get', 'lease', 'node2', '-n', 'kube-node-lease']);
    assert.match(lease.stderr, /can only access node lease with the same name as the requesting node/);
  });

  it('a kubelet reads only the configmaps and claims of its pods, and writes the status of its own pods only', async () => {
    const pod = (name: string, node: string, cm: string, claim: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dev' },
      spec: {
        nodeName: node, containers: [{ name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: cm } }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }],
      },
    });
    const claim = (name: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'dev' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    for (const n of ['1', '2']) {
      c.k('create', 'configmap', `cm${n}`, '--from-literal=k=v', '-n', 'dev');
      assert.equal(c.kubectl(['create', '-f', '-'], claim(`pvc${n}`)).code, 0);
      assert.equal(c.kubectl(['create', '-f', '-'], pod(`q${n}`, `node${n}`, `cm${n}`, `pvc${n}`)).code, 0);
    }
    assert.equal(c.as(USERS.node1, ['get', 'configmap', 'cm1', '-n', 'dev', '-o', 'name']).stdout.trim(), 'configmap/cm1');
    assert.equal(c.as(USERS.node1, ['get', 'pvc', 'pvc1', '-n', 'dev', '-o', 'name']).stdout.trim(), 'persistentvolumeclaim/pvc1');
    const noRelation = (what: string, name: string) => `Error from server (Forbidden): ${what} "${name}" is forbidden: User "system:node:node1" cannot get resource "${what}" in API group "" in the namespace "dev": no relationship found between node 'node1' and this object`;
    assert.equal(c.as(USERS.node1, ['get', 'configmap', 'cm2', '-n', 'dev']).stderr.trim(), noRelation('configmaps', 'cm2'));
    assert.equal(c.as(USERS.node1, ['get', 'pvc', 'pvc2', '-n', 'dev']).stderr.trim(), noRelation('persistentvolumeclaims', 'pvc2'));
    // pod status: its own pod yes, another node's no (NodeRestriction). As a kubelet does it (system:node may patch
    // pods/status but not get it, which `kubectl patch --subresource status` would first do).
    const status = (p: string) => c.request('PATCH', `/api/v1/namespaces/dev/pods/${p}/status`, {
      token: USERS.node1, body: { status: { message: 'from node1' } }, headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    const own = await status('q1');
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(c.k('get', 'pod', 'q1', '-n', 'dev', '-o', 'jsonpath={.status.message}'), 'from node1');
    const other = await status('q2');
    assert.equal(other.status, 403);
    assert.equal(other.body.message, 'pods "q2" is forbidden: node "node1" can only update pod status for pods with spec.nodeName set to itself');
    assert.equal(c.k('get', 'pod', 'q2', '-n', 'dev', '-o', 'jsonpath={.status.message}'), '');
    // a kubelet may not create or modify pods that are not mirror pods, nor delete another node's
    assert.match(c.as(USERS.node1, ['delete', 'pod', 'q2', '-n', 'dev', '--wait=false']).stderr, /pods "q2" is forbidden: node "node1" can only delete pods with spec.nodeName set to itself/);
    assert.equal(c.k('get', 'pod', 'q2', '-n', 'dev', '-o', 'name').trim(), 'pod/q2');
  });

  it('a kubelet may not give itself reserved labels or change its taints (NodeRestriction); the admin may', () => {
    const node = (n: string, labels: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels } });
    const created = c.as(USERS.node2, ['create', '-f', '-'], node('node2', { 'node-role.kubernetes.io/worker': '', 'node-restriction.kubernetes.io/trusted': 'yes', 'kubernetes.io/hostname': 'node2' }));
    assert.equal(created.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": nodes "node2" is forbidden: node "node2" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted, node-role.kubernetes.io/worker');
    assert.equal(c.as(USERS.node2, ['create', '-f', '-'], node('node2', { 'kubernetes.io/hostname': 'node2', 'topology.kubernetes.io/zone': 'z1', 'tier': 'web' })).code, 0);
    const label = (who: string, l: string) => c.as(who, ['label', 'node', 'node2', '--overwrite', l]);
    assert.equal(label(USERS.node2, 'node-role.kubernetes.io/control-plane=').stderr.trim(), 'Error from server (Forbidden): nodes "node2" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane');
    assert.equal(label(USERS.node2, 'example.node-restriction.kubernetes.io/pci=true').stderr.trim(), 'Error from server (Forbidden): nodes "node2" is forbidden: is not allowed to modify labels: example.node-restriction.kubernetes.io/pci');
    assert.equal(label(USERS.node2, 'node.kubernetes.io/instance-type=big').code, 0);
    assert.equal(label(USERS.node2, 'tier=db').code, 0);
    assert.equal(label(USERS.admin, 'node-restriction.kubernetes.io/trusted=yes').code, 0);
    // removing the admin's label is a modification too
    assert.equal(label(USERS.node2, 'node-restriction.kubernetes.io/trusted-').stderr.trim(), 'Error from server (Forbidden): nodes "node2" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/trusted');
    assert.equal(c.as(USERS.node2, ['taint', 'node', 'node2', 'k=v:NoSchedule']).stderr.trim(), 'Error from server (Forbidden): nodes "node2" is forbidden: node "node2" is not allowed to modify taints');
    assert.equal(c.as(USERS.admin, ['taint', 'node', 'node2', 'k=v:NoSchedule']).code, 0);
    const labels = JSON.parse(c.k('get', 'node', 'node2', '-o', 'json')).metadata.labels;
    assert.deepEqual(labels, { 'kubernetes.io/hostname': 'node2', 'topology.kubernetes.io/zone': 'z1', tier: 'db', 'node.kubernetes.io/instance-type': 'big', 'node-restriction.kubernetes.io/trusted': 'yes' });
  });

  it('service account tokens work, and stop working when their bound object is deleted', () => {
    c.k('create', 'serviceaccount', 'bot', '-n', 'dev');
    c.k('create', 'rolebinding', 'bot-view', '--clusterrole', 'view', '--serviceaccount', 'dev:bot', '-n', 'dev');
    c.k('create', 'secret', 'generic', 'holder', '--from-literal=a=b', '-n', 'dev');
    const token = c.k('create', 'token', 'bot', '-n', 'dev', '--bound-object-kind', 'Secret', '--bound-object-name', 'holder').trim();
    const me = JSON.parse(c.as(token, ['auth', 'whoami', '-o', 'json']).stdout);
    assert.equal(me.status.userInfo.username, 'system:serviceaccount:dev:bot');
    assert.deepEqual(me.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated']);
    assert.equal(c.as(token, ['get', 'pods', '-n', 'dev']).code, 0);
    c.k('delete', 'secret', 'holder', '-n', 'dev');
    const revoked = c.as(token, ['get', 'pods', '-n', 'dev']);
    assert.notEqual(revoked.code, 0);
    assert.match(revoked.stderr, /You must be logged in to the server/);
    c.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'holder-pod', namespace: 'dev' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }));
    const podToken = c.k('create', 'token', 'bot', '-n', 'dev', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder-pod').trim();
    assert.equal(c.as(podToken, ['get', 'pods', '-n', 'dev']).code, 0);
    c.k('delete', 'pod', 'holder-pod', '-n', 'dev');
    assert.match(c.as(podToken, ['get', 'pods', '-n', 'dev']).stderr, /You must be logged in to the server/);
    const tooShort = c.kubectl(['create', 'token', 'bot', '-n', 'dev', '--duration', '5m']);
    assert.match(tooShort.stderr, /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const missing = c.kubectl(['create', 'token', 'nobody', '-n', 'dev']);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  });

  it('bootstrap tokens authenticate as system:bootstrap:ID until they expire', () => {
    const secret = (id: string, expiration: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
      stringData: { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token' },
    });
    c.kubectl(['create', '-f', '-'], secret('abcdef', new Date(Date.now() + 3600_000).toISOString()));
    c.kubectl(['create', '-f', '-'], secret('zzzzzz', new Date(Date.now() - 1000).toISOString()));
    const me = JSON.parse(c.as('abcdef.0123456789abcdef', ['auth', 'whoami', '-o', 'json']).stdout);
    assert.equal(me.status.userInfo.username, 'system:bootstrap:abcdef');
    assert.deepEqual(me.status.userInfo.groups, ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated']);
    assert.match(c.as('zzzzzz.0123456789abcdef', ['auth', 'whoami']).stderr, /You must be logged in to the server/);
    assert.match(c.as('abcdef.0123456789abcdeX', ['auth', 'whoami']).stderr, /You must be logged in to the server/);
  });
});
