import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPatch, mergePatchValue, strategicMergePatch, patchMetaFor, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH,
} from '../../src/api/patch/index.js';
import { ApiError } from '../../src/api/status/index.js';

const podKind = { group: '', version: 'v1', kind: 'Pod' };
const deployKind = { group: 'apps', version: 'v1', kind: 'Deployment' };

function rejects(fn: () => unknown, code: number, message?: string): ApiError {
  let caught: ApiError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.equal(e.message, message);
    caught = e;
    return true;
  });
  return caught!;
}

function pod(): any {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web' }, finalizers: ['a.io/one'] },
    spec: {
      containers: [
        { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
        { name: 'side', image: 'busybox' },
      ],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
    },
  };
}

// Upstream docs, "Update API Objects in Place Using kubectl patch".
function patchDemo(): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patch-demo' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  };
}

test('documented strategic merge: a new container is merged into the list (and placed first)', () => {
  const orig = patchDemo();
  const out: any = applyPatch(deployKind, orig, JSON.stringify(
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } }), STRATEGIC_MERGE_PATCH);
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'patch-demo-ctr-2', image: 'redis' }, { name: 'patch-demo-ctr', image: 'nginx' },
  ]);
  assert.equal(orig.spec.template.spec.containers.length, 1, 'original untouched');
});

test('documented strategic merge: tolerations have no strategy and are replaced', () => {
  const out: any = applyPatch(deployKind, patchDemo(), JSON.stringify(
    { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } }), STRATEGIC_MERGE_PATCH);
  assert.deepEqual(out.spec.template.spec.tolerations, [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
});

test('documented merge patch replaces the containers list', () => {
  const out: any = applyPatch(deployKind, patchDemo(), JSON.stringify(
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }] } } } }), MERGE_PATCH);
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/hello-app:2.0' }]);
});

test('documented $retainKeys: switching strategy to Recreate drops rollingUpdate', () => {
  const out: any = applyPatch(deployKind, patchDemo(), JSON.stringify(
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }), STRATEGIC_MERGE_PATCH);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  // Without the directive the maps merge and rollingUpdate stays.
  const merged: any = applyPatch(deployKind, patchDemo(), '{"spec":{"strategy":{"type":"Recreate"}}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(merged.spec.strategy.rollingUpdate, { maxSurge: '25%', maxUnavailable: '25%' });
  rejects(() => applyPatch(deployKind, patchDemo(), '{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}', STRATEGIC_MERGE_PATCH),
    400, 'invalid patch format of retainKeys');
});

test('strategic merge: merge keys for containers, env and ports; null deletes', () => {
  const out: any = applyPatch(podKind, pod(), JSON.stringify({
    metadata: { labels: { app: null, tier: 'fe' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 80, name: 'http' }] }] },
  }), STRATEGIC_MERGE_PATCH);
  assert.deepEqual(out.metadata.labels, { tier: 'fe' });
  const web = out.spec.containers[0];
  assert.equal(web.image, 'nginx:1.27');
  assert.deepEqual(web.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }]);
  assert.deepEqual(web.ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  assert.deepEqual(out.spec.containers[1], { name: 'side', image: 'busybox' });
});

test('strategic merge: $patch delete and replace in lists and maps', () => {
  const del: any = applyPatch(podKind, pod(), '{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(del.spec.containers.map((c: any) => c.name), ['web']);
  const rep: any = applyPatch(podKind, pod(), '{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(rep.spec.containers, [{ name: 'only', image: 'x' }]);
  const mapRep: any = applyPatch(podKind, pod(), '{"metadata":{"labels":{"$patch":"replace","x":"y"}}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(mapRep.metadata.labels, { x: 'y' });
  const mapDel: any = applyPatch(podKind, pod(), '{"metadata":{"labels":{"$patch":"delete"}}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(mapDel.metadata.labels, {});
  rejects(() => applyPatch(podKind, pod(), '{"metadata":{"labels":{"$patch":"merge"}}}', STRATEGIC_MERGE_PATCH), 500,
    'unknown patch type: merge in map: map[$patch:merge]');
  rejects(() => applyPatch(podKind, pod(), '{"spec":{"containers":[{"$patch":"merge"}]}}', STRATEGIC_MERGE_PATCH), 500,
    'merging lists cannot yet be specified in the patch');
  rejects(() => applyPatch(podKind, pod(), '{"spec":{"containers":[{"image":"x"}]}}', STRATEGIC_MERGE_PATCH), 500,
    'map: map[image:x] does not contain declared merge key: name');
});

test('strategic merge: primitive merge lists and $deleteFromPrimitiveList', () => {
  const add: any = applyPatch(podKind, pod(), '{"metadata":{"finalizers":["b.io/two","a.io/one"]}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(add.metadata.finalizers, ['b.io/two', 'a.io/one']);
  const del: any = applyPatch(podKind, add, '{"metadata":{"$deleteFromPrimitiveList/finalizers":["a.io/one"]}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(del.metadata.finalizers, ['b.io/two']);
  const none: any = applyPatch(podKind, { metadata: {} }, '{"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}}', STRATEGIC_MERGE_PATCH);
  assert.deepEqual(none.metadata, {});
});

test('strategic merge: $setElementOrder orders patch items, keeps server-only items in place', () => {
  const orig = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'injected', image: 'i' }, { name: 'b', image: '2' }] } };
  // kubectl apply after reordering a,b to b,a and adding c between them
  const patch = {
    spec: {
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }],
      containers: [{ name: 'c', image: '3' }],
    },
  };
  const out: any = strategicMergePatch(orig, patch, patchMetaFor(podKind));
  // Server-only items go before the first patch item that follows them in the live list.
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['injected', 'b', 'c', 'a']);
  const added: any = strategicMergePatch(orig, {
    spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }, { name: 'b' }], containers: [{ name: 'c', image: '3' }] },
  }, patchMetaFor(podKind));
  assert.deepEqual(added.spec.containers.map((c: any) => c.name), ['a', 'c', 'injected', 'b']);
  assert.ok(!('$setElementOrder/containers' in out.spec));
  rejects(() => strategicMergePatch(orig, {
    spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'z', image: 'z' }] },
  }, patchMetaFor(podKind)), 400);
});

