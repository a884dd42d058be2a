// The Watch stream's send queue: one message in flight; events that arrive meanwhile join
// their watcher's waiting message (whole revisions, in order), never across another message
// of the same watcher (created, canceled, progress), and within etcd's batch bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WatchSendQueue } from '../../../src/store/server/watch-send-queue.js';
import type { Wire } from '../../../src/store/server/wire.js';

const ev = (rev: number, size = 10): Wire => ({ type: 'PUT', kv: { key: Buffer.from(`k${rev}`), value: Buffer.alloc(size), mod_revision: String(rev) } });
const events = (id: number, ...revs: number[]): Wire => ({ header: { revision: String(revs[revs.length - 1]) }, watch_id: String(id), events: revs.map((r) => ev(r)) });
const revsOf = (m: Wire) => (m.events ?? []).map((e: Wire) => Number(e.kv.mod_revision));

/** A queue whose writes complete only when the test says so. */
function harness() {
  const sent: Wire[] = [];
  const pending: Array<() => void> = [];
  const q = new WatchSendQueue((resp, done) => { sent.push(resp); pending.push(done); });
  const complete = () => pending.shift()!();
  return { q, sent, complete };
}

describe('WatchSendQueue', () => {
  it('sends at once when nothing is in flight, and merges what arrives meanwhile per watcher', () => {
    const { q, sent, complete } = harness();
    q.events(events(1, 10));
    assert.equal(sent.length, 1);
    q.events(events(1, 11));
    q.events(events(2, 12));
    q.events(events(1, 13));
    q.events(events(2, 14));
    assert.equal(sent.length, 1, 'nothing more goes out before the first write completes');
    complete();
    assert.deepEqual(revsOf(sent[1]), [11, 13]);
    assert.equal(sent[1].watch_id, '1');
    assert.equal(sent[1].header.revision, '13', 'the merged message carries the newest revision');
    complete();
    assert.deepEqual(revsOf(sent[2]), [12, 14]);
    complete();
    assert.equal(sent.length, 3);
    assert.equal(q.waiting, 0);
  });

  it('never moves events of a watcher ahead of its own other messages', () => {
    const { q, sent, complete } = harness();
    q.other({ watch_id: '0', created: true, header: { revision: '5' } });
    q.events(events(0, 6));
    q.other({ watch_id: '0', header: { revision: '6' } }); // a progress notification
    q.events(events(0, 7));
    q.other({ watch_id: '0', canceled: true, header: { revision: '7' } });
    q.events(events(0, 8)); // (a new watcher reusing the id)
    while (sent.length < 6) complete();
    assert.deepEqual(sent.map((m) => (m.events ? `ev${revsOf(m).join(',')}` : m.created ? 'created' : m.canceled ? 'canceled' : 'progress')),
      ['created', 'ev6', 'progress', 'ev7', 'canceled', 'ev8']);
  });

  it('does not merge a message being written, and starts a new one past the batch bound', () => {
    const { q, sent, complete } = harness();
    q.events(events(1, 1));
    q.events(events(1, 2)); // waits: the first is in flight and is not extended
    assert.deepEqual(revsOf(sent[0]), [1]);
    for (let r = 3; r < 1005; r++) q.events(events(1, r));
    complete();
    complete();
    complete();
    const all = sent.flatMap(revsOf);
    assert.deepEqual(all, Array.from({ length: 1004 }, (_, i) => i + 1), 'every revision once, in order');
    assert.ok(sent.every((m) => m.events.length <= 1000));
    assert.equal(sent.length, 3);
  });

  it('bounds a merged message by its values\' bytes', () => {
    const { q, sent, complete } = harness();
    q.other({ watch_id: '1', created: true });
    const big = (rev: number): Wire => ({ header: { revision: String(rev) }, watch_id: '1', events: [ev(rev, 400_000)] });
    for (let r = 1; r <= 6; r++) q.events(big(r));
    while (q.waiting) complete();
    const sizes = sent.slice(1).map((m) => m.events.length);
    assert.deepEqual(sizes.reduce((a, b) => a + b, 0), 6);
    assert.ok(sizes.every((n) => n <= 2), `at most ~1 MiB of values per message, got ${sizes}`);
  });
});
