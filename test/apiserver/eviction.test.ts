// pods/eviction against a real API server as upstream's EvictionREST: concurrent evictions
// while someone else keeps writing the budget (the disruption controller does) each end in
// 201 or 429, never 409, and never take more than the budget allows; evicted pods carry the
// DisruptionTarget condition; unready pods go without a decrement while the budget is met.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startCluster } from './harness.js';
import { api } from './api-request.js';

describe('pods/eviction', () => {
  let c: Cluster;
  before(async () => { c = await startCluster({ store: 'etcd' }); });
  after(async () => { await c?.stop(); });

  const base = () => c.apiURL;
  const ok = async (method: string, path: string, body?: unknown, type?: string) => {
    const r = await api(base(), method, path, body, type);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const makeNamespace = (ns: string) => ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  /** A pod on a node (so deletion is graceful and the evicted pod stays readable), Running and Ready or not. */
  async function makePod(ns: string, name: string, app: string, ready: boolean): Promise<void> {
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } },
      spec: { nodeName: 'node-x', containers: [{ name: 'c', image: 'busybox:1' }] } });
    await ok('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, { status: { phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] } }, 'application/merge-patch+json');
  }
  async function makeBudget(ns: string, name: string, app: string, spec: object, status: object): Promise<void> {
    await ok('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name },
      spec: { selector: { matchLabels: { app } }, ...spec } });
    await ok('PATCH', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}/status`, { status: { observedGeneration: 1, ...status } }, 'application/merge-patch+json');
  }
  const evict = (ns: string, pod: string) => api(base(), 'POST', `/api/v1/namespaces/${ns}/pods/${pod}/eviction`,
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } });

  it('concurrent evictions while the budget is rewritten: 201 or 429, never 409, never beyond the budget', async () => {
    const ns = `evict-${process.pid}`;
    await makeNamespace(ns);
    const names = [0, 1, 2, 3, 4, 5].map((i) => `p-${i}`);
    for (const n of names) await makePod(ns, n, 'guard', true);
    await makeBudget(ns, 'guard', 'guard', { minAvailable: 3 }, { disruptionsAllowed: 3, currentHealthy: 6, desiredHealthy: 3, expectedPods: 6,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
    // Another writer keeps changing the budget meanwhile, as the disruption controller does.
    let churn = true; let writes = 0;
    const churner = (async () => {
      while (churn) {
        await ok('PATCH', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/guard`, { metadata: { annotations: { churn: String(++writes) } } }, 'application/merge-patch+json');
      }
    })();
    let replies;
    try {
      replies = await Promise.all(names.map((n) => evict(ns, n)));
    } finally { churn = false; await churner; }
    const codes = replies.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 429, 429, 429], JSON.stringify(replies.map((r) => r.body)));
    for (const r of replies.filter((x) => x.status === 429)) {
      assert.equal(r.body.reason, 'TooManyRequests');
      assert.equal(r.body.message, 'Too many requests: Cannot evict pod as it would violate the pod\'s disruption budget.');
      assert.deepEqual(r.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 3 healthy pods and has 6 currently' }]);
    }
    const evicted = names.filter((_, i) => replies[i].status === 201).sort();
    const pdb = await ok('GET', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/guard`);
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(pdb.status.disruptedPods).sort(), evicted);
    const cond = pdb.status.conditions.find((x: any) => x.type === 'DisruptionAllowed');
    assert.deepEqual([cond.status, cond.reason], ['False', 'InsufficientPods']);
    for (const n of names) {
      const pod = await ok('GET', `/api/v1/namespaces/${ns}/pods/${n}`);
      const target = pod.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
      if (evicted.includes(n)) {
        assert.ok(pod.metadata.deletionTimestamp, `${n} terminating`);
        assert.deepEqual([target?.status, target?.reason, target?.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
      } else {
        assert.equal(pod.metadata.deletionTimestamp, undefined);
        assert.equal(target, undefined);
      }
    }
  });

  it('an unready pod goes without a decrement while the budget is met (IfHealthyBudget), or always with AlwaysAllow', async () => {
    const ns = `evict-unready-${process.pid}`;
    await makeNamespace(ns);
    await makePod(ns, 'met', 'met', false);
    await makeBudget(ns, 'met', 'met', { minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 });
    assert.equal((await evict(ns, 'met')).status, 201);
    assert.equal((await ok('GET', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/met`)).status.disruptionsAllowed, 0, 'no decrement');
    await makePod(ns, 'short', 'short', false);
    await makeBudget(ns, 'short', 'short', { minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    const refused = await evict(ns, 'short');
    assert.equal(refused.status, 429);
    assert.equal((await ok('GET', `/api/v1/namespaces/${ns}/pods/short`)).metadata.deletionTimestamp, undefined, 'refused eviction changes nothing');
    await makePod(ns, 'always', 'always', false);
    await makeBudget(ns, 'always', 'always', { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    assert.equal((await evict(ns, 'always')).status, 201);
    // a budget the server has not processed yet (observedGeneration behind) refuses with 429
    await makePod(ns, 'fresh', 'fresh', true);
    await ok('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'fresh' }, spec: { selector: { matchLabels: { app: 'fresh' } }, maxUnavailable: 1 } });
    const pending = await evict(ns, 'fresh');
    assert.equal(pending.status, 429);
    assert.match(pending.body.details.causes[0].message, /The disruption budget fresh is still being processed by the server/);
  });
});
