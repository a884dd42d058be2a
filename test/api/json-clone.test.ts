// cloneJSON: the registry's copy of a cached object must be what parsing its text again gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneJSON } from '../../src/api/json/json-clone.js';
import { encodeStored } from '../../src/apiserver/storage/object-json.js';

const text = JSON.stringify({
  kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '7', labels: { '1': 'x', app: 'web' } },
  spec: { containers: [{ name: 'c', args: ['a', '', 0, -1.5, true, null, [], {}] }], nodeName: null }, status: {},
});

test('a clone equals a fresh parse, key order included, and shares nothing with the original', () => {
  const parsed = JSON.parse(text);
  const copy = cloneJSON(parsed);
  assert.equal(JSON.stringify(copy), text);
  assert.deepEqual(copy, JSON.parse(text));
  copy.spec.containers[0].args.push('more');
  copy.metadata.labels.app = 'other';
  assert.equal(JSON.stringify(parsed), text);
});

test('"__proto__" stays an own member, as JSON.parse leaves it', () => {
  const parsed = JSON.parse('{"spec":{"__proto__":{"polluted":true},"a":1}}');
  const copy = cloneJSON(parsed);
  assert.equal(Object.getPrototypeOf(copy.spec), Object.prototype);
  assert.deepEqual(Object.keys(copy.spec), ['__proto__', 'a']);
  assert.equal(JSON.stringify(copy), JSON.stringify(parsed));
  assert.equal(({} as any).polluted, undefined);
});

test('the stored form: kind, apiVersion, metadata first, no resourceVersion, skipped members skipped', () => {
  const obj: any = { spec: { x: 1, y: undefined }, status: undefined, metadata: { resourceVersion: '5', name: 'n' }, apiVersion: 'v1', kind: 'K' };
  assert.equal(encodeStored(obj), '{"kind":"K","apiVersion":"v1","metadata":{"name":"n"},"spec":{"x":1}}');
  assert.equal(encodeStored(JSON.parse('{"__proto__":{"a":1},"kind":"K"}')), '{"kind":"K","__proto__":{"a":1}}');
  assert.equal(encodeStored({ kind: 'K' } as any), '{"kind":"K"}');
  assert.equal(obj.metadata.resourceVersion, '5');
});