test('strategic merge: ownerReferences merge by uid, unknown kinds merge maps and replace lists', () => {
  const orig = { metadata: { ownerReferences: [{ uid: 'u1', name: 'rs1', kind: 'ReplicaSet' }] }, spec: { items: [1, 2] } };
  const out: any = strategicMergePatch(orig, { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] }, spec: { items: [3] } },
    patchMetaFor({ group: 'example.com', kind: 'Widget' }));
  assert.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'rs1', kind: 'ReplicaSet', controller: true }]);
  assert.deepEqual(out.spec.items, [3]);
});

test('strategic merge errors for malformed bodies', () => {
  rejects(() => applyPatch(podKind, pod(), '[1]', STRATEGIC_MERGE_PATCH), 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  rejects(() => applyPatch(podKind, pod(), '{"a":', STRATEGIC_MERGE_PATCH), 400, 'unexpected end of JSON input');
  rejects(() => applyPatch(podKind, pod(), '{}', 'application/xml'), 415,
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml');
  rejects(() => applyPatch({ group: 'example.com', version: 'v1', kind: 'Widget' }, {}, '{}', STRATEGIC_MERGE_PATCH, { strategic: false }), 415);
});

test('JSON patch: operations, upstream error mapping, atomicity', () => {
  const orig = pod();
  const out: any = applyPatch(podKind, orig, JSON.stringify([
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' },
    { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
    { op: 'remove', path: '/spec/tolerations' },
    { op: 'test', path: '/metadata/name', value: 'p' },
    { op: 'copy', from: '/metadata/name', path: '/metadata/annotations' },
  ]), `${JSON_PATCH}; charset=utf-8`);
  assert.equal(out.spec.containers[0].image, 'nginx:1.27');
  assert.equal(out.metadata.labels.tier, 'fe');
  assert.equal(out.spec.tolerations, undefined);
  assert.equal(out.metadata.annotations, 'p');
  const e = rejects(() => applyPatch(podKind, orig, JSON.stringify([
    { op: 'replace', path: '/metadata/name', value: 'changed' },
    { op: 'test', path: '/metadata/name', value: 'nope' },
  ]), JSON_PATCH), 422, 'the server rejected our request due to an error in our request');
  assert.equal(e.reason, 'Invalid');
  assert.ok(JSON.stringify(e.status).includes('"details":{}'));
  assert.equal(orig.metadata.name, 'p', 'a failed patch changes nothing');
  rejects(() => applyPatch(podKind, orig, '[{"op":"remove","path":"/spec/foo"}]', JSON_PATCH), 422);
  rejects(() => applyPatch(podKind, orig, '[{"op":"bogus","path":"/a"}]', JSON_PATCH), 422);
  rejects(() => applyPatch(podKind, orig, 'invalid json patch', JSON_PATCH), 400, "invalid character 'i' looking for beginning of value");
  rejects(() => applyPatch(podKind, orig, '{"op":"add"}', JSON_PATCH), 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const many = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' })));
  rejects(() => applyPatch(podKind, orig, many, JSON_PATCH), 413,
    'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatchValue(structuredClone(target), patch), want);
  rejects(() => applyPatch(podKind, pod(), 'null', MERGE_PATCH), 400, 'Invalid JSON Patch');
  rejects(() => applyPatch(podKind, pod(), '{', MERGE_PATCH), 400, 'Invalid JSON Patch');
});

test('a kubectl apply patch removing an env var and a field', () => {
  const orig = pod();
  const patch = {
    spec: {
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
      containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }] }],
      tolerations: null,
    },
  };
  const out: any = applyPatch(podKind, orig, JSON.stringify(patch), STRATEGIC_MERGE_PATCH);
  assert.deepEqual(out.spec.containers[0].env, [{ name: 'A', value: '1' }]);
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['web', 'side']);
  assert.ok(!('tolerations' in out.spec));
  assert.ok(!JSON.stringify(out).includes('$'), 'no directives left in the result');
});
