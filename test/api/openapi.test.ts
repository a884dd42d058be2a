// The generated OpenAPI definitions and the documents built from them: names, types and
// formats, the special Quantity / IntOrString / Time schemas, patch metadata, kinds, and
// that the committed output is what the generator produces today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { allDefinitions, definitionOf } from '../../src/api/openapi/definitions.js';
import { generateDefinitions } from '../../src/api/openapi/generator/generate.js';
import YAML from 'yaml';
import { swaggerDocument } from '../../src/api/openapi/spec-v2.js';
import { decodeSwaggerProto, encodeSwaggerProto, schemaToProto } from '../../src/api/openapi/spec-v2-proto.js';
import { openapiV3Document } from '../../src/api/openapi/spec-v3.js';
import type { Schema } from '../../src/api/openapi/schema.js';
import { deployments, replicasets } from '../../src/api/resources/apps-v1.js';
import { pods } from '../../src/api/resources/core-v1.js';

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const defs = allDefinitions();
const prop = (def: string, field: string): Schema => {
  const p = defs[def]?.properties?.[field];
  assert.ok(p, `${def}.${field} exists`);
  return p;
};

test('the committed definitions are what the generator produces from kubernetes-types', () => {
  const fresh = generateDefinitions();
  const committed = JSON.parse(fs.readFileSync(new URL('../../../src/api/openapi/generated/definitions.json', import.meta.url), 'utf8'));
  assert.deepEqual(fresh, committed, 'run `npm run gen:openapi` and commit the output');
});

