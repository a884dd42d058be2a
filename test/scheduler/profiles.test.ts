// A second profile chosen by schedulerName, per-profile plugin sets from --config, and
// pods for a scheduler nobody runs staying Pending.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
const config = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    score:
      disabled:
      - name: '*'
      enabled:
      - name: NodeResourcesFit
        weight: 1
    filter:
      disabled:
      - name: TaintToleration
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`;

before(async () => {
  env = await startEnv();
  await createNode(env.client, nodeObject('busy', { cpu: '4' }));
  await createNode(env.client, nodeObject('idle', { cpu: '4' }));
  await createNode(env.client, nodeObject('tainted', { cpu: '4', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
  await env.startScheduler([], config);
  await createPod(env.client, podObject('filler', { cpu: '2', spec: { nodeName: 'busy' } }));
});
after(async () => { await env?.stop(); });

test('default profile spreads (LeastAllocated), the bin-packer profile packs (MostAllocated)', async () => {
  await createPod(env.client, podObject('spread', { cpu: '1' }));
  assert.equal(await waitBound(env.client, 'spread'), 'idle');
  await createPod(env.client, podObject('packed', { cpu: '1', spec: { schedulerName: 'bin-packer' } }));
  const packedOn = await waitBound(env.client, 'packed');
  // busy has 2 of 4 cpu used; the tainted node is allowed (TaintToleration filter off) but emptier.
  assert.equal(packedOn, 'busy');
  const ev = await eventually(async () => (await events(env.client, 'default', 'packed')).find((e) => e.reason === 'Scheduled'), 'Scheduled event');
  assert.equal(ev.message, `Successfully assigned default/packed to ${packedOn}`);
  // Each profile has its own recorder: the event names the profile's scheduler.
  assert.equal(ev.reportingComponent, 'bin-packer');
  assert.match(ev.reportingInstance, /^bin-packer-/);
  const spread = await eventually(async () => (await events(env.client, 'default', 'spread')).find((e) => e.reason === 'Scheduled'), 'Scheduled event');
  assert.equal(spread.reportingComponent, 'default-scheduler');
});

test('the bin-packer profile ignores taints, the default one does not', async () => {
  const onTainted = { nodeSelector: { 'kubernetes.io/hostname': 'tainted' } };
  await createPod(env.client, podObject('bp-tainted', { spec: { ...onTainted, schedulerName: 'bin-packer' } }));
  assert.equal(await waitBound(env.client, 'bp-tainted'), 'tainted');
  await createPod(env.client, podObject('def-tainted', { spec: onTainted }));
  await eventually(async () => (await events(env.client, 'default', 'def-tainted')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling');
});

test('pods for a scheduler nobody runs stay Pending, untouched', async () => {
  await createPod(env.client, podObject('orphan', { spec: { schedulerName: 'nobody' } }));
  await new Promise((r) => setTimeout(r, 1500));
  const p = await getPod(env.client, 'orphan');
  assert.equal(p.spec.nodeName, undefined);
  assert.equal(p.status.conditions, undefined);
  assert.deepEqual(await events(env.client, 'default', 'orphan'), []);
});

test('a bad --config makes the scheduler exit with the reason', async () => {
  await assert.rejects(env.startScheduler([], 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n  plugins:\n    filter:\n      enabled:\n      - name: Bogus\n'),
    /"Bogus" does not exist/);
});
