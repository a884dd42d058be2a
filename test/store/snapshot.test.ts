// Snapshots of tskube etcd: `etcdctl snapshot save` over gRPC, then `tskube etcd snapshot
// status|restore`, a server started from the restored dir, and damaged snapshots refused
// with nothing written to the target dir.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ok } from './harness/etcdctl.js';
import { tskubeMain } from './harness/repo-root.js';
import { run } from './harness/run-process.js';
import { StoreProcess } from './harness/store-process.js';
import { forEachTarget } from './harness/suite.js';
import { selectedTargets } from './harness/targets.js';

const b = (s: string): Buffer => Buffer.from(s);

/** A damaged file gets a short message saying so — not a crash with a stack trace. */
function clearError(stderr: string): void {
  assert.match(stderr, /truncated|corrupt|damaged|checksum|bad header|not a .*snapshot/i);
  assert.doesNotMatch(stderr, /^\s+at /m, `stack trace instead of an error message:\n${stderr}`);
}
const tskubeSnapshot = (...args: string[]) => run(process.execPath, [tskubeMain, 'etcd', 'snapshot', ...args]);

forEachTarget(
  (ctx) => {
    let dir = '';
    let snap = '';
    let headRev = 0;
    const started: StoreProcess[] = [];
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'store-snapshot-'));
      snap = join(dir, 'snap.db');
      const kv = ctx.store.client().kv;
      for (let i = 0; i < 20; i++) await kv.put({ key: b(`sn/${String(i).padStart(2, '0')}`), value: b(`v${i}`) });
      await kv.deleteRange({ key: b('sn/19') });
      headRev = Number((await kv.put({ key: b('sn/00'), value: b('rewritten') })).header.revision);
    });
    after(async () => {
      for (const s of started) await s.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('etcdctl snapshot save writes the snapshot', async () => {
      const res = await ctx.store.etcdctl(['snapshot', 'save', snap]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `Snapshot saved at ${snap}\n`);
      assert.ok(statSync(snap).size > 0);
      assert.ok(!existsSync(`${snap}.part`));
    });

    test('tskube etcd snapshot status reports hash, revision, keys and size', async () => {
      const simple = ok(await tskubeSnapshot('status', snap));
      const m = /^([0-9a-f]+), (\d+), (\d+), (\d+(?:\.\d+)? [kMG]?B)\n$/.exec(simple);
      assert.ok(m, simple);
      assert.equal(Number(m[2]), headRev);
      const j = JSON.parse(ok(await tskubeSnapshot('status', snap, '-w', 'json'))) as { hash: number; revision: number; totalKey: number; totalSize: number };
      assert.equal(j.revision, headRev);
      assert.equal(j.hash.toString(16), m[1]);
      assert.ok(j.totalKey >= 19, JSON.stringify(j));
      assert.ok(j.totalSize > 0);
    });

    test('restore into a new dir, start from it: same keys, same revision, writes continue', async () => {
      const target = join(dir, 'restored');
      ok(await tskubeSnapshot('restore', snap, '--data-dir', target));
      const s = await StoreProcess.start('tskube', { dataDir: target });
      started.push(s);
      const got = JSON.parse(ok(await s.etcdctl(['get', 'sn/', '--prefix', '-w', 'json']))) as { header: { revision: number }; count: number; kvs: { key: string; value: string; version: number }[] };
      assert.equal(got.header.revision, headRev);
      assert.equal(got.count, 19);
      assert.equal(Buffer.from(got.kvs[0]!.value, 'base64').toString(), 'rewritten');
      assert.equal(got.kvs[0]!.version, 2);
      // the history came along too
      assert.equal(ok(await s.etcdctl(['get', 'sn/19', `--rev=${headRev - 2}`, '--print-value-only'])), 'v19\n');
      const next = await s.client().kv.put({ key: b('sn/new'), value: b('x') });
      assert.equal(Number(next.header.revision), headRev + 1);
    });

    test('restore refuses an existing data dir and leaves it alone', async () => {
      const target = join(dir, 'occupied');
      mkdirSync(target);
      writeFileSync(join(target, 'mine'), 'keep');
      const res = await tskubeSnapshot('restore', snap, '--data-dir', target);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /exists/);
      assert.deepEqual(readdirSync(target), ['mine']);
    });

    const damaged = (name: string, mangle: (data: Buffer) => Buffer): void => {
      test(`a ${name} snapshot is refused and nothing is written`, async () => {
        const bad = join(dir, `${name}.db`);
        writeFileSync(bad, mangle(readFileSync(snap)));
        const target = join(dir, `from-${name}`);
        const res = await tskubeSnapshot('restore', bad, '--data-dir', target);
        assert.notEqual(res.code, 0, res.stdout);
        clearError(res.stderr);
        assert.ok(!existsSync(target), `restore left ${target} behind: ${existsSync(target) ? readdirSync(target).join(',') : ''}`);
        const st = await tskubeSnapshot('status', bad);
        assert.notEqual(st.code, 0, st.stdout);
        clearError(st.stderr);
      });
    };
    damaged('truncated', (d) => d.subarray(0, Math.floor(d.length * 0.6)));
    damaged('corrupted', (d) => {
      const c = Buffer.from(d);
      const at = Math.floor(c.length / 2);
      c[at] = c[at]! ^ 0xff;
      return c;
    });
    damaged('empty', () => Buffer.alloc(0));
  },
  { targets: selectedTargets().filter((t) => t === 'tskube') },
);
