// Unit tests for the in-place equality the controllers compare templates and endpoints with
// (pure logic): equal exactly when the canonical forms are, without encoding either side.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { equalIgnoreHash } from '../../src/controllers/deployment/deployment-controller.js';
import { deepEqual } from '../../src/controllers/util/hash.js';

const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }], restartPolicy: 'Always' } });

describe('template equality', () => {
  it('ignores key order and keys holding null or undefined, not values, types or array order', () => {
    assert.ok(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }));
    assert.ok(deepEqual({ a: 1, b: null, c: undefined }, { a: 1 }));
    assert.ok(!deepEqual({ a: 1 }, { a: '1' }));
    assert.ok(!deepEqual({ a: [1, 2] }, { a: [2, 1] }));
    assert.ok(!deepEqual({ a: [1] }, { a: [1, 1] }));
    assert.ok(!deepEqual({ a: {} }, { a: [] }));
    assert.ok(!deepEqual({ a: 1, b: 2 }, { a: 1, c: 2 }));
    assert.ok(!deepEqual({ a: { b: 1 } }, { a: { b: 1, c: 0 } }));
  });

  it('a ReplicaSet template equals its Deployment template but for pod-template-hash, and neither is changed', () => {
    const d = template({ app: 'web' });
    const rs = template({ app: 'web', 'pod-template-hash': '5d4f8c' });
    assert.ok(equalIgnoreHash(rs, d));
    assert.equal(rs.metadata.labels['pod-template-hash'], '5d4f8c');
    assert.ok(!equalIgnoreHash(template({ app: 'web', 'pod-template-hash': 'x', tier: 'a' }), d));
    const other = template({ app: 'web' });
    other.spec.containers[0].image = 'busybox:1.36';
    assert.ok(!equalIgnoreHash(rs, other));
  });
});
