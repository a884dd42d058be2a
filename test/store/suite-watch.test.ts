// Watch: many watchers multiplexed on one stream, history from a start revision, prev_kv,
// filters, cancel, the compacted-watch cancellation, lease-expiry deletes in one revision,
// progress notifications and requests, fragmented responses, and `etcdctl watch` output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { ok } from './harness/etcdctl.js';
import { hexToDecimal, leaseFromGrant } from './harness/lease-id.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);

interface Seen {
  type: 'put' | 'delete';
  key: string;
  value: string;
  mod: number;
  prev?: string;
}

/** Collects a watcher's events; `waitFor(n)` resolves once n have arrived. */
function collect(w: Watcher): { events: Seen[]; waitFor: (n: number, ms?: number) => Promise<Seen[]> } {
  const events: Seen[] = [];
  const waiters: (() => void)[] = [];
  const push = (type: Seen['type']) => (kv: IKeyValue, prev?: IKeyValue) => {
    events.push({ type, key: kv.key.toString(), value: kv.value.toString(), mod: Number(kv.mod_revision), prev: prev?.value.toString() });
    waiters.splice(0).forEach((f) => f());
  };
  w.on('put', push('put'));
  w.on('delete', push('delete'));
  const waitFor = async (n: number, ms = 10_000): Promise<Seen[]> => {
    const deadline = Date.now() + ms;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${JSON.stringify(events)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return events;
  };
  return { events, waitFor };
}

/** a raw watch stream that records every response */
async function rawStream(client: Etcd3) {
  const stream = await client.watchClient.watch();
  const responses: IWatchResponse[] = [];
  stream.on('data', (r: IWatchResponse) => responses.push(r));
  const until = async (pred: () => boolean, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; responses so far: ${JSON.stringify(responses.map(brief))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { stream, responses, until };
}

const brief = (r: IWatchResponse) => ({ id: r.watch_id, rev: r.header.revision, created: r.created, events: r.events.length, fragment: r.fragment });
const isProgress = (r: IWatchResponse) => !r.created && !r.canceled && r.events.length === 0;

/** every event at or below a progress notification's revision was sent before it */
function assertProgressNeverAhead(responses: IWatchResponse[]): void {
  const mods = responses.flatMap((r) => r.events.map((e) => Number(e.kv.mod_revision)));
  let sent = 0;
  for (const r of responses) {
    if (isProgress(r)) {
      const rev = Number(r.header.revision);
      const behind = mods.slice(sent).filter((m) => m <= rev);
      assert.deepEqual(behind, [], `progress at revision ${rev} arrived before events ${behind.join(',')}: ${JSON.stringify(responses.map(brief))}`);
    }
    sent += r.events.length;
  }
}

// etcd's default is 10 minutes; both servers accept the experimental flag that shortens it
const PROGRESS_INTERVAL = ['--experimental-watch-progress-notify-interval', '300ms'];

forEachTarget((ctx) => {
  const kv = () => ctx.store.client().kv;
  const put = async (k: string, v: string): Promise<number> => Number((await kv().put({ key: b(k), value: b(v) })).header.revision);

  test('many watchers on one client share a stream and each sees only its key', async () => {
    const client = ctx.store.client();
    const n = 24;
    const watchers = await Promise.all(Array.from({ length: n }, (_, i) => client.watch().key(`w1/${i}`).create()));
    const sinks = watchers.map(collect);
    for (let i = 0; i < n; i++) await put(`w1/${i}`, `v${i}`);
    for (let i = 0; i < n; i++) {
      const got = await sinks[i]!.waitFor(1);
      assert.deepEqual(got.map((e) => [e.type, e.key, e.value]), [['put', `w1/${i}`, `v${i}`]]);
    }
    await Promise.all(watchers.map((w) => w.cancel()));
  });

  test('a watch from an old revision replays the history in order, then goes live', async () => {
    const start = await put('w2/k', 'a');
    await put('w2/k', 'b');
    await kv().deleteRange({ key: b('w2/k') });
    const w = await ctx.store.client().watch().prefix('w2/').startRevision(String(start)).create();
    const sink = collect(w);
    const live = await sink.waitFor(3);
    assert.deepEqual(live.map((e) => [e.type, e.value, e.mod]), [['put', 'a', start], ['put', 'b', start + 1], ['delete', '', start + 2]]);
    await put('w2/k2', 'c');
    const all = await sink.waitFor(4);
    assert.deepEqual([all[3]!.key, all[3]!.mod], ['w2/k2', start + 3]);
    await w.cancel();
  });

  test('prev_kv carries the previous value of puts and deletes', async () => {
    await put('w3/k', 'old');
    const w = await ctx.store.client().watch().key('w3/k').withPreviousKV().create();
    const sink = collect(w);
    await put('w3/k', 'new');
    await kv().deleteRange({ key: b('w3/k') });
    const got = await sink.waitFor(2);
    assert.deepEqual(got.map((e) => [e.type, e.value, e.prev]), [['put', 'new', 'old'], ['delete', '', 'new']]);
    await w.cancel();
  });

  test('filters drop puts or deletes', async () => {
    // raw WatchCreateRequest filters: etcd3's builder names them confusingly
    const stream = await ctx.store.client().watchClient.watch();
    const got: Record<string, string[]> = {};
    let created = 0;
    stream.on('data', (r: IWatchResponse) => {
      if (r.created) created++;
      for (const e of r.events) (got[r.watch_id] ??= []).push(`${e.type}:${e.kv.key.toString()}`);
    });
    try {
      stream.write({ create_request: { key: b('w4/'), range_end: b('w40'), filters: ['Noput'] } });
      stream.write({ create_request: { key: b('w4/'), range_end: b('w40'), filters: ['Nodelete'] } });
      for (let i = 0; i < 200 && created < 2; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(created, 2);
      await put('w4/k', '1');
      await kv().deleteRange({ key: b('w4/k') });
      await put('w4/end', 'x');
      const deadline = Date.now() + 10_000;
      while ((got['0']?.length ?? 0) + (got['1']?.length ?? 0) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(got, { '0': ['Delete:w4/k'], '1': ['Put:w4/k', 'Put:w4/end'] });
    } finally {
      stream.cancel();
    }
  });

  test('a cancelled watcher gets no more events; its neighbour on the stream still does', async () => {
    const client = ctx.store.client();
    const gone = await client.watch().key('w5/k').create();
    const stays = await client.watch().key('w5/k').create();
    const g = collect(gone);
    const s = collect(stays);
    await put('w5/k', '1');
    await g.waitFor(1);
    await gone.cancel();
    await put('w5/k', '2');
    await s.waitFor(2);
    assert.equal(g.events.length, 1);
    await stays.cancel();
  });

  test('expiring a lease deletes its keys in one revision, seen as one watch response', async () => {
    const lease = hexToDecimal(leaseFromGrant(ok(await ctx.store.etcdctl(['lease', 'grant', '1']))));
    const w = await ctx.store.client().watch().prefix('w6/').create();
    const responses: { events: { type: string; kv: IKeyValue }[] }[] = [];
    w.on('data', (res) => responses.push(res as unknown as (typeof responses)[number]));
    const sink = collect(w);
    for (const k of ['a', 'b', 'c']) await kv().put({ key: b(`w6/${k}`), value: b(k), lease });
    await sink.waitFor(3);
    const dels = (await sink.waitFor(6, 15_000)).slice(3);
    assert.deepEqual(dels.map((e) => [e.type, e.key]), [['delete', 'w6/a'], ['delete', 'w6/b'], ['delete', 'w6/c']]);
    assert.equal(new Set(dels.map((e) => e.mod)).size, 1);
    assert.ok(dels[0]!.mod > sink.events[2]!.mod);
    const delResponse = responses.find((r) => r.events.some((e) => e.type === 'Delete'));
    assert.equal(delResponse?.events.length, 3);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'w6/', '--prefix'])), '');
    await w.cancel();
  });

  test('etcdctl watch prints events (with --prev-kv) from a start revision', async () => {
    const start = await put('w7/k', 'x');
    await put('w7/k', 'y');
    await kv().deleteRange({ key: b('w7/k') });
    const expected = 'PUT\nw7/k\nx\nPUT\nw7/k\nx\nw7/k\ny\nDELETE\nw7/k\ny\nw7/k\n\n';
    const res = await ctx.store.etcdctl(['watch', 'w7/k', '--prev-kv', `--rev=${start}`], {
      stopWhen: (out) => out.length >= expected.length,
      timeoutMs: 10_000,
    });
    assert.equal(res.stdout, expected);
  });

  test('a watch from a compacted revision is created, then cancelled with compact_revision', async () => {
    const first = await put('w8/k', '1');
    await put('w8/k', '2');
    const head = await put('w8/k', '3');
    ok(await ctx.store.etcdctl(['compaction', String(head)]));
    const client = ctx.store.client();
    const stream = await client.watchClient.watch();
    const responses: IWatchResponse[] = [];
    stream.on('data', (r: IWatchResponse) => responses.push(r));
    stream.write({ create_request: { key: b('w8/k'), start_revision: first } });
    const deadline = Date.now() + 10_000;
    while (!responses.some((r) => r.canceled) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stream.cancel();
    const cancel = responses.find((r) => r.canceled);
    assert.ok(cancel, JSON.stringify(responses));
    assert.equal(cancel.compact_revision, String(head));
    assert.deepEqual(cancel.events, []);
    // etcdctl reports it the way clientv3 does
    const res = await ctx.store.etcdctl(['watch', 'w8/k', `--rev=${first}`], { timeoutMs: 10_000 });
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /watch was canceled \(etcdserver: mvcc: required revision has been compacted\)/);
  });

  test('progress_notify tells a quiet watcher the current revision; a progress request answers watch_id -1', async () => {
    const { stream, responses, until } = await rawStream(ctx.store.client());
    try {
      stream.write({ create_request: { key: b('w9/k'), progress_notify: true } });
      stream.write({ create_request: { key: b('w9/other') } });
      await until(() => responses.filter((r) => r.created).length === 2);
      const head = await put('w10/unwatched', 'x');
      // the periodic notification names the watcher and carries the newest revision
      await until(() => responses.some((r) => r.watch_id === '0' && isProgress(r) && Number(r.header.revision) >= head));
      assert.ok(!responses.some((r) => r.watch_id === '1' && isProgress(r)), 'a watcher without progress_notify gets no notifications');
      const before = responses.length;
      stream.write({ progress_request: {} });
      await until(() => responses.slice(before).some((r) => r.watch_id === '-1'));
      const answer = responses.slice(before).find((r) => r.watch_id === '-1')!;
      assert.ok(isProgress(answer));
      assert.equal(Number(answer.header.revision), head);
    } finally {
      stream.cancel();
    }
  });

  test('a progress notification never runs ahead of the history a watcher is replaying', async () => {
    // more revisions than tskube replays in one turn (1000), so the replay takes turns
    const n = 1100;
    const start = await put('w11/k', '0');
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < n) await put(`w11/k${next++ % 50}`, 'v');
    }));
    const { stream, responses, until } = await rawStream(ctx.store.client());
    try {
      stream.write({ create_request: { key: b('w11/'), range_end: b('w110'), start_revision: start, progress_notify: true } });
      // etcd 3.4.23 answers progress requests at once even while a watcher replays history
      // (etcd-io/etcd#15220, fixed in later releases); tskube follows the fix
      if (ctx.target === 'tskube') stream.write({ progress_request: {} });
      await until(() => responses.reduce((sum, r) => sum + r.events.length, 0) === n + 1);
      await until(() => responses.filter(isProgress).length >= (ctx.target === 'tskube' ? 2 : 1));
      assertProgressNeverAhead(responses);
    } finally {
      stream.cancel();
    }
  });

  test('fragment splits one revision\'s events into parts under the request limit', async () => {
    // three 900 kB values: their deletion with prev_kv is one revision of about 2.7 MB,
    // over the 1.5 MiB --max-request-bytes plus gRPC's 512 KiB allowance
    const big = 'f'.repeat(900_000);
    for (const k of ['a', 'b', 'c']) await put(`w12/${k}`, big);
    const { stream, responses, until } = await rawStream(ctx.store.client());
    try {
      stream.write({ create_request: { key: b('w12/'), range_end: b('w120'), prev_kv: true, fragment: true } });
      stream.write({ create_request: { key: b('w12/'), range_end: b('w120'), prev_kv: true } });
      await until(() => responses.filter((r) => r.created).length === 2);
      await kv().deleteRange({ key: b('w12/'), range_end: b('w120') });
      const count = (id: string) => responses.filter((r) => r.watch_id === id).reduce((n, r) => n + r.events.length, 0);
      await until(() => count('0') === 3 && count('1') === 3);
      const parts = responses.filter((r) => r.watch_id === '0' && r.events.length > 0);
      assert.deepEqual(parts.map((r) => [r.events.length, r.fragment]), [[2, true], [1, false]]);
      assert.deepEqual(parts.flatMap((r) => r.events.map((e) => [e.kv.key.toString(), e.prev_kv!.value.length])), [['w12/a', 900_000], ['w12/b', 900_000], ['w12/c', 900_000]]);
      assert.equal(new Set(parts.map((r) => r.header.revision)).size, 1);
      const whole = responses.filter((r) => r.watch_id === '1' && r.events.length > 0);
      assert.deepEqual(whole.map((r) => [r.events.length, r.fragment]), [[3, false]]);
    } finally {
      stream.cancel();
    }
  });
}, { start: { extraArgs: PROGRESS_INTERVAL } });
