// The correlator's rules on a fake clock: the spam filter's bucket refills one event per
// 5 minutes, and similar events are aggregated only within 10 minutes of each other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { EventCorrelator } from '../../src/client/event-correlator.js';

const ev = (name: string, message: string): Event => ({
  metadata: { name: `${name}.1` }, involvedObject: { kind: 'Pod', namespace: 'd', name, uid: `u-${name}` },
  source: { component: 'kubelet', host: 'n1' }, reason: 'BackOff', type: 'Warning', message,
});

test('the spam filter allows 25 at once, then one per 5 minutes, per object', () => {
  let now = 0;
  const c = new EventCorrelator(() => now);
  const allowed = (name: string, n: number) => Array.from({ length: n }, () => c.correlate(ev(name, 'same'))).filter(Boolean).length;
  assert.equal(allowed('a', 30), 25);
  assert.equal(allowed('b', 3), 3, 'another object has its own bucket');
  now += 299_000;
  assert.equal(allowed('a', 1), 0);
  now += 1_000;
  assert.equal(allowed('a', 2), 1);
  now += 3_000_000;
  assert.equal(allowed('a', 12), 10, 'the bucket refilled up to 10 tokens');
});

test('the 10th distinct message within 10 minutes becomes the aggregate, counted under one key', () => {
  let now = 0;
  const c = new EventCorrelator(() => now);
  const out = Array.from({ length: 12 }, (_, i) => c.correlate(ev('p', `m${i}`))!);
  assert.deepEqual(out.slice(0, 9).map((o) => [o.event.message, o.key]), Array.from({ length: 9 }, (_, i) => [`m${i}`, undefined]));
  assert.equal(out[9].event.message, '(combined from similar events): m9');
  assert.ok(out[9].key);
  assert.equal(out[11].key, out[9].key);
  // A quiet 10 minutes starts over.
  now += 600_001;
  assert.equal(c.correlate(ev('p', 'later'))!.event.message, 'later');
});
