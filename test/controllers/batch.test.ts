// Job, CronJob and ttl-after-finished end to end; pod outcomes come from the test-only
// FakeKubelet (an annotation on the pod template picks the exit code).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { CRONJOBS, JOBS, PODS, isNotFound } from '../../src/client/index.js';
import { type Env, startEnv, waitFor } from './harness.js';

function job(name: string, spec: Partial<Job['spec']>, exit = '0'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { template: { metadata: { annotations: { 'test.tskube/exit': exit } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } }, ...spec } as Job['spec'],
  };
}
const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

describe('job, cronjob and ttl-after-finished controllers', () => {
  let env: Env;
  before(async () => {
    env = await startEnv({ fake: true }); // pod outcomes are picked per test below
    env.kubelet.outcome = (p) => {
      const e = p.metadata?.annotations?.['test.tskube/exit'];
      if (e === 'run') return { run: true };
      // Indexed pods: the index picks the outcome when asked ("fail-index-1")
      const idx = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
      if (e === 'fail-index-1') return { exit: idx === '1' ? 3 : 0, afterMs: 300 };
      return { exit: Number(e ?? '0'), afterMs: 300 };
    };
    await env.kubelet.addNode('node-a');
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--controllers=job,cronjob,ttl-after-finished,garbagecollector']);
    // a cron job every minute: created first so its first run falls while the job tests run
    await env.client.resource(CRONJOBS).create('default', {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick' },
      spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1, jobTemplate: { spec: job('x', {}).spec! } },
    });
    // and two whose jobs never finish, so that their second run meets the first still active
    for (const policy of ['Forbid', 'Replace']) {
      await env.client.resource(CRONJOBS).create('default', {
        apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: policy.toLowerCase() },
        spec: { schedule: '* * * * *', concurrencyPolicy: policy, jobTemplate: { spec: job('x', {}, 'run').spec! } },
      });
    }
  });
  after(async () => { await env?.stop(); });

  it('runs completions with parallelism and completes', async () => {
    await env.client.resource(JOBS).create('default', job('count', { completions: 4, parallelism: 2 }));
    const j = await waitFor('Complete', async () => { const j = await env.client.resource(JOBS).get('default', 'count'); return cond(j, 'Complete') && j; }, 60_000);
    assert.equal(j.status!.succeeded, 4);
    assert.ok(j.status!.completionTime);
    assert.equal(cond(j, 'Complete')!.reason, 'CompletionsReached');
    const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'job-name=count' })).items;
    assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 4);
    assert.equal((await env.kubectl(['wait', '--for=condition=complete', 'job/count', '--timeout=5s'])).code, 0);
  });

  it('gives Indexed jobs one pod per completion index', async () => {
    await env.client.resource(JOBS).create('default', job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const j = await waitFor('Complete', async () => { const j = await env.client.resource(JOBS).get('default', 'idx'); return cond(j, 'Complete') && j; }, 60_000);
    assert.equal(j.status!.completedIndexes, '0-2');
    const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'job-name=idx' })).items;
    const idx = pods.map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(idx, ['0', '1', '2']);
    for (const p of pods) {
      const i = p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
      assert.match(p.metadata!.name!, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.equal(p.spec!.hostname, `idx-${i}`);
      assert.ok(p.spec!.containers[0].env!.some((e) => e.name === 'JOB_COMPLETION_INDEX'));
    }
  });

  it('fails at once on a podFailurePolicy FailJob rule', async () => {
    await env.client.resource(JOBS).create('default', job('pfp', {
      completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [3] } }] },
    }, 'fail-index-1'));
    const j = await waitFor('Failed', async () => { const j = await env.client.resource(JOBS).get('default', 'pfp'); return cond(j, 'Failed') && j; }, 60_000);
    assert.equal(cond(j, 'Failed')!.reason, 'PodFailurePolicy');
    assert.match(cond(j, 'Failed')!.message!, /^Container main for pod default\/pfp-1-\w+ failed with exit code 3 matching FailJob rule at index 0$/);
  });

  it('fails after backoffLimit failures', async () => {
    await env.client.resource(JOBS).create('default', job('boom', { backoffLimit: 0 }, '1'));
    const j = await waitFor('Failed', async () => { const j = await env.client.resource(JOBS).get('default', 'boom'); return cond(j, 'Failed') && j; }, 60_000);
    assert.equal(cond(j, 'Failed')!.reason, 'BackoffLimitExceeded');
    assert.equal(cond(j, 'Failed')!.message, 'Job has reached the specified backoff limit');
    assert.equal(j.status!.failed, 1);
  });

  it('fails a job that runs past activeDeadlineSeconds and stops its pods', async () => {
    await env.client.resource(JOBS).create('default', job('slow', { activeDeadlineSeconds: 2 }, 'run'));
    const j = await waitFor('Failed', async () => { const j = await env.client.resource(JOBS).get('default', 'slow'); return cond(j, 'Failed') && j; }, 30_000);
    assert.equal(cond(j, 'Failed')!.reason, 'DeadlineExceeded');
    await waitFor('pods stopped', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'job-name=slow' })).items.every((p) => p.metadata?.deletionTimestamp));
  });

  it('deletes a finished job after ttlSecondsAfterFinished', async () => {
    await env.client.resource(JOBS).create('default', job('short-lived', { ttlSecondsAfterFinished: 1 }));
    await waitFor('job deleted', async () => env.client.resource(JOBS).get('default', 'short-lived').then(() => false, (e) => isNotFound(e)), 30_000);
  });

  it('runs the cron job on schedule and records it', async () => {
    const jobName = await waitFor('a job from the cron job', async () => {
      const js = (await env.client.resource(JOBS).list('default')).items.filter((j) => j.metadata!.ownerReferences?.[0]?.kind === 'CronJob' && j.metadata!.ownerReferences[0].name === 'tick');
      return js[0]?.metadata!.name;
    }, 75_000, 500);
    assert.match(jobName, /^tick-\d+$/);
    const minutes = Number(jobName.slice(5));
    const j = await env.client.resource(JOBS).get('default', jobName);
    assert.equal(j.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'));
    const cj = await waitFor('lastScheduleTime', async () => { const c = await env.client.resource(CRONJOBS).get('default', 'tick'); return c.status?.lastScheduleTime ? c : undefined; });
    assert.equal(Date.parse(cj.status!.lastScheduleTime!), minutes * 60_000);
    await waitFor('lastSuccessfulTime', async () => (await env.client.resource(CRONJOBS).get('default', 'tick')).status?.lastSuccessfulTime);
  });

  it('concurrencyPolicy: Forbid skips a run while the last is active, Replace deletes it for the new one', async () => {
    const owned = async (cj: string) => (await env.client.resource(JOBS).list('default')).items
      .filter((j) => j.metadata!.ownerReferences?.[0]?.name === cj && !j.metadata!.deletionTimestamp).map((j) => j.metadata!.name!).sort();
    const reasons = async (cj: string) => (await env.k('get', 'events', '--field-selector', `involvedObject.kind=CronJob,involvedObject.name=${cj}`, '-o', 'jsonpath={.items[*].reason}')).split(' ');
    // two scheduled times pass (the cron jobs were made before the first test)
    await waitFor('Replace ran twice', async () => (await reasons('replace')).includes('SuccessfulDelete'), 150_000, 1000);
    const replaced = await owned('replace');
    assert.equal(replaced.length, 1, `one job left: ${replaced}`);
    const rcj = await waitFor('replace status', async () => { const c = await env.client.resource(CRONJOBS).get('default', 'replace'); return c.status?.active?.length === 1 && c.status.active[0].name === replaced[0] && c; });
    assert.equal(Date.parse(rcj.status!.lastScheduleTime!), Number(replaced[0].slice('replace-'.length)) * 60_000);
    await waitFor('Forbid skipped a run', async () => (await reasons('forbid')).includes('JobAlreadyActive'), 90_000, 1000);
    const forbidden = await owned('forbid');
    assert.equal(forbidden.length, 1, `still only the first job: ${forbidden}`);
    const fcj = await env.client.resource(CRONJOBS).get('default', 'forbid');
    assert.deepEqual(fcj.status!.active!.map((a) => a.name), forbidden);
    assert.equal(Date.parse(fcj.status!.lastScheduleTime!), Number(forbidden[0].slice('forbid-'.length)) * 60_000, 'the skipped run is not recorded as scheduled');
    for (const cj of ['forbid', 'replace']) await env.k('delete', 'cronjob', cj);
  });
});
