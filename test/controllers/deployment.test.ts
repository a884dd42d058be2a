// Deployment controller end to end: rolling updates watched pod by pod, Recreate, the real
// kubectl's rollout status/history/undo/pause/resume, progress deadlines and proportional
// scaling. Pods run on the test-only FakeKubelet; the real tskube scheduler binds them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, EVENTS, PODS, REPLICASETS, SharedInformer } from '../../src/client/index.js';
import { isReady } from '../../src/controllers/util/pod-state.js';
import { type Env, startEnv, waitFor } from './harness.js';

function deployment(name: string, replicas: number, extra: Partial<Deployment['spec']> = {}, image = 'busybox:1'): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...extra },
  };
}

describe('deployment controller', () => {
  let env: Env;
  before(async () => {
    env = await startEnv({ fake: true }); // pod outcomes are picked per test below
    await env.kubelet.addNode('node-a');
    await env.kubelet.addNode('node-b');
    env.kubelet.outcome = (p) => (p.spec?.containers?.[0]?.image === 'never-ready' ? { stuck: true } : { run: true });
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--controllers=deployment,replicaset']);
  });
  after(async () => { await env?.stop(); });

  it('rolls out, and kubectl rollout status waits for it', async () => {
    await env.client.resource(DEPLOYMENTS).create('default', deployment('web', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    const out = await env.k('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.match(out, /deployment "web" successfully rolled out/);
    const d = await env.client.resource(DEPLOYMENTS).get('default', 'web');
    assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status!.availableReplicas, 4);
    assert.equal(d.status!.updatedReplicas, 4);
    const conds = Object.fromEntries((d.status!.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(conds.Available.reason, 'MinimumReplicasAvailable');
    assert.equal(conds.Progressing.reason, 'NewReplicaSetAvailable');
    const rs = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=web' })).items;
    assert.equal(rs.length, 1);
    assert.match(rs[0].metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs[0].metadata!.labels!['pod-template-hash'], rs[0].metadata!.name!.slice(4));
    const ev = (await env.client.resource(EVENTS).list('default')).items.filter((e) => e.involvedObject.name === 'web' && e.reason === 'ScalingReplicaSet');
    assert.ok(ev.some((e) => e.message === `Scaled up replica set ${rs[0].metadata!.name} to ${rs[0].spec!.replicas}` || /^Scaled up replica set web-\w+ to \d+/.test(e.message ?? '')));
  });

  it('never drops below replicas - maxUnavailable ready pods during a rolling update (watched throughout)', async () => {
    const informer = new SharedInformer<Pod>(env.client, PODS, { labelSelector: 'app=web', log: () => {} });
    let min = Infinity;
    let maxTotal = 0;
    let synced = false;
    const count = () => {
      if (!synced) return;
      const live = informer.lister.list().filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
      min = Math.min(min, live.filter(isReady).length);
      maxTotal = Math.max(maxTotal, live.length);
    };
    informer.addEventHandler({ onAdd: count, onUpdate: count, onDelete: count });
    informer.start();
    await informer.waitForSync();
    synced = true;
    count();
    try {
      await env.k('set', 'image', 'deployment/web', 'c=busybox:2');
      await env.k('annotate', 'deployment/web', 'kubernetes.io/change-cause=image v2');
      assert.match(await env.k('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    } finally {
      await informer.stop();
    }
    assert.ok(min >= 3, `ready pods dropped to ${min} (maxUnavailable 1 of 4)`);
    assert.ok(maxTotal <= 5, `${maxTotal} pods at once (maxSurge 1 of 4)`);
    const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(pods.length, 4);
    assert.ok(pods.every((p) => p.spec!.containers[0].image === 'busybox:2'));
  });

  it('shows the history and rolls back with kubectl rollout undo', async () => {
    const hist = await env.k('rollout', 'history', 'deployment/web');
    assert.match(hist, /^1\s+<none>/m);
    assert.match(hist, /^2\s+image v2/m);
    await env.k('rollout', 'undo', 'deployment/web');
    assert.match(await env.k('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    const d = await env.client.resource(DEPLOYMENTS).get('default', 'web');
    assert.equal(d.spec!.template!.spec!.containers[0].image, 'busybox:1');
    assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
    const rss = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=web' })).items;
    assert.equal(rss.length, 2, 'the old ReplicaSet was reused, not a third made');
    const back = rss.find((r) => r.spec!.template!.spec!.containers[0].image === 'busybox:1')!;
    assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back.spec!.replicas, 4);
    const hist2 = await env.k('rollout', 'history', 'deployment/web');
    assert.match(hist2, /^3\s/m);
  });

  it('pauses and resumes: a paused deployment does not roll out', async () => {
    await env.k('rollout', 'pause', 'deployment/web');
    await waitFor('paused condition', async () => (await env.client.resource(DEPLOYMENTS).get('default', 'web')).status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused'));
    await env.k('set', 'image', 'deployment/web', 'c=busybox:3');
    await new Promise((r) => setTimeout(r, 1500));
    const rss = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=web' })).items;
    assert.ok(!rss.some((r) => r.spec!.template!.spec!.containers[0].image === 'busybox:3'), 'no new ReplicaSet while paused');
    await env.k('rollout', 'resume', 'deployment/web');
    assert.match(await env.k('rollout', 'status', 'deployment/web', '--timeout=60s'), /successfully rolled out/);
    const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.ok(pods.every((p) => p.spec!.containers[0].image === 'busybox:3'));
  });

  it('scales proportionally in the middle of a rollout', async () => {
    await env.client.resource(DEPLOYMENTS).create('default', deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    assert.match(await env.k('rollout', 'status', 'deployment/prop', '--timeout=60s'), /successfully rolled out/);
    // a new template whose pods never become ready: the rollout stalls with old and new ReplicaSets
    await env.k('set', 'image', 'deployment/prop', 'c=never-ready');
    await waitFor('stalled rollout', async () => {
      const rss = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=prop' })).items;
      return rss.length === 2 && rss.reduce((s, r) => s + (r.spec!.replicas ?? 0), 0) === 13;
    });
    await new Promise((r) => setTimeout(r, 500));
    await env.k('scale', 'deployment/prop', '--replicas=20');
    const sizes = await waitFor('proportional sizes', async () => {
      const rss = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=prop' })).items;
      const total = rss.reduce((s, r) => s + (r.spec!.replicas ?? 0), 0);
      return total === 23 && rss.map((r) => [r.spec!.template!.spec!.containers[0].image, r.spec!.replicas] as const);
    });
    const m = Object.fromEntries(sizes);
    // 8 old + 5 new grow by 10 in proportion 8:5 (upstream's GetProportion)
    assert.equal(m['busybox:1'] + m['never-ready'], 23);
    assert.ok(m['busybox:1'] > m['never-ready'], JSON.stringify(m));
  });

  it('reports ProgressDeadlineExceeded and kubectl rollout status fails', async () => {
    await env.client.resource(DEPLOYMENTS).create('default', deployment('stuck', 2, { progressDeadlineSeconds: 3 }, 'never-ready'));
    const d = await waitFor('deadline exceeded', async () => {
      const d = await env.client.resource(DEPLOYMENTS).get('default', 'stuck');
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded' && d;
    }, 30_000);
    assert.match(d.status!.conditions!.find((x) => x.type === 'Progressing')!.message!, /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    const r = await env.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=20s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exceeded its progress deadline/);
  });

  it('Recreate never runs old and new pods together', async () => {
    await env.client.resource(DEPLOYMENTS).create('default', deployment('rec', 3, { strategy: { type: 'Recreate' } }));
    assert.match(await env.k('rollout', 'status', 'deployment/rec', '--timeout=60s'), /successfully rolled out/);
    const informer = new SharedInformer<Pod>(env.client, PODS, { labelSelector: 'app=rec', log: () => {} });
    let overlap = false;
    const check = () => {
      const images = new Set(informer.lister.list().filter((p) => p.status?.phase !== 'Failed').map((p) => p.spec!.containers[0].image));
      if (images.size > 1) overlap = true;
    };
    informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    informer.start();
    await informer.waitForSync();
    try {
      await env.k('set', 'image', 'deployment/rec', 'c=busybox:9');
      assert.match(await env.k('rollout', 'status', 'deployment/rec', '--timeout=60s'), /successfully rolled out/);
    } finally {
      await informer.stop();
    }
    assert.equal(overlap, false, 'old and new pods existed at the same time');
  });
});
