// The work queue's client-go guarantees, checked as pure logic (no servers involved).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from '../../src/client/rate-limiters.js';
import { WorkQueue, runWorkers } from '../../src/client/work-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

test('a key queued several times before processing is handed out once', async () => {
  const q = new WorkQueue<string>();
  q.add('a'); q.add('b'); q.add('a'); q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
  q.done('a'); q.done('b');
  assert.equal(q.len(), 0);
});

test('a key added while being processed is re-queued on done, never handed out twice at once', async () => {
  const q = new WorkQueue<string>();
  q.add('k');
  const first = await q.get();
  assert.equal(first, 'k');
  q.add('k');
  assert.equal(q.len(), 0, 'dirty but processing: not queued yet');
  let second: string | undefined;
  void q.get().then((v) => { second = v; });
  await tick();
  assert.equal(second, undefined, 'a second worker must not get the key in process');
  q.done('k');
  await tick();
  assert.equal(second, 'k');
  assert.ok(q.isProcessing('k'));
  q.done('k');
  assert.equal(q.len(), 0);
});

test('workers never process one key concurrently, and every key gets processed', async () => {
  const q = new WorkQueue<string>();
  const active = new Set<string>();
  let overlaps = 0;
  const processed: string[] = [];
  const workers = runWorkers(q, 4, async (key) => {
    if (active.has(key)) overlaps++;
    active.add(key);
    await new Promise((r) => setTimeout(r, 2));
    processed.push(key);
    active.delete(key);
  });
  for (let round = 0; round < 20; round++) {
    for (const k of ['x', 'y', 'z']) q.add(k);
    await new Promise((r) => setTimeout(r, 1));
  }
  while (q.len() > 0 || ['x', 'y', 'z'].some((k) => q.isProcessing(k))) await new Promise((r) => setTimeout(r, 5));
  await q.shutDownWithDrain();
  await workers;
  assert.equal(overlaps, 0);
  for (const k of ['x', 'y', 'z']) assert.ok(processed.includes(k));
  assert.ok(processed.length < 60, 'adds while queued are deduplicated');
});

test('per-item exponential backoff doubles from 5 ms and caps at 1000 s; forget resets it', () => {
  const l = new ItemExponentialRateLimiter<string>();
  const delays = Array.from({ length: 6 }, () => l.when('a'));
  assert.deepEqual(delays, [5, 10, 20, 40, 80, 160]);
  assert.equal(l.numRequeues('a'), 6);
  assert.equal(l.when('b'), 5, 'items back off independently');
  for (let i = 0; i < 40; i++) l.when('a');
  assert.equal(l.when('a'), 1_000_000);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
});

test('the overall bucket lets a burst of 100 through, then spaces retries at 10 qps', () => {
  const b = new BucketRateLimiter<string>(10, 100);
  for (let i = 0; i < 100; i++) assert.equal(b.when(`k${i}`), 0);
  const d1 = b.when('k100');
  const d2 = b.when('k101');
  assert.ok(d1 > 90 && d1 <= 100, `first over-burst delay ${d1}`);
  assert.ok(d2 > 190 && d2 <= 200, `second over-burst delay ${d2}`);
  const max = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(10, 1));
  assert.equal(max.when('a'), 5);
  assert.ok(max.when('a') >= 90, 'the bucket dominates once drained');
});

test('addRateLimited delays the key by its backoff; numRequeues and forget track failures', async () => {
  const q = new WorkQueue<string>(defaultControllerRateLimiter());
  q.addRateLimited('a');
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 3);
  assert.equal(q.len(), 0, 'not queued before its delay');
  const started = Date.now();
  assert.equal(await q.get(), 'a');
  assert.ok(Date.now() - started < 1000);
  q.done('a');
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  q.shutDown();
});

test('addAfter keeps the earliest pending time and ignores later ones', async () => {
  const q = new WorkQueue<string>();
  q.addAfter('a', 60_000);
  q.addAfter('a', 10);
  q.addAfter('a', 30_000);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  q.shutDown();
});

test('shutDown drains queued keys, then get returns undefined; later adds are ignored', async () => {
  const q = new WorkQueue<string>();
  q.add('a'); q.add('b');
  const waiting = new WorkQueue<string>();
  const blocked = waiting.get();
  waiting.shutDown();
  assert.equal(await blocked, undefined, 'a blocked get wakes on shutdown');
  q.shutDown();
  q.add('c');
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(await q.get(), undefined);
  assert.ok(q.shuttingDownNow());
});

test('runWorkers re-queues a failing key with backoff and forgets it on success', async () => {
  const q = new WorkQueue<string>(new ItemExponentialRateLimiter(1, 50));
  let calls = 0;
  const requeuesSeen: number[] = [];
  const done = runWorkers(q, 2, (key) => {
    calls++;
    requeuesSeen.push(q.numRequeues(key));
    if (calls < 4) throw new Error('not yet');
  }, { log: () => {} });
  q.add('k');
  while (calls < 4) await new Promise((r) => setTimeout(r, 5));
  await tick();
  assert.deepEqual(requeuesSeen, [0, 1, 2, 3]);
  assert.equal(q.numRequeues('k'), 0);
  q.shutDown();
  await done;
});
