// Strict field validation over the generated known-fields tree: upstream's messages and
// paths, document order, duplicates, free-form maps and holders, and pruning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneUnknownFields, strictDecodingErrors } from '../../src/api/validation/known-fields.js';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };
const check = (kind: typeof POD, text: string) => strictDecodingErrors(kind, JSON.parse(text), text);

test('unknown fields anywhere in the tree, with list indices, in document order', () => {
  const body = JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { 'any/key': 'x' }, annotations: { a: 'b' } },
    spec: { foo: 1, selector: { matchLabels: { app: 'a' } }, template: { spec: { containers: [{ name: 'a', image: 'i' }, { name: 'b', imagePullPolice: 'x' }] } }, bar: true },
  });
  assert.deepEqual(check(DEPLOY, body), [
    'unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[1].imagePullPolice"', 'unknown field "spec.bar"',
  ]);
  assert.deepEqual(strictDecodingErrors(DEPLOY, JSON.parse(body)), check(DEPLOY, body), 'the object walk agrees with the text scan');
});

test('duplicate fields are reported with their full path, including map keys', () => {
  const text = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},"spec":{"containers":[{"name":"c","image":"i","image":"j"}]}}';
  assert.deepEqual(check(POD, text), ['duplicate field "metadata.name"', 'duplicate field "metadata.labels.x"', 'duplicate field "spec.containers[0].image"']);
});

test('a clean object, free-form holders and unknown kinds report nothing', () => {
  assert.deepEqual(check(POD, '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"anything":{}}}}]},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}}}]}}'), []);
  assert.deepEqual(strictDecodingErrors({ group: 'example.com', version: 'v1', kind: 'Widget' }, { spec: { foo: 1 } }), []);
  const repeated = '{"spec":{"foo":1,"foo":2,"containers":[]}}';
  assert.deepEqual(check(POD, repeated), ['unknown field "spec.foo"'], 'each message once');
});

test('pruning drops unknown fields and keeps the rest', () => {
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { foo: 1, containers: [{ name: 'c', image: 'i', bar: 2 }] } };
  pruneUnknownFields(POD, obj);
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
});
