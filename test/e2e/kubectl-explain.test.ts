// OpenAPI and strict field validation as the real kubectl sees them: `kubectl explain` from
// the /openapi/v3 documents, --validate=strict|warn on create and apply, the Warning header
// and 400 on the raw API, duplicate fields, the documents' caching headers, and client-side
// validation of `kind: List` files from the protobuf /openapi/v2.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { decodeSwaggerProto } from '../../src/api/openapi/spec-v2-proto.js';
import { type Cluster, TOKEN, manifest, startCluster } from '../apiserver/harness.js';

interface Reply { code: number; headers: Record<string, string | string[] | undefined>; body: string }

function call(c: Cluster, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(c.apiURL + path, {
      method, rejectUnauthorized: false,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function callBytes(c: Cluster, path: string, headers: Record<string, string>): Promise<{ code: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    https.get(c.apiURL + path, { rejectUnauthorized: false, headers: { Authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** What `kubectl get cm,deploy -o yaml` prints: a v1 List of a ConfigMap and a Deployment. */
const listOf = (cm: string, deploy: string, replicasLine: string) => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ${cm}}
  data: {x: "1"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ${deploy}}
  spec:
    ${replicasLine}
    selector: {matchLabels: {app: ${deploy}}}
    template:
      metadata: {labels: {app: ${deploy}}}
      spec: {containers: [{name: c, image: busybox}]}
`;

const podWithUnknown = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  foo: 1
  containers:
  - name: c
    image: busybox
`;

describe('kubectl explain and field validation', () => {
  let c: Cluster;
  before(async () => { c = await startCluster(); });
  after(async () => { await c?.stop(); });

  test('kubectl explain pods', () => {
    const out = c.k('explain', 'pods');
    assert.match(out, /^KIND:\s+Pod\nVERSION:\s+v1\n/);
    assert.match(out, /DESCRIPTION:\n\s+Pod is a collection of containers that can run on a host\./);
    assert.match(out, /\n {2}metadata\t<ObjectMeta>\n/);
    assert.match(out, /\n {2}spec\t<PodSpec>\n {4}Specification of the desired behavior of the pod\./);
    assert.match(out, /\n {2}status\t<PodStatus>\n/);
  });

  test('kubectl explain pods.spec.containers', () => {
    const out = c.k('explain', 'pods.spec.containers');
    assert.match(out, /FIELD: containers <\[\]Container>/);
    assert.match(out, /A single application container that you want to run within a pod\./);
    assert.match(out, /\n {2}name\t<string> -required-\n/);
    assert.match(out, /\n {2}ports\t<\[\]ContainerPort>\n/);
    assert.match(out, /\n {2}resources\t<ResourceRequirements>\n/);
    const res = c.k('explain', 'pods.spec.containers.resources.limits');
    assert.match(res, /FIELD: limits <map\[string\]Quantity>/);
  });

  test('kubectl explain deployment.spec.strategy --recursive', () => {
    const out = c.k('explain', 'deployment.spec.strategy', '--recursive');
    assert.match(out, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: strategy <DeploymentStrategy>\n/);
    assert.match(out, /FIELDS:\n {2}rollingUpdate\t<RollingUpdateDeployment>\n {4}maxSurge\t<IntOrString>\n {4}maxUnavailable\t<IntOrString>\n {2}type\t<string>\n/);
  });

  test('kubectl create --validate=strict refuses an unknown field and stores nothing', () => {
    const r = c.kubectl(['create', '-f', manifest(c, 'strict.yaml', podWithUnknown('strict-pod')), '--validate=strict']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BadRequest.*Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"/);
    assert.match(c.kubectl(['get', 'pod', 'strict-pod']).stderr, /NotFound/);
  });

  test('kubectl create --validate=warn prints the server warning and drops the field', () => {
    const r = c.kubectl(['create', '-f', manifest(c, 'warn.yaml', podWithUnknown('warn-pod')), '--validate=warn']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: unknown field "spec.foo"/);
    assert.equal(c.k('get', 'pod', 'warn-pod', '-o', 'jsonpath={.spec.foo}'), '');
  });

  test('kubectl apply --validate=strict reports an unknown field on create and on patch', () => {
    const good = manifest(c, 'apply-ok.yaml', podWithUnknown('apply-pod').replace('  foo: 1\n', ''));
    const bad = manifest(c, 'apply-bad.yaml', podWithUnknown('apply-pod').replace('  name: apply-pod\n', '  name: apply-pod\n  labels: {tier: web}\n'));
    const first = c.kubectl(['apply', '-f', bad, '--validate=strict']);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /strict decoding error: unknown field "spec.foo"/);
    c.k('apply', '-f', good);
    const patch = c.kubectl(['apply', '-f', bad, '--validate=strict']);
    assert.equal(patch.code, 1);
    assert.match(patch.stderr, /error when patching .*strict decoding error: unknown field "spec.foo"/s);
    assert.equal(c.k('get', 'pod', 'apply-pod', '-o', 'jsonpath={.metadata.labels}'), '', 'the refused patch changed nothing');
  });

  test('raw API: Warn is the default, Strict is 400, Ignore is silent, duplicates are caught', async () => {
    const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, bogus: { x: 1 } });
    const warn = await call(c, 'POST', '/api/v1/namespaces/default/configmaps', body('cm-warn'));
    assert.equal(warn.code, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"bogus\\""');
    const strict = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body('cm-strict'));
    assert.equal(strict.code, 400);
    const status = JSON.parse(strict.body);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    const ignore = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', body('cm-ignore'));
    assert.equal(ignore.code, 201);
    assert.equal(ignore.headers.warning, undefined);
    const dup = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-dup","name":"cm-dup2"},"data":{"k":"1","k":"2"}}';
    const d = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', dup);
    assert.equal(d.code, 400);
    assert.match(JSON.parse(d.body).message, /strict decoding error: duplicate field "metadata.name", duplicate field "data.k"$/);
    const bad = await call(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Loose', body('cm-x'));
    assert.equal(bad.code, 400);
  });

  test('/openapi/v3 index, hashed documents, redirects and 304s; /openapi/v2 as JSON', async () => {
    const index = await call(c, 'GET', '/openapi/v3');
    assert.equal(index.code, 200);
    const url: string = JSON.parse(index.body).paths['apis/apps/v1'].serverRelativeURL;
    const hash = /\?hash=([0-9A-F]{128})$/.exec(url)?.[1];
    assert.ok(hash, url);
    const doc = await call(c, 'GET', url, undefined, { Accept: 'application/json' });
    assert.equal(doc.code, 200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    assert.equal(doc.headers.etag, `"${hash}"`);
    assert.ok(JSON.parse(doc.body).components.schemas['io.k8s.api.apps.v1.Deployment']);
    const stale = await call(c, 'GET', '/openapi/v3/apis/apps/v1?hash=ABC');
    assert.equal(stale.code, 301);
    assert.equal(stale.headers.location, url);
    const again = await call(c, 'GET', '/openapi/v3/apis/apps/v1', undefined, { 'If-None-Match': `"${hash}"` });
    assert.equal(again.code, 304);
    const v2 = await call(c, 'GET', '/openapi/v2', undefined, { Accept: 'application/json' });
    assert.equal(v2.code, 200);
    const swagger = JSON.parse(v2.body);
    assert.equal(swagger.swagger, '2.0');
    assert.equal(swagger.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
    const unknown = await call(c, 'GET', '/openapi/v2', undefined, { Accept: 'application/com.github.proto-openapiv2.v2.v2.0+protobuf' });
    assert.equal(unknown.code, 406);
  });

  test('/openapi/v2 in gnostic protobuf form: content type, shared ETag, 304, kinds in x- extensions', async () => {
    const json = await call(c, 'GET', '/openapi/v2', undefined, { Accept: 'application/json' });
    const pb = await callBytes(c, '/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(pb.code, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(pb.headers.vary, 'Accept');
    assert.equal(pb.headers.etag, json.headers.etag, 'kube-openapi reuses the JSON ETag for the protobuf form');
    const doc = decodeSwaggerProto(pb.body);
    assert.equal(doc.swagger, '2.0');
    const dep = doc.definitions.additional_properties.find((d: { name: string }) => d.name === 'io.k8s.api.apps.v1.Deployment').value;
    assert.deepEqual(dep.type.value, ['object']);
    const gvk = dep.vendor_extension.find((e: { name: string }) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(YAML.parse(gvk.value.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const again = await callBytes(c, '/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'If-None-Match': String(pb.headers.etag) });
    assert.equal(again.code, 304);
  });

  test('kubectl create and apply a kind: List, validated client-side from the protobuf /openapi/v2', () => {
    const list = manifest(c, 'list.yaml', listOf('list-cm', 'list-deploy', 'replicas: 1'));
    const created = c.kubectl(['create', '-f', list]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /configmap\/list-cm created\ndeployment.apps\/list-deploy created/);
    const applied = c.kubectl(['apply', '-f', manifest(c, 'list2.yaml', listOf('list-cm', 'list-deploy', 'replicas: 2'))]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(c.k('get', 'deployment', 'list-deploy', '-o', 'jsonpath={.spec.replicas}'), '2');
    const applyNew = c.kubectl(['apply', '-f', manifest(c, 'list3.yaml', listOf('list-cm3', 'list-deploy3', 'replicas: 1'))]);
    assert.equal(applyNew.code, 0, applyNew.stderr);
    assert.match(applyNew.stdout, /configmap\/list-cm3 created/);
  });

  test('an unknown field in a List item is refused by kubectl; --validate=false still creates', () => {
    const bad = manifest(c, 'list-bad.yaml', listOf('bad-cm', 'bad-deploy', 'replicass: 1'));
    const r = c.kubectl(['create', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error validating data: ValidationError\(Deployment\.spec\): unknown field "replicass" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
    assert.match(c.kubectl(['get', 'deployment', 'bad-deploy']).stderr, /NotFound/);
    const applied = c.kubectl(['apply', '-f', bad]);
    assert.equal(applied.code, 1);
    assert.match(applied.stderr, /unknown field "replicass"/);
    const loose = c.kubectl(['create', '-f', bad, '--validate=false']);
    assert.equal(loose.code, 0, loose.stderr);
    assert.equal(c.k('get', 'deployment', 'bad-deploy', '-o', 'jsonpath={.spec.replicas}'), '1', 'the unknown field was dropped and the default applied');
  });
});
