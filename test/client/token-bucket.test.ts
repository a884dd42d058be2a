// The client-side QPS/burst limiter and the informer cache's indices, as pure logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreCache } from '../../src/client/store-cache.js';
import { TokenBucket } from '../../src/client/token-bucket.js';

test('token bucket: burst at once, then one token per 1/qps; refills while idle, never above burst', () => {
  let now = 0;
  const b = new TokenBucket(5, 10, () => now);
  for (let i = 0; i < 10; i++) assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 200);
  assert.equal(b.reserve(), 400);
  now = 10_000; // long idle: the debt is repaid and the bucket is full again, not fuller
  for (let i = 0; i < 10; i++) assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 200);
  const unlimited = new TokenBucket(0, 0, () => now);
  for (let i = 0; i < 1000; i++) assert.equal(unlimited.reserve(), 0);
  const fast = new TokenBucket(1000, 1000, () => now);
  for (let i = 0; i < 1000; i++) fast.reserve();
  assert.equal(fast.reserve(), 1, 'high limits for 500 pods/s controllers work too');
});

test('token bucket wait() resolves after its reserved delay and rejects on abort', async () => {
  const b = new TokenBucket(20, 1);
  await b.wait();
  const t0 = performance.now();
  await b.wait();
  assert.ok(performance.now() - t0 >= 35, 'second token waited for the refill');
  const ac = new AbortController();
  const p = b.wait(ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
});

test('store cache: indices follow set/delete, custom indexers apply to existing items', () => {
  const cache = new StoreCache<{ metadata: { name: string; namespace?: string }; spec?: { nodeName?: string } }>();
  cache.set({ metadata: { name: 'a', namespace: 'ns1' }, spec: { nodeName: 'n1' } });
  cache.set({ metadata: { name: 'b', namespace: 'ns1' }, spec: { nodeName: 'n2' } });
  cache.set({ metadata: { name: 'c', namespace: 'ns2' } });
  cache.addIndexers({ node: (o) => (o.spec?.nodeName ? [o.spec.nodeName] : []) });
  assert.deepEqual(cache.indexKeys('namespace', 'ns1').sort(), ['ns1/a', 'ns1/b']);
  assert.deepEqual(cache.indexKeys('node', 'n1'), ['ns1/a']);
  cache.set({ metadata: { name: 'a', namespace: 'ns1' }, spec: { nodeName: 'n2' } });
  assert.deepEqual(cache.indexKeys('node', 'n1'), []);
  assert.deepEqual(cache.indexKeys('node', 'n2').sort(), ['ns1/a', 'ns1/b']);
  assert.deepEqual(cache.indexValues('node'), ['n2']);
  cache.delete('ns1/b');
  assert.deepEqual(cache.byIndex('node', 'n2').map((o) => o.metadata.name), ['a']);
  assert.equal(cache.size, 2);
  assert.throws(() => cache.byIndex('nope', 'x'), /index "nope" does not exist/);
});
