// The controller-manager process: --controllers semantics (unit and end to end), /healthz
// and /metrics, flag errors, and leader failover between two managers on the
// kube-system/kube-controller-manager Lease.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LEASES, REPLICASETS, PODS } from '../../src/client/index.js';
import { newRegistry } from '../../src/controllers/all-controllers.js';
import { enabledControllers } from '../../src/controllers/manager/run.js';
import { type Env, startEnv, waitFor } from './harness.js';
import { api } from '../apiserver/api-request.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

describe('--controllers', () => {
  const r = newRegistry();
  it("'*' enables the on-by-default controllers and leaves bootstrapsigner and tokencleaner off", () => {
    const on = enabledControllers(r, ['*']);
    assert.ok(on.includes('deployment-controller') && on.includes('garbage-collector-controller'));
    assert.ok(!on.includes('bootstrap-signer-controller') && !on.includes('token-cleaner-controller'));
  });
  it("'foo' enables one, '-foo' disables one, aliases work, first match wins", () => {
    assert.deepEqual(enabledControllers(r, ['deployment']), ['deployment-controller']);
    const on = enabledControllers(r, ['*', '-deployment', 'tokencleaner']);
    assert.ok(!on.includes('deployment-controller') && on.includes('token-cleaner-controller') && on.includes('replicaset-controller'));
    assert.ok(!enabledControllers(r, ['-job', 'job', '*']).includes('job-controller'));
  });
  it("accepts every upstream controller name (upstream docs' lists work as written)", () => {
    const upstream = ['serviceaccount-token', 'endpoint', 'endpointslice', 'endpointslicemirroring', 'replicationcontroller', 'podgc', 'resourcequota', 'namespace',
      'serviceaccount', 'garbagecollector', 'daemonset', 'job', 'deployment', 'replicaset', 'horizontalpodautoscaling', 'disruption', 'statefulset', 'cronjob',
      'csrsigning', 'csrapproving', 'csrcleaner', 'ttl', 'bootstrapsigner', 'tokencleaner', 'nodeipam', 'nodelifecycle', 'service', 'route', 'cloud-node-lifecycle',
      'persistentvolume-binder', 'attachdetach', 'persistentvolume-expander', 'clusterrole-aggregation', 'pvc-protection', 'pv-protection', 'ttl-after-finished',
      'root-ca-cert-publisher', 'ephemeral-volume', 'storage-version-gc', 'resource-claim-controller', 'legacy-serviceaccount-token-cleaner',
      'validatingadmissionpolicy-status', 'taint-eviction-controller'];
    const on = enabledControllers(r, ['ttl', '*', ...upstream.map((n) => `-${n}`)]);
    assert.deepEqual(on, ['ttl-controller']);
    assert.ok(enabledControllers(r, ['*']).includes('disruption-controller'));
  });
  it('refuses unknown names', () => {
    assert.throws(() => enabledControllers(r, ['*', 'nosuch']), /"nosuch" is not in the list of known controllers/);
    const res = spawnSync(process.execPath, [main, 'controller-manager', '--controllers=*,nosuch', '--kubeconfig=/nonexistent'], { encoding: 'utf8' });
    assert.notEqual(res.status, 0);
  });
});

describe('controller-manager process', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await env.kubelet.addNode('node-a');
    await env.startScheduler();
  });
  after(async () => { await env?.stop(); });

  it('runs only the controllers the flag enables, and serves /healthz and /metrics', async () => {
    const m = await env.startManager(['--leader-elect=false', '--controllers=*,-replicaset']);
    try {
      const h = await api(`https://127.0.0.1:${m.port}`, 'GET', '/healthz');
      assert.equal(h.status, 200);
      assert.equal(h.body, 'ok');
      await env.client.resource(REPLICASETS).create('default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'off' }, spec: { replicas: 1, selector: { matchLabels: { app: 'off' } }, template: { metadata: { labels: { app: 'off' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
      await env.k('create', 'deployment', 'on', '--image=busybox');
      // the deployment controller runs (creates the ReplicaSet), the replicaset controller does not (no pods)
      await waitFor('ReplicaSet of the deployment', async () => (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=on' })).items.length === 1);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await env.client.resource(PODS).list('default', { labelSelector: 'app=off' })).items.length, 0);
      const metrics = String((await api(`https://127.0.0.1:${m.port}`, 'GET', '/metrics')).body);
      assert.match(metrics, /controller_sync_total\{controller="deployment",result="success"\} \d+/);
      assert.match(metrics, /workqueue_depth\{name="deployment"\}/);
      assert.match(metrics, /process_resident_memory_bytes/);
      assert.doesNotMatch(metrics, /controller="replicaset"/);
    } finally {
      await m.stop();
    }
  });

  it('fails over: a second manager takes the Lease when the leader stops', async () => {
    const args = ['--leader-elect=true', '--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms', '--controllers=replicaset'];
    const a = await env.startManager(args);
    await waitFor('a leads', () => /became leader/.test(a.output()));
    const b = await env.startManager(args);
    const lease = await env.client.resource(LEASES).get('kube-system', 'kube-controller-manager');
    const holderA = lease.spec!.holderIdentity!;
    assert.ok(holderA);
    await new Promise((r) => setTimeout(r, 1500));
    assert.doesNotMatch(b.output(), /became leader/, 'the standby does not lead while the leader renews');
    // the standby does no work meanwhile: the replicaset controller is not running in b
    await a.stop();
    await waitFor('b leads', () => /became leader/.test(b.output()), 20_000);
    const after = await env.client.resource(LEASES).get('kube-system', 'kube-controller-manager');
    assert.notEqual(after.spec!.holderIdentity, holderA);
    assert.ok((after.spec!.leaseTransitions ?? 0) >= 1);
    // and b does the work now
    await env.client.resource(REPLICASETS).patch('default', 'off', 'merge', { spec: { replicas: 2 } });
    await waitFor('pods from the new leader', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=off' })).items.length === 2);
    await b.stop();
  });
});
