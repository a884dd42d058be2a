// Leases through etcdctl and raw gRPC: grant (minimum TTL), keep-alive (once and as a
// long-running stream), time-to-live with
// keys, list, revoke and expiry deleting attached keys, and the not-found errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { decimalToHex, hexToDecimal, leaseFromGrant } from './harness/lease-id.js';
import { forEachTarget } from './harness/suite.js';

const b = (s: string): Buffer => Buffer.from(s);

forEachTarget((ctx) => {
  const grant = async (ttl: number): Promise<string> => leaseFromGrant(ok(await ctx.store.etcdctl(['lease', 'grant', String(ttl)])));

  test('grant prints the hex id and TTL; short TTLs are raised to the minimum', async () => {
    assert.match(ok(await ctx.store.etcdctl(['lease', 'grant', '100'])), /^lease [0-9a-f]{1,16} granted with TTL\(100s\)\n$/);
    assert.match(ok(await ctx.store.etcdctl(['lease', 'grant', '1'])), /^lease [0-9a-f]+ granted with TTL\(2s\)\n$/);
    assert.equal(
      errorLine(await ctx.store.etcdctl(['lease', 'grant', '9000000001'])),
      'Error: failed to grant lease (etcdserver: too large lease TTL)',
    );
  });

  test('a caller-chosen id is kept; granting it twice is refused', async () => {
    const lc = ctx.store.client().leaseClient;
    const res = await lc.leaseGrant({ TTL: 60, ID: 4242 });
    assert.equal(res.ID, '4242');
    assert.equal(res.TTL, '60');
    await assert.rejects(lc.leaseGrant({ TTL: 60, ID: 4242 }), { message: '9 FAILED_PRECONDITION: etcdserver: lease already exists' });
    assert.match(ok(await ctx.store.etcdctl(['lease', 'timetolive', decimalToHex(4242)])), /^lease 0000000000001092 granted with TTL\(60s\), remaining\(\d+s\)\n$/);
  });

  test('timetolive --keys lists the attached keys; list shows every live lease', async () => {
    const id = await grant(300);
    for (const k of ['ls1/a', 'ls1/b']) ok(await ctx.store.etcdctl(['put', k, 'v', `--lease=${id}`]));
    const out = ok(await ctx.store.etcdctl(['lease', 'timetolive', id, '--keys']));
    const m = /^lease ([0-9a-f]+) granted with TTL\(300s\), remaining\((\d+)s\), attached keys\(\[(.*)\]\)\n$/.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], id);
    assert.ok(Number(m[2]) > 290 && Number(m[2]) <= 300, out);
    assert.deepEqual(m[3]!.split(' ').sort(), ['ls1/a', 'ls1/b']);
    const list = ok(await ctx.store.etcdctl(['lease', 'list']));
    const listed = list.split('\n').slice(1).filter(Boolean);
    assert.match(list, /^found \d+ leases\n/);
    assert.equal(Number(/^found (\d+)/.exec(list)![1]), listed.length);
    assert.ok(listed.includes(id), list);
    const ttl = await ctx.store.client().leaseClient.leaseTimeToLive({ ID: hexToDecimal(id), keys: true });
    assert.equal(ttl.grantedTTL, '300');
    assert.deepEqual(ttl.keys.map((k) => k.toString()).sort(), ['ls1/a', 'ls1/b']);
  });

  test('keep-alive --once renews the lease', async () => {
    const id = await grant(120);
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'keep-alive', '--once', id])), `lease ${id} keepalived with TTL(120)\n`);
  });

  test('a keep-alive stream holds a lease past its TTL; once it stops the lease expires', async () => {
    const id = await grant(3);
    ok(await ctx.store.etcdctl(['put', 'ls6/k', 'v', `--lease=${id}`]));
    const started = Date.now();
    // etcdctl renews every TTL/3 seconds on one stream and prints each renewal
    const res = await ctx.store.etcdctl(['lease', 'keep-alive', id], {
      stopWhen: (out) => out.split('\n').filter((l) => l.includes('keepalived')).length >= 6,
      timeoutMs: 20_000,
    });
    assert.ok(Date.now() - started > 4_000, `stopped after ${Date.now() - started} ms`);
    assert.match(res.stdout, new RegExp(`^(lease ${id} keepalived with TTL\\(3\\)\n){6,}`));
    assert.equal(ok(await ctx.store.etcdctl(['get', 'ls6/k', '--print-value-only'])), 'v\n');
    assert.match(ok(await ctx.store.etcdctl(['lease', 'timetolive', id])), /remaining\([1-3]s\)/);
    const deadline = Date.now() + 15_000;
    while (ok(await ctx.store.etcdctl(['get', 'ls6/k'])) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'timetolive', id])), `lease ${id} already expired\n`);
  });

  test('revoke deletes the attached keys; a revoked lease is not found', async () => {
    const id = await grant(300);
    ok(await ctx.store.etcdctl(['put', 'ls2/k', 'v', `--lease=${id}`]));
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'revoke', id])), `lease ${id} revoked\n`);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'ls2/k'])), '');
    assert.equal(errorLine(await ctx.store.etcdctl(['lease', 'revoke', id])), 'Error: failed to revoke lease (etcdserver: requested lease not found)');
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'timetolive', id])), `lease ${id} already expired\n`);
    assert.equal(errorLine(await ctx.store.etcdctl(['lease', 'keep-alive', '--once', id])), 'Error: etcdserver: requested lease not found');
    const ttl = await ctx.store.client().leaseClient.leaseTimeToLive({ ID: hexToDecimal(id), keys: true });
    assert.equal(ttl.TTL, '-1');
    assert.deepEqual(ttl.keys, []);
    assert.ok(!ok(await ctx.store.etcdctl(['lease', 'list'])).includes(id));
  });

  test('an expired lease deletes its keys', async () => {
    const id = await grant(1);
    ok(await ctx.store.etcdctl(['put', 'ls3/k', 'v', `--lease=${id}`]));
    ok(await ctx.store.etcdctl(['put', 'ls3/keep', 'v']));
    const deadline = Date.now() + 15_000;
    while (ok(await ctx.store.etcdctl(['get', 'ls3/k'])) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(ok(await ctx.store.etcdctl(['get', 'ls3/', '--prefix', '--keys-only'])), 'ls3/keep\n\n');
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'timetolive', id])), `lease ${id} already expired\n`);
  });

  test('leases survive a restart with their keys', async () => {
    const id = await grant(600);
    ok(await ctx.store.etcdctl(['put', 'ls4/k', 'v', `--lease=${id}`]));
    await ctx.store.restart();
    assert.match(ok(await ctx.store.etcdctl(['lease', 'timetolive', id, '--keys'])), /granted with TTL\(600s\), remaining\(\d+s\), attached keys\(\[ls4\/k\]\)/);
    assert.equal(ok(await ctx.store.etcdctl(['lease', 'revoke', id])), `lease ${id} revoked\n`);
    assert.equal(ok(await ctx.store.etcdctl(['get', 'ls4/k'])), '');
  });

  test('putting with a revoked lease is refused', async () => {
    const id = await grant(60);
    ok(await ctx.store.etcdctl(['lease', 'revoke', id]));
    assert.equal(errorLine(await ctx.store.etcdctl(['put', 'ls5/k', 'v', `--lease=${id}`])), 'Error: etcdserver: requested lease not found');
    await assert.rejects(ctx.store.client().kv.put({ key: b('ls5/k'), value: b('v'), lease: hexToDecimal(id) }), {
      message: /\b5 NOT_FOUND: etcdserver: requested lease not found\b/,
    });
  });
});
