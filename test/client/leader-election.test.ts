// Lease-based leader election between two electors on a real API server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LeaderElector } from '../../src/client/leader-election.js';
import { LEASES } from '../../src/client/resources.js';
import type { RestClient } from '../../src/client/rest-client.js';
import { type TestCluster, eventually, startTestCluster } from './cluster.js';

let c: TestCluster;
before(async () => { c = await startTestCluster(); });
after(async () => { await c?.stop(); });

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function elector(client: RestClient, identity: string, name: string, log: string[], releaseOnCancel = true) {
  return new LeaderElector({
    client, namespace: 'kube-system', name, identity, releaseOnCancel,
    leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300,
    log: () => {},
    callbacks: {
      onStartedLeading: () => log.push(`${identity} started`),
      onStoppedLeading: () => log.push(`${identity} stopped`),
      onNewLeader: (id) => log.push(`${identity} sees ${id}`),
    },
  });
}

test('two electors: one leads; when it stops it releases the lease and the other takes over', async () => {
  const log: string[] = [];
  const [ca, cb] = [c.client(), c.client()];
  const a = elector(ca, 'a', 'ctrl', log);
  const b = elector(cb, 'b', 'ctrl', log);
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await eventually(() => a.isLeader(), 'a leads');
  const runB = b.run(stopB.signal);
  await eventually(() => log.includes('b sees a'), 'b observes a');
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!b.isLeader(), 'b waits while a renews');

  const lease = await ca.resource(LEASES).get('kube-system', 'ctrl');
  assert.equal(lease.spec?.holderIdentity, 'a');
  assert.equal(lease.spec?.leaseDurationSeconds, 3);
  assert.match(lease.spec?.acquireTime ?? '', MICRO_TIME);
  assert.match(lease.spec?.renewTime ?? '', MICRO_TIME);
  assert.equal(lease.spec?.leaseTransitions, 0);

  stopA.abort();
  await runA;
  assert.ok(log.includes('a stopped'));
  // b may take the lease within its 300 ms retry, before a GET here could see the release, so
  // read the lease's history instead: the first write after a's renewals must clear the holder.
  const history = new AbortController();
  let released: string | undefined = 'none seen';
  for await (const ev of ca.resource(LEASES).watch('kube-system', {
    resourceVersion: lease.metadata?.resourceVersion, fieldSelector: 'metadata.name=ctrl', timeoutSeconds: 10,
  }, history.signal)) {
    const holder = (ev.object as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
    if (holder === 'a') continue;
    released = holder;
    break;
  }
  history.abort();
  assert.equal(released, undefined, 'ReleaseOnCancel clears the holder');

  // Released: b needs no lease-duration wait, only its next retry.
  await eventually(() => b.isLeader(), 'b takes over', 2500);
  const taken = await cb.resource(LEASES).get('kube-system', 'ctrl');
  assert.equal(taken.spec?.holderIdentity, 'b');
  assert.equal(taken.spec?.leaseTransitions, 1);
  assert.ok(log.indexOf('a stopped') < log.indexOf('b started'));
  stopB.abort();
  await runB;
  assert.deepEqual(log.filter((l) => /started|stopped/.test(l)), ['a started', 'a stopped', 'b started', 'b stopped']);
});

test('a leader that vanishes without releasing is replaced once its lease expires; a leader that cannot renew steps down', async () => {
  const log: string[] = [];
  const [ca, cb] = [c.client(), c.client()];
  const a = elector(ca, 'a', 'crash', log, false);
  const stopA = new AbortController();
  const runA = a.run(stopA.signal);
  await eventually(() => a.isLeader(), 'a leads');
  stopA.abort(); // like a crash: no release
  await runA;
  assert.equal((await cb.resource(LEASES).get('kube-system', 'crash')).spec?.holderIdentity, 'a');

  const b = elector(cb, 'b', 'crash', log);
  const stopB = new AbortController();
  const started = Date.now();
  const runB = b.run(stopB.signal);
  await eventually(() => b.isLeader(), 'b takes over after expiry', 10_000);
  assert.ok(Date.now() - started >= 2500, 'b waited for the lease duration it observed');

  // b loses the API server: it cannot renew within renewDeadline and must stop leading.
  await c.stopApiServer();
  try {
    await eventually(() => log.includes('b stopped'), 'b steps down', 10_000);
    await runB;
    assert.ok(!b.isLeader());
  } finally {
    stopB.abort();
    await c.startApiServer();
  }
});
