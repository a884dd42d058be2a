// Scheduling through the real API server: binding, events, conditions, manual nodeName,
// pending without a scheduler, and the HTTP endpoints.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
before(async () => { env = await startEnv(); });
after(async () => { await env?.stop(); });

test('without a scheduler pods stay Pending; a pod with nodeName needs none', async () => {
  await createNode(env.client, nodeObject('node-1'));
  await createPod(env.client, podObject('waiting'));
  await createPod(env.client, podObject('manual', { spec: { nodeName: 'node-1' } }));
  await new Promise((r) => setTimeout(r, 1000));
  const p = await getPod(env.client, 'waiting');
  assert.equal(p.spec.nodeName, undefined);
  assert.equal(p.status.phase, 'Pending');
  assert.equal((await getPod(env.client, 'manual')).spec.nodeName, 'node-1');
});

test('the scheduler binds pending pods and records Scheduled events', async () => {
  const s = await env.startScheduler(['--leader-elect=false']);
  assert.equal(await waitBound(env.client, 'waiting'), 'node-1');
  const p = await getPod(env.client, 'waiting');
  const cond = p.status.conditions.find((c: any) => c.type === 'PodScheduled');
  assert.equal(cond.status, 'True');
  const ev = await eventually(async () => (await events(env.client, 'default', 'waiting')).find((e) => e.reason === 'Scheduled'), 'Scheduled event');
  assert.equal(ev.message, 'Successfully assigned default/waiting to node-1');
  assert.equal(ev.type, 'Normal');
  // events.k8s.io/v1 events, as upstream's scheduler writes them, read back as core/v1.
  assert.equal(ev.reportingComponent, 'default-scheduler');
  assert.match(ev.reportingInstance, /^default-scheduler-/);
  assert.equal(ev.action, 'Binding');
  assert.ok(ev.eventTime);
  assert.match(env.c.k('describe', 'pod', 'waiting'), /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/waiting to node-1/);
  const health = await s.get('/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.body, 'ok');
  const metrics = (await s.get('/metrics')).body;
  assert.match(metrics, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/);
  assert.match(metrics, /scheduler_pending_pods\{queue="active"\} 0/);
  assert.match(metrics, /scheduler_scheduling_attempt_duration_seconds_bucket/);
  assert.match(metrics, /scheduler_scheduling_algorithm_duration_seconds_count [1-9]/);
  assert.match(metrics, /scheduler_pod_scheduling_attempts_count [1-9]/);
  assert.match(metrics, /scheduler_framework_extension_point_duration_seconds_count\{extension_point="Bind",status="Success",profile="default-scheduler"\} [1-9]/);
  assert.match(metrics, /scheduler_framework_extension_point_duration_seconds_count\{extension_point="PreFilter",status="Success",profile="default-scheduler"\} [1-9]/);
  assert.match(metrics, /scheduler_queue_incoming_pods_total\{queue="active",event="PodAdd"\} [1-9]/);
  assert.match(metrics, /# TYPE scheduler_plugin_execution_duration_seconds histogram/);
  const ex = JSON.parse((await s.get('/debug/explain?pod=default/waiting')).body);
  assert.equal(ex.result, 'Scheduled');
  assert.equal(ex.node, 'node-1');
  assert.equal(ex.filter[0].verdict, 'feasible');
});

test('unschedulable pods get FailedScheduling with per-reason counts and PodScheduled=False', async () => {
  await createNode(env.client, nodeObject('gpu-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  await createPod(env.client, podObject('huge', { cpu: '100' }));
  const ev = await eventually(async () => (await events(env.client, 'default', 'huge')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.action, 'Scheduling');
  // Upstream's message, unchanged, then which plugin rejected which nodes.
  const upstream = '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.';
  assert.equal(ev.message, `${upstream} Explain: NodeResourcesFit rejected 1 node(s) (node-1): Insufficient cpu; TaintToleration rejected 1 node(s) (gpu-1): node(s) had untolerated taint {dedicated: gpu}`);
  const cond = await eventually(async () => (await getPod(env.client, 'huge')).status.conditions?.find((c: any) => c.type === 'PodScheduled'), 'condition');
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, upstream);
  const s = env.schedulers[0];
  const ex = JSON.parse((await s.get('/debug/explain?pod=default/huge')).body);
  assert.equal(ex.result, 'Unschedulable');
  const gpu = ex.filter.find((f: any) => f.node === 'gpu-1');
  assert.deepEqual([gpu.verdict, gpu.plugin, gpu.reasons[0]], ['rejected', 'TaintToleration', 'node(s) had untolerated taint {dedicated: gpu}']);
  assert.match((await s.get('/metrics')).body, /scheduler_queue_incoming_pods_total\{queue="unschedulable",event="ScheduleAttemptFailure"\} [1-9]/);
  assert.equal((await s.get('/debug/explain?pod=default/nope')).status, 404);
  assert.equal((await s.get('/debug/explain?pod=bad')).status, 400);
});

test('a node that fits later brings an unschedulable pod back (NodeAdd)', async () => {
  await createNode(env.client, nodeObject('big', { cpu: '200' }));
  assert.equal(await waitBound(env.client, 'huge', 'default', 20_000), 'big');
  const metrics = (await env.schedulers[0].get('/metrics')).body;
  assert.match(metrics, /scheduler_queue_incoming_pods_total\{queue="(active|backoff)",event="NodeAdd"\} [1-9]/);
  assert.match(metrics, /scheduler_pod_scheduling_attempts_bucket\{le="1"\} [1-9]/);
});

test('the secure port is HTTPS with delegated authentication and authorization', async () => {
  // No --authorization-kubeconfig: health stays open, everything else is forbidden for the
  // user the TokenReview names; a token the API server does not know is 401.
  const s = await env.startScheduler(['--leader-elect=false', '--authorization-kubeconfig=']);
  try {
    assert.equal((await s.get('/healthz')).status, 200);
    const denied = await s.get('/metrics');
    assert.equal(denied.status, 403);
    assert.equal(JSON.parse(denied.body).message, 'forbidden: User "e2e-admin" cannot get path "/metrics": no authorization is configured (--authorization-kubeconfig)');
    const bad = await new Promise<number>((resolve, reject) => {
      https.get(`https://127.0.0.1:${s.port}/metrics`, { rejectUnauthorized: false, headers: { Authorization: 'Bearer not-a-token' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    assert.equal(bad, 401);
  } finally {
    await s.stop();
  }
});
