import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiError, FieldPath, duplicate, forbidden, forbiddenMessage, goQuote, invalid, newAlreadyExists, newBadRequest,
  newConflict, newForbidden, newInternalError, newInvalid, newMethodNotSupported, newNotFound, newRequestEntityTooLarge,
  newServiceUnavailable, newTimeout, newTooManyRequests, newTooOldResourceVersion, newUnauthorized, notSupported,
  required, statusFromError, tooLong, tooMany, fieldErrorString, newGone,
} from '../../src/api/status/index.js';

const pods = { group: '', resource: 'pods' };

test('NotFound: message, details and exact JSON encoding', () => {
  const e = newNotFound(pods, 'x');
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 404);
  assert.equal(JSON.stringify(e.status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}');
  const d = newNotFound({ group: 'apps', resource: 'deployments' }, 'x');
  assert.equal(d.status.message, 'deployments.apps "x" not found');
  assert.deepEqual(d.status.details, { name: 'x', group: 'apps', kind: 'deployments' });
});

test('AlreadyExists and Conflict', () => {
  const a = newAlreadyExists(pods, 'x');
  assert.equal(a.status.code, 409);
  assert.equal(a.status.reason, 'AlreadyExists');
  assert.equal(a.status.message, 'pods "x" already exists');
  const c = newConflict(pods, 'x');
  assert.equal(c.status.reason, 'Conflict');
  assert.equal(c.status.message,
    'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again');
});

test('Invalid: one cause printed bare, several in brackets, duplicates dropped', () => {
  const one = newInvalid({ group: '', kind: 'Pod' }, 'x', [required('spec.containers')]);
  assert.equal(one.code, 422);
  assert.equal(one.status.message, 'Pod "x" is invalid: spec.containers: Required value');
  assert.deepEqual(one.status.details, {
    name: 'x', kind: 'Pod',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }],
  });
  const many = newInvalid({ group: 'apps', kind: 'Deployment' }, 'web', [
    required('spec.selector'), required('spec.selector'),
    invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
  ]);
  assert.equal(many.status.message,
    'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]');
  assert.equal(many.status.details?.causes?.length, 3);
  assert.equal(newInvalid({ group: '', kind: 'Pod' }, 'x', []).status.message, 'Pod "x" is invalid');
});

test('field errors render as upstream', () => {
  assert.equal(fieldErrorString(notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never'])),
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  const p = FieldPath.root('spec').child('containers').index(0).child('name');
  assert.equal(fieldErrorString(duplicate(p, 'web')), 'spec.containers[0].name: Duplicate value: "web"');
  assert.equal(fieldErrorString(forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`')),
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
  assert.equal(fieldErrorString(tooLong(FieldPath.root('metadata').child('annotations'), 262144)),
    'metadata.annotations: Too long: may not be more than 262144 bytes');
  assert.equal(fieldErrorString(tooMany('spec.containers', 3, 1)), 'spec.containers: Too many: 3: must have at most 1 item');
  assert.equal(fieldErrorString(invalid(FieldPath.root('metadata', 'labels').key('a b'), 'x\ny', 'bad')),
    'metadata.labels[a b]: Invalid value: "x\\ny": bad');
  assert.equal(fieldErrorString(invalid('spec.x', null)), 'spec.x: Invalid value: null');
  assert.equal(fieldErrorString(required('metadata.name', 'name or generateName is required')),
    'metadata.name: Required value: name or generateName is required');
});

test('Forbidden with the authorizer message', () => {
  const why = forbiddenMessage({ user: 'jane', verb: 'list', resource: 'pods', apiGroup: '', namespace: 'dev' });
  const e = newForbidden(pods, '', why);
  assert.equal(e.code, 403);
  assert.equal(e.status.message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "dev"');
  assert.deepEqual(e.status.details, { kind: 'pods' });
  const named = newForbidden({ group: 'apps', resource: 'deployments' }, 'web',
    forbiddenMessage({ user: 'bob', verb: 'get', resource: 'deployments', subresource: 'scale', apiGroup: 'apps' }));
  assert.equal(named.status.message,
    'deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" at the cluster scope');
  assert.equal(forbiddenMessage({ user: 'system:anonymous', verb: 'get', path: '/healthz' }),
    'User "system:anonymous" cannot get path "/healthz"');
});

test('other reasons carry upstream codes and messages', () => {
  const cases: [ApiError, number, string, string][] = [
    [newBadRequest('strict decoding error: unknown field "spec.foo"'), 400, 'BadRequest', 'strict decoding error: unknown field "spec.foo"'],
    [newUnauthorized(), 401, 'Unauthorized', 'Unauthorized'],
    [newMethodNotSupported({ group: '', resource: 'bindings' }, 'list'), 405, 'MethodNotAllowed', 'list is not supported on resources of kind "bindings"'],
    [newTooOldResourceVersion(5, 10), 410, 'Expired', 'too old resource version: 5 (10)'],
    [newGone('gone'), 410, 'Gone', 'gone'],
    [newRequestEntityTooLarge('limit is 3145728'), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'],
    [newTooManyRequests('please try again later', 1), 429, 'TooManyRequests', 'Too many requests: please try again later'],
    [newInternalError(new Error('boom')), 500, 'InternalError', 'Internal error occurred: boom'],
    [newServiceUnavailable('etcd is down'), 503, 'ServiceUnavailable', 'etcd is down'],
    [newTimeout('request did not complete within 60s'), 504, 'Timeout', 'Timeout: request did not complete within 60s'],
  ];
  for (const [e, code, reason, message] of cases) {
    assert.equal(e.status.code, code, reason);
    assert.equal(e.status.reason, reason);
    assert.equal(e.status.message, message);
    assert.equal(e.status.status, 'Failure');
  }
  assert.equal(newTooManyRequests('x', 1).status.details?.retryAfterSeconds, 1);
  assert.deepEqual(newInternalError('boom').status.details, { causes: [{ message: 'boom' }] });
});

test('statusFromError wraps unknown errors as InternalError', () => {
  assert.equal(statusFromError(newNotFound(pods, 'a')).code, 404);
  const s = statusFromError(new TypeError('bad'));
  assert.equal(s.code, 500);
  assert.equal(s.message, 'Internal error occurred: bad');
});

test('goQuote matches Go %q', () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('\x00\t'), '"\\x00\\t"');
  assert.equal(goQuote('héllo'), '"héllo"');
});
