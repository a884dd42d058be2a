// CustomResourceDefinitions with the real kubectl: apply a CRD, wait for Established, then
// its custom resources by plural and short name, printer columns, schema validation (422),
// defaults and pruning, the status and scale subresources, patch types, discovery and
// OpenAPI, and deletion of the CRD taking its objects with it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, manifest, startCluster } from '../apiserver/harness.js';
import { api } from '../apiserver/api-request.js';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
              image: {type: string, maxLength: 20}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
              color: {type: string, enum: [red, blue]}
              port: {x-kubernetes-int-or-string: true}
              tags: {type: array, maxItems: 2, items: {type: string}}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
              phase: {type: string}
`;

const ct = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: ${name}}
spec: ${spec}
`;

test('apply a CRD, wait for Established; discovery lists the resource', async () => {
  assert.match(c.k('apply', '-f', manifest(c, 'crd.yaml', crd)), /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
  c.k('wait', '--for', 'condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com');
  const got = JSON.parse(c.k('get', 'crd', 'crontabs.stable.example.com', '-o', 'json'));
  assert.equal(got.status.acceptedNames.kind, 'CronTab');
  assert.deepEqual(got.status.storedVersions, ['v1']);
  assert.ok(got.status.conditions.some((x: any) => x.type === 'NamesAccepted' && x.status === 'True'));
  assert.ok(got.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
  assert.match(c.k('api-resources', '--api-group', 'stable.example.com'), /crontabs\s+ct\s+stable.example.com\/v1\s+true\s+CronTab/);
  assert.equal(c.k('get', 'crontabs').trim(), '');
});

test('custom resources: apply, get by plural and short name with printer columns, -o yaml, defaults and pruning', async () => {
  const out = c.k('apply', '--validate=false', '-f', manifest(c, 'ct1.yaml', ct('nightly', '{cronSpec: "0 3 * * *", image: busybox, port: http, unknownField: x, extra: {anything: [1, 2]}}')));
  assert.match(out, /crontab.stable.example.com\/nightly created/);
  const table = c.k('get', 'ct');
  assert.match(table, /^NAME\s+SPEC\s+REPLICAS\s+AGE\n/);
  assert.match(table, /nightly\s+0 3 \* \* \*\s+1\s+\d+s/);
  const yaml = c.k('get', 'crontab', 'nightly', '-o', 'yaml');
  assert.match(yaml, /replicas: 1/, 'default from the schema');
  const stored = JSON.parse(c.k('get', 'crontab', 'nightly', '-o', 'json'));
  assert.equal(stored.spec.unknownField, undefined, 'pruned');
  assert.deepEqual(stored.spec.extra, { anything: [1, 2] });
  assert.match(yaml, /anything:/, 'preserved under x-kubernetes-preserve-unknown-fields');
  assert.match(yaml, /generation: 1/);
  const strict = c.kubectl(['apply', '--validate=strict', '-f', manifest(c, 'ct2.yaml', ct('strict', '{cronSpec: "* * * * *", bogus: 1}'))]);
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /unknown field "spec.bogus"/);
});

test('an invalid custom resource is refused with 422 and upstream messages', async () => {
  const r = c.kubectl(['apply', '-f', manifest(c, 'bad.yaml', ct('bad', '{cronSpec: "nope", image: "a-very-long-image-name-indeed", replicas: 50, color: pink, tags: [a, b, c]}'))]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The CronTab "bad" is invalid/);
  assert.match(r.stderr, /spec.cronSpec: Invalid value: "nope": spec.cronSpec in body should match/);
  assert.match(r.stderr, /spec.replicas: Invalid value: 50: spec.replicas in body should be less than or equal to 10/);
  assert.match(r.stderr, /spec.color: Unsupported value: "pink": supported values: "red", "blue"/);
  assert.match(r.stderr, /spec.tags: Too many: 3: must have at most 2 items/);
  assert.match(r.stderr, /spec.image: Too long: may not be more than 20 bytes/);
  const typed = await api(c.apiURL, 'POST', '/apis/stable.example.com/v1/namespaces/default/crontabs',
    { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'typed' }, spec: { replicas: 'two' } });
  assert.equal(typed.status, 422);
  assert.equal(typed.body.reason, 'Invalid');
  assert.match(typed.body.message, /^CronTab.stable.example.com "typed" is invalid/);
  assert.match(typed.body.message, /spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"/);
  assert.match(typed.body.message, /spec.cronSpec: Required value/);
  assert.equal(c.kubectl(['get', 'ct', 'bad']).code, 1, 'nothing stored');
});

test('status subresource splits spec and status; scale subresource; patch types', async () => {
  const base = '/apis/stable.example.com/v1/namespaces/default/crontabs/nightly';
  const cur = (await api(c.apiURL, 'GET', base)).body;
  const withStatus = await api(c.apiURL, 'PUT', base, { ...cur, spec: { ...cur.spec, image: 'changed' }, status: { phase: 'Running', replicas: 1 } });
  assert.equal(withStatus.status, 200, JSON.stringify(withStatus.body));
  assert.equal(withStatus.body.status, undefined, 'status ignored on the main resource');
  assert.equal(withStatus.body.metadata.generation, 2);
  const st = await api(c.apiURL, 'PUT', `${base}/status`, { ...withStatus.body, spec: { ...withStatus.body.spec, image: 'ignored' }, status: { phase: 'Running', replicas: 1 } });
  assert.equal(st.status, 200);
  assert.equal(st.body.status.phase, 'Running');
  assert.equal(st.body.spec.image, 'changed', 'spec ignored on /status');
  assert.equal(st.body.metadata.generation, 2);
  assert.match(c.k('scale', 'ct', 'nightly', '--replicas=3'), /scaled/);
  const scale = await api(c.apiURL, 'GET', `${base}/scale`);
  assert.deepEqual([scale.body.kind, scale.body.spec.replicas, scale.body.status.replicas], ['Scale', 3, 1]);
  assert.match(c.k('patch', 'ct', 'nightly', '--type=merge', '-p', '{"spec":{"color":"red"}}'), /patched/);
  assert.match(c.k('patch', 'ct', 'nightly', '--type=json', '-p', '[{"op":"replace","path":"/spec/color","value":"blue"}]'), /patched/);
  const smp = await api(c.apiURL, 'PATCH', base, { spec: { color: 'red' } }, 'application/strategic-merge-patch+json');
  assert.equal(smp.status, 415);
  assert.equal(JSON.parse(c.k('get', 'ct', 'nightly', '-o', 'json')).spec.color, 'blue');
  assert.match(c.k('get', 'all'), /crontab.stable.example.com\/nightly/, 'categories');
});

test('OpenAPI v3 carries the schema; kubectl explain reads it', async () => {
  const doc = await api(c.apiURL, 'GET', '/openapi/v3/apis/stable.example.com/v1');
  assert.equal(doc.status, 200);
  assert.ok(doc.body.components.schemas['com.example.stable.v1.CronTab'].properties.spec.properties.cronSpec);
  assert.match(c.k('explain', 'crontabs.spec'), /cronSpec/);
});

test('a CRD with an invalid spec is refused; deleting a CRD deletes its objects and stops serving', async () => {
  const bad = c.kubectl(['apply', '-f', manifest(c, 'badcrd.yaml', crd.replace('name: crontabs.stable.example.com', 'name: wrong.stable.example.com').replace('storage: true', 'storage: false'))]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /metadata.name: Invalid value: "wrong.stable.example.com": must be spec.names.plural\+"."\+spec.group/);
  assert.match(bad.stderr, /spec.versions: Invalid value: .*must have exactly one version marked as storage version/);
  c.k('delete', 'crd', 'crontabs.stable.example.com', '--timeout=30s');
  const gone = await api(c.apiURL, 'GET', '/apis/stable.example.com/v1/namespaces/default/crontabs');
  assert.equal(gone.status, 404);
  c.k('apply', '-f', manifest(c, 'crd-again.yaml', crd));
  c.k('wait', '--for', 'condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com');
  assert.equal(c.k('get', 'crontabs', '-o', 'name').trim(), '', 'the old objects went with the old CRD');
});
