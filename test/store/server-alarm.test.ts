// NOSPACE: a write past --quota-backend-bytes raises the alarm; while armed, puts fail with
// etcd's "database space exceeded" (reads and deletes still work), /health reports false,
// the alarm survives a restart, and etcdctl alarm disarm clears it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { StoreProcess, storeCommand } from './harness/store-process.js';

const SPACE = 'Error: etcdserver: mvcc: database space exceeded';

let store: StoreProcess | undefined;

before(async () => {
  store = await StoreProcess.start('tskube', { extraArgs: ['--quota-backend-bytes', '200000'] });
});

after(async () => {
  await store?.destroy();
});

test('a tiny quota raises NOSPACE; disarm clears it', async () => {
  const s = store!;
  let failed = '';
  for (let i = 0; i < 40 && !failed; i++) {
    const res = await s.etcdctl(['put', `fill/${i}`], { input: 'v'.repeat(40_000) });
    if (res.code !== 0) failed = errorLine(res);
  }
  assert.equal(failed, SPACE, 'puts must eventually exceed the 200 kB quota');
  const memberLine = ok(await s.etcdctl(['alarm', 'list'])).trim();
  assert.match(memberLine, /^memberID:\d+ alarm:NOSPACE$/);

  // while armed: small puts fail too; reads and deletes work; /health is false with 503
  assert.equal(errorLine(await s.etcdctl(['put', 'tiny', 'x'])), SPACE);
  assert.equal(ok(await s.etcdctl(['get', 'fill/0', '--keys-only'])).trim(), 'fill/0');
  const health = await fetch(`${s.endpoint}/health`);
  assert.equal(health.status, 503);
  assert.deepEqual(await health.json(), { health: 'false' });

  // the alarm is durable: after a restart with a roomier quota puts still fail until disarmed
  await s.stop();
  const [cmd, args] = storeCommand('tskube', s.dataDir, s.clientPort, s.peerPort, ['--quota-backend-bytes', '100000000']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (let i = 0; i < 200 && !/serving client requests/.test(log); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(log, /alarm NOSPACE is active/);
    assert.match(ok(await s.etcdctl(['alarm', 'list'])), /alarm:NOSPACE/);
    assert.equal(errorLine(await s.etcdctl(['put', 'tiny', 'x'])), SPACE);
    assert.match(ok(await s.etcdctl(['alarm', 'disarm'])), /alarm:NOSPACE/);
    assert.equal(ok(await s.etcdctl(['alarm', 'list'])).trim(), '');
    ok(await s.etcdctl(['put', 'tiny', 'x']));
    assert.equal((await fetch(`${s.endpoint}/health`)).status, 200);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
