// kubectl apply --server-side: field ownership in managedFields, removal of fields the
// manager stopped applying, conflicts with another manager (409), --force-conflicts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, manifest, startCluster } from '../apiserver/harness.js';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const deploy = (replicas: number, image: string, labels: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
  labels: {${labels}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers:
      - name: main
        image: ${image}
`;

const get = () => JSON.parse(c.k('get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'));

test('apply --server-side creates, then a changed manifest updates and drops a removed field', () => {
  const file = manifest(c, 'ssa.yaml', deploy(2, 'nginx:1.25', 'app: ssa, tier: web'));
  assert.match(c.k('apply', '--server-side', '-f', file), /deployment.apps\/ssa serverside-applied/);
  const d1 = get();
  const entry = d1.metadata.managedFields.find((e: any) => e.manager === 'kubectl');
  assert.equal(entry.operation, 'Apply');
  assert.equal(entry.apiVersion, 'apps/v1');
  assert.deepEqual(entry.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {}, 'f:tier': {} } });
  assert.ok(entry.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}'], 'containers keyed by name');
  assert.equal(d1.spec.strategy.type, 'RollingUpdate', 'defaults still filled');

  manifest(c, 'ssa.yaml', deploy(2, 'nginx:1.26', 'app: ssa'));
  assert.match(c.k('apply', '--server-side', '-f', file), /deployment.apps\/ssa serverside-applied/);
  const d2 = get();
  assert.equal(d2.metadata.labels.tier, undefined);
  assert.equal(d2.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(d2.metadata.generation, 2);
});

test('a field another manager changed is a conflict; --force-conflicts takes it over', () => {
  c.k('patch', 'deploy', 'ssa', '--type', 'merge', '-p', '{"spec":{"replicas":5}}');
  const patched = get();
  assert.ok(patched.metadata.managedFields.some((e: any) => e.manager === 'kubectl-patch' && e.operation === 'Update' && 'f:replicas' in e.fieldsV1['f:spec']));
  const file = manifest(c, 'ssa.yaml', deploy(3, 'nginx:1.26', 'app: ssa'));
  const r = c.kubectl(['apply', '--server-side', '-f', file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1: \.spec\.replicas/);
  assert.equal(get().spec.replicas, 5, 'a refused apply changes nothing');
  c.k('apply', '--server-side', '--force-conflicts', '-f', file);
  const forced = get();
  assert.equal(forced.spec.replicas, 3);
  assert.ok(!forced.metadata.managedFields.some((e: any) => e.manager === 'kubectl-patch' && 'f:replicas' in (e.fieldsV1['f:spec'] ?? {})));
});

test('every write records its manager: create, update, patch', () => {
  c.k('create', '-f', manifest(c, 'cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {a: "1"}\n'));
  const cm = JSON.parse(c.k('get', 'cm', 'owned', '-o', 'json', '--show-managed-fields'));
  assert.deepEqual(cm.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['kubectl-create', 'Update']]);
  assert.ok(cm.metadata.managedFields[0].fieldsV1['f:data']['f:a']);
  c.k('label', 'cm', 'owned', 'x=y');
  const labelled = JSON.parse(c.k('get', 'cm', 'owned', '-o', 'json', '--show-managed-fields'));
  assert.deepEqual(labelled.metadata.managedFields.map((e: any) => e.manager), ['kubectl-create', 'kubectl-label']);
  const rv = labelled.metadata.resourceVersion;
  c.k('label', 'cm', 'owned', 'x=y', '--overwrite');
  assert.equal(c.k('get', 'cm', 'owned', '-o', 'jsonpath={.metadata.resourceVersion}'), rv, 'a no-op write is not written');
});

test('force on a non-apply patch and apply without fieldManager are refused', async () => {
  const { default: https } = await import('node:https');
  const call = (path: string, type: string, body: string) => new Promise<{ code: number; body: any }>((resolve, reject) => {
    const req = https.request(c.apiURL + path, { method: 'PATCH', rejectUnauthorized: false, headers: { 'Content-Type': type, Authorization: 'Bearer e2e-token-0123456789' } }, (res) => {
      let d = '';
      res.on('data', (x) => { d += x; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(d) }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const a = await call('/api/v1/namespaces/default/configmaps/owned?force=true', 'application/merge-patch+json', '{}');
  assert.equal(a.code, 422);
  assert.equal(a.body.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  const b = await call('/api/v1/namespaces/default/configmaps/owned', 'application/apply-patch+yaml', 'apiVersion: v1\nkind: ConfigMap\n');
  assert.equal(b.code, 422);
  assert.match(b.body.message, /fieldManager: Required value: is required for apply patch/);
});