test('definitions are named after upstream Go packages', () => {
  for (const n of [`${CORE}.Pod`, `${META}.ObjectMeta`, 'io.k8s.api.apps.v1.Deployment', 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', 'io.k8s.api.coordination.v1.Lease']) {
    assert.ok(defs[n], n);
  }
  assert.equal(definitionOf({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(definitionOf({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }), 'io.k8s.api.events.v1.Event');
});

test('a Pod has its kind, description, refs, and containers merged by name', () => {
  const pod = defs[`${CORE}.Pod`];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.match(pod.description ?? '', /^Pod is a collection of containers/);
  assert.equal(prop(`${CORE}.Pod`, 'spec').$ref, `#/definitions/${CORE}.PodSpec`);
  const containers = prop(`${CORE}.PodSpec`, 'containers');
  assert.equal(containers.type, 'array');
  assert.equal(containers.items?.$ref, `#/definitions/${CORE}.Container`);
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  assert.deepEqual(defs[`${CORE}.PodSpec`].required, ['containers']);
  assert.deepEqual(defs[`${CORE}.Container`].required, ['name']);
  assert.equal(prop(`${CORE}.Container`, 'ports')['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(prop(`${CORE}.Container`, 'ports')['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(prop(`${CORE}.PodSpec`, 'volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(defs[`${META}.LabelSelector`]['x-kubernetes-map-type'], 'atomic');
});

test('integer formats, date-time, maps', () => {
  assert.deepEqual({ ...prop(`${CORE}.ContainerPort`, 'containerPort'), description: undefined }, { description: undefined, type: 'integer', format: 'int32' });
  assert.equal(prop(`${META}.ObjectMeta`, 'generation').format, 'int64');
  assert.equal(prop(`${CORE}.PodSpec`, 'terminationGracePeriodSeconds').format, 'int64');
  assert.equal(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'maximum').format, 'double');
  assert.equal(defs[`${META}.Time`].type, 'string');
  assert.equal(defs[`${META}.Time`].format, 'date-time');
  assert.equal(prop(`${META}.ObjectMeta`, 'creationTimestamp').$ref, `#/definitions/${META}.Time`);
  assert.deepEqual(prop(`${META}.ObjectMeta`, 'labels').additionalProperties, { type: 'string' });
  assert.equal(defs['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
});

test('Quantity is a string (v2) or string-or-number (v3); IntOrString is int-or-string', () => {
  const q = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
  const ios = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
  assert.equal(defs[q].type, 'string');
  assert.equal((prop(`${CORE}.ResourceRequirements`, 'limits').additionalProperties as Schema).$ref, `#/definitions/${q}`);
  assert.equal(defs[ios].format, 'int-or-string');
  assert.equal(defs[ios]['x-kubernetes-int-or-string'], true);
  assert.equal(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').$ref, `#/definitions/${ios}`);
  assert.equal(prop(`${CORE}.ServicePort`, 'targetPort').$ref, `#/definitions/${ios}`);
  const v3 = openapiV3Document([deployments], 'v1.32.0').components.schemas;
  assert.deepEqual(v3[ios].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.equal(v3[ios].type, undefined);
  assert.deepEqual(v3[q].oneOf, [{ type: 'string' }, { type: 'number' }]);
});

test('v3 document: schemas in components, refs with siblings as allOf, PATCH advertises fieldValidation', () => {
  const doc = openapiV3Document([deployments, replicasets], 'v1.32.0');
  const s = doc.components.schemas;
  assert.ok(s['io.k8s.api.apps.v1.Deployment'] && s[`${CORE}.PodSpec`] && s[`${META}.ObjectMeta`] && s[`${META}.Status`]);
  assert.equal(s[`${CORE}.Pod`], undefined, 'only what apps/v1 reaches');
  const spec = s['io.k8s.api.apps.v1.Deployment'].properties!.spec;
  assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  const containers = s[`${CORE}.PodSpec`].properties!.containers;
  assert.equal(containers.items?.$ref, `#/components/schemas/${CORE}.Container`);
  const patch = (doc.paths as any)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.ok(patch.requestBody.content['application/strategic-merge-patch+json']);
  const scale = (doc.paths as any)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].get;
  assert.equal(scale.operationId, 'readAppsV1NamespacedDeploymentScale');
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(JSON.stringify(doc).includes('#/definitions/'), false);
});

test('v2 document: Swagger 2.0 with paths, body parameters and definitions', () => {
  const doc = swaggerDocument([pods, deployments], 'v1.32.0');
  assert.equal(doc.swagger, '2.0');
  const create = (doc.paths as any)['/api/v1/namespaces/{namespace}/pods'].post;
  assert.equal(create.operationId, 'createCoreV1NamespacedPod');
  assert.deepEqual(create.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: `#/definitions/${CORE}.Pod` } });
  assert.ok((doc.paths as any)['/api/v1/pods'].get.operationId === 'listCoreV1PodForAllNamespaces');
  assert.ok((doc.paths as any)['/api/v1/watch/namespaces/{namespace}/pods/{name}']);
  assert.ok(doc.definitions[`${CORE}.PodList`] && doc.definitions[`${META}.WatchEvent`] && doc.definitions[`${META}.DeleteOptions`]);
});

test('v2 document in gnostic protobuf form: decodes to the same paths, parameters and schemas', () => {
  const doc = swaggerDocument([pods, deployments], 'v1.32.0');
  const pb = decodeSwaggerProto(encodeSwaggerProto(doc));
  assert.equal(pb.swagger, '2.0');
  assert.deepEqual(pb.info, { title: 'Kubernetes', version: 'v1.32.0' });
  assert.deepEqual(pb.paths.path.map((p: any) => p.name), Object.keys(doc.paths));
  const item = pb.paths.path.find((p: any) => p.name === '/api/v1/namespaces/{namespace}/pods').value;
  assert.equal(item.post.operation_id, 'createCoreV1NamespacedPod');
  assert.deepEqual(item.post.parameters[0].parameter.body_parameter, { name: 'body', in: 'body', required: true, schema: { _ref: `#/definitions/${CORE}.Pod` } });
  assert.equal(item.parameters[0].parameter.non_body_parameter.path_parameter_sub_schema.name, 'namespace');
  assert.deepEqual(YAML.parse(item.post.vendor_extension.find((e: any) => e.name === 'x-kubernetes-group-version-kind').value.yaml), { group: '', kind: 'Pod', version: 'v1' });
  const ok = item.post.responses.response_code.find((r: any) => r.name === '201').value.response;
  assert.equal(ok.schema.schema._ref, `#/definitions/${CORE}.Pod`);
  const defs = new Map<string, any>(pb.definitions.additional_properties.map((d: any) => [d.name, d.value]));
  assert.deepEqual([...defs.keys()], Object.keys(doc.definitions), 'every definition, in order');
  const spec = defs.get(`${CORE}.PodSpec`);
  assert.deepEqual(spec.required, ['containers']);
  const field = (s: any, name: string) => s.properties.additional_properties.find((p: any) => p.name === name).value;
  const containers = field(spec, 'containers');
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema[0]._ref, `#/definitions/${CORE}.Container`);
  assert.equal(containers.vendor_extension.find((e: any) => e.name === 'x-kubernetes-patch-merge-key').value.yaml, 'name\n');
  assert.equal(field(spec, 'nodeSelector').additional_properties.schema.type.value[0], 'string');
  assert.deepEqual(pb.security_definitions.additional_properties[0].value.api_key_security, { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' });
});

test('schema conversion keeps Swagger 2.0 keys and drops what v2 has no place for', () => {
  const s = schemaToProto({ type: 'object', additionalProperties: false, enum: ['a', 1], default: { k: 'v' }, maxLength: 3, oneOf: [{ type: 'string' }], 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(s, {
    type: { value: ['object'] }, additional_properties: { boolean: false }, enum: [{ yaml: 'a\n' }, { yaml: '1\n' }], default: { yaml: 'k: v\n' },
    max_length: 3, vendor_extension: [{ name: 'x-kubernetes-preserve-unknown-fields', value: { yaml: 'true\n' } }],
  });
});
