// NOSPACE: a write past --quota-backend-bytes raises the alarm; while armed, puts fail with
// etcd's "database space exceeded" (reads and deletes still work), /health reports false,
// the alarm survives a restart with a roomier quota, and etcdctl alarm disarm clears it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { forEachTarget } from './harness/suite.js';

const SPACE = 'Error: etcdserver: mvcc: database space exceeded';

forEachTarget(
  (ctx) => {
    test('a tiny quota raises NOSPACE; the alarm outlives a restart until disarmed', async () => {
      const s = ctx.store;
      let failed = '';
      for (let i = 0; i < 40 && !failed; i++) {
        const res = await s.etcdctl(['put', `fill/${i}`], { input: 'v'.repeat(40_000) });
        if (res.code !== 0) failed = errorLine(res);
      }
      assert.equal(failed, SPACE, 'puts must eventually exceed the 200 kB quota');
      assert.match(ok(await s.etcdctl(['alarm', 'list'])).trim(), /^memberID:\d+ alarm:NOSPACE$/);

      // while armed: small puts fail too; reads and deletes work; /health is false with 503
      assert.equal(errorLine(await s.etcdctl(['put', 'tiny', 'x'])), SPACE);
      assert.equal(ok(await s.etcdctl(['get', 'fill/0', '--keys-only'])).trim(), 'fill/0');
      assert.equal(ok(await s.etcdctl(['del', 'fill/0'])), '1\n');
      const health = await fetch(`${s.endpoint}/health`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { health: 'false' });

      // the alarm is durable: after a restart with a roomier quota puts still fail until disarmed
      await s.restart({ extraArgs: ['--quota-backend-bytes', '100000000'], acceptUnhealthy: true });
      if (ctx.target === 'tskube') assert.match(s.output(), /alarm NOSPACE is active/);
      assert.match(ok(await s.etcdctl(['alarm', 'list'])), /alarm:NOSPACE/);
      assert.equal(errorLine(await s.etcdctl(['put', 'tiny', 'x'])), SPACE);
      assert.match(ok(await s.etcdctl(['alarm', 'disarm'])), /alarm:NOSPACE/);
      assert.equal(ok(await s.etcdctl(['alarm', 'list'])).trim(), '');
      ok(await s.etcdctl(['put', 'tiny', 'x']));
      assert.equal((await fetch(`${s.endpoint}/health`)).status, 200);
    });
  },
  { start: { extraArgs: ['--quota-backend-bytes', '200000'] } },
);
