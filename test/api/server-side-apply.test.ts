import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldSetOf, fromFieldsV1, patchMetaFor, recordUpdate, serverSideApply, toFieldsV1 } from '../../src/api/patch/index.js';
import { fieldsV1Of } from '../../src/api/patch/field-set.js';
import { ApiError } from '../../src/api/status/index.js';

const deployKind = { group: 'apps', kind: 'Deployment' };
const now = '2024-05-01T10:00:00Z';

function config(replicas: number, image = 'nginx:1.25', extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ...extra }] } },
    },
  };
}

test('FieldsV1 encoding of an applied Deployment matches upstream shape', () => {
  const set = fieldSetOf(config(3), patchMetaFor(deployKind));
  assert.deepEqual(toFieldsV1(set), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      },
    },
  });
  assert.equal(fromFieldsV1(toFieldsV1(set)).size, set.size, 'round trip');
});

test('create by apply, re-apply with a change, and field removal', () => {
  const created = serverSideApply(deployKind, undefined, config(3), { manager: 'kubectl', apiVersion: 'apps/v1', now });
  assert.equal(created.spec.replicas, 3);
  assert.deepEqual(created.metadata.managedFields.map((e: any) => [e.manager, e.operation, e.apiVersion, e.time, e.fieldsType]),
    [['kubectl', 'Apply', 'apps/v1', now, 'FieldsV1']]);
  const withEnv = serverSideApply(deployKind, created, config(3, 'nginx:1.27', { env: [{ name: 'A', value: '1' }] }),
    { manager: 'kubectl', apiVersion: 'apps/v1', now });
  assert.equal(withEnv.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(withEnv.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
  // Dropping env from the configuration removes it, since nobody else owns it.
  const without = serverSideApply(deployKind, withEnv, config(3, 'nginx:1.27'), { manager: 'kubectl', apiVersion: 'apps/v1', now });
  assert.equal(without.spec.template.spec.containers[0].env, undefined);
  assert.equal(without.metadata.managedFields.length, 1);
});

test('conflict with another manager is a 409 in upstream words; force takes ownership', () => {
  const created = serverSideApply(deployKind, undefined, config(3), { manager: 'kubectl', apiVersion: 'apps/v1', now });
  // Someone scales with an ordinary update.
  const scaled = structuredClone(created);
  scaled.spec.replicas = 5;
  const afterScale = recordUpdate(deployKind, created, scaled, { manager: 'kubectl-scale', apiVersion: 'apps/v1', now });
  const scaleEntry = afterScale.metadata.managedFields.find((e: any) => e.manager === 'kubectl-scale');
  assert.deepEqual(scaleEntry.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(scaleEntry.operation, 'Update');
  const kubectlEntry = afterScale.metadata.managedFields.find((e: any) => e.manager === 'kubectl');
  assert.ok(!('f:replicas' in kubectlEntry.fieldsV1['f:spec']), 'replicas moved to the updater');

  assert.throws(() => serverSideApply(deployKind, afterScale, config(4), { manager: 'kubectl', apiVersion: 'apps/v1', now }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, `Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1 at ${now}: .spec.replicas`);
    assert.deepEqual(e.status.details?.causes, [{ reason: 'FieldManagerConflict', message: `conflict with "kubectl-scale" using apps/v1 at ${now}`, field: '.spec.replicas' }]);
    return true;
  });
  // Applying the value the other manager set is no conflict: the field becomes shared.
  const shared = serverSideApply(deployKind, afterScale, config(5), { manager: 'kubectl', apiVersion: 'apps/v1', now });
  assert.equal(shared.metadata.managedFields.length, 2);
  const forced = serverSideApply(deployKind, afterScale, config(4), { manager: 'kubectl', apiVersion: 'apps/v1', now, force: true });
  assert.equal(forced.spec.replicas, 4);
  assert.deepEqual(forced.metadata.managedFields.map((e: any) => e.manager), ['kubectl'], 'the scaler lost its only field');
});

test('objects created without managedFields belong to before-first-apply', () => {
  const live = { ...config(2), metadata: { name: 'web', uid: 'u', resourceVersion: '5', labels: { app: 'web' } } };
  assert.throws(() => serverSideApply(deployKind, live, config(7), { manager: 'kubectl', apiVersion: 'apps/v1', now }),
    (e: unknown) => e instanceof ApiError && e.code === 409 && e.message.includes('"before-first-apply"') && e.message.endsWith('.spec.replicas'));
  const twoFields = config(7, 'nginx:2');
  assert.throws(() => serverSideApply(deployKind, live, twoFields, { manager: 'kubectl', apiVersion: 'apps/v1', now }),
    (e: unknown) => e instanceof ApiError && e.message === `Apply failed with 2 conflicts: conflicts with "before-first-apply" using apps/v1 at ${now}:\n`
      + '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
});

test('a create records the same FieldsV1 through the one-walk builder as through the field set', () => {
  const podKind = { group: '', kind: 'Pod' };
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u', labels: { app: 'web', tier: null }, annotations: {}, finalizers: ['a/b', 'c/d'], ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicaSet', name: 'rs', uid: 'x', controller: true }] },
    spec: {
      containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', name: 'dns' }], env: [], resources: { requests: { cpu: '10m' } }, args: ['a', 'b'] }],
      tolerations: [{ key: 'k', operator: 'Exists' }], nodeSelector: {}, volumes: [{ name: 'v', emptyDir: {} }], restartPolicy: 'Always',
    },
    status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
  };
  for (const [kind, obj] of [[podKind, pod], [deployKind, config(2, 'nginx', { ports: [{ containerPort: 1 }] })]] as const) {
    for (const ignoreStatus of [true, false]) {
      const schema = patchMetaFor(kind);
      assert.deepEqual(fieldsV1Of(obj, schema, ignoreStatus), toFieldsV1(fieldSetOf(obj, schema, ignoreStatus)));
    }
    const created = recordUpdate(kind, undefined, obj, { manager: 'm', apiVersion: 'v1', now });
    assert.deepEqual(created.metadata?.managedFields, [{ manager: 'm', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldSetOf(obj, patchMetaFor(kind))) }]);
  }
  assert.equal(fieldsV1Of({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, patchMetaFor(podKind)), undefined);
});
