// cloneJSON and servedCopy: the registry's copy of a cached object, and the watch cache's entry
// for an object the server just wrote, must be what parsing the text again gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneJSON, NotPlainJSON } from '../../src/api/json/json-clone.js';
import { encodeStored, servedCopy, spliceResourceVersion } from '../../src/apiserver/storage/object-json.js';

const text = JSON.stringify({
  kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '7', labels: { '1': 'x', app: 'web' } },
  spec: { containers: [{ name: 'c', args: ['a', '', 0, -1.5, true, null, [], {}] }], nodeName: null }, status: {},
});

/** Equal as values and as text (key order). */
function sameAsParse(got: unknown, want: unknown): void {
  assert.deepEqual(got, want);
  assert.equal(JSON.stringify(got), JSON.stringify(want));
}

test('a clone equals a fresh parse, key order included, and shares nothing with the original', () => {
  const parsed = JSON.parse(text);
  const copy = cloneJSON(parsed);
  assert.equal(JSON.stringify(copy), text);
  sameAsParse(copy, JSON.parse(text));
  copy.spec.containers[0].args.push('more');
  copy.metadata.labels.app = 'other';
  assert.equal(JSON.stringify(parsed), text);
});

test('what JSON leaves out or rewrites is left out or rewritten', () => {
  const odd = { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, NaN, Infinity, -0, 1], e: -0, f: { g: undefined }, 2: 'two', 1: 'one' };
  const copy = cloneJSON(odd);
  sameAsParse(copy, JSON.parse(JSON.stringify(odd)));
  assert.equal(Object.is((copy as any).e, 0), true);
  assert.throws(() => cloneJSON({ when: new Date(0) }), NotPlainJSON);
  assert.throws(() => cloneJSON({ s: new String('x') }), NotPlainJSON);
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

test('servedCopy is JSON.parse of the served JSON of what was stored', () => {
  const objects: any[] = [
    JSON.parse(text),
    { spec: { b: 1, a: [undefined, NaN] }, metadata: { name: 'x', resourceVersion: '3', annotations: { z: '1', a: '2' }, managedFields: undefined }, kind: 'Deployment', apiVersion: 'apps/v1' },
    { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: {}, note: 'n', deprecatedCount: 0, series: undefined },
    { apiVersion: 'v1', metadata: { name: 'no-kind' }, data: { '10': 'a', '9': 'b', x: 'c' } },
    { kind: 'K', apiVersion: 'v1', metadata: { name: 'p', resourceVersion: undefined, generation: -0 }, __proto__: null, status: { n: 1 } },
  ];
  for (const [i, obj] of objects.entries()) {
    const json = spliceResourceVersion(encodeStored(obj), 100 + i);
    assert.ok(json, `object ${i} has the spliceable layout`);
    sameAsParse(servedCopy(obj, 100 + i), JSON.parse(json));
  }
});
