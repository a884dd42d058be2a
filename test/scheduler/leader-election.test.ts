// Two scheduler processes with --leader-elect: one holds Lease kube-system/kube-scheduler
// and schedules; when it dies, the other takes the lease and schedules new pods.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
const fast = ['--leader-elect=true', '--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];
const lease = () => env.client.get<any>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' });

before(async () => {
  env = await startEnv();
  await createNode(env.client, nodeObject('n1'));
});
after(async () => { await env?.stop(); });

test('only the leader schedules; the standby takes over when the leader dies', async () => {
  const a = await env.startScheduler(fast);
  const holderA = await eventually(async () => (await lease()).spec?.holderIdentity as string, 'first leader');
  const b = await env.startScheduler(fast);
  await createPod(env.client, podObject('before'));
  assert.equal(await waitBound(env.client, 'before'), 'n1');
  assert.equal((await lease()).spec.holderIdentity, holderA);
  assert.match(a.output(), /is the leader; scheduling/);
  assert.doesNotMatch(b.output(), /is the leader/);
  const metricsB = (await b.get('/metrics')).body;
  assert.doesNotMatch(metricsB, /scheduler_schedule_attempts_total\{result="scheduled"/);

  await a.stop('SIGKILL');
  await createPod(env.client, podObject('after'));
  assert.equal(await waitBound(env.client, 'after', 'default', 20_000), 'n1');
  const l = await lease();
  assert.notEqual(l.spec.holderIdentity, holderA);
  assert.ok(l.spec.leaseTransitions >= 1);
  assert.match(b.output(), /is the leader; scheduling/);
  assert.equal((await getPod(env.client, 'before')).spec.nodeName, 'n1');
});
