// The whole control plane under --authorization-mode=Node,RBAC, each part with its own
// client certificate (scheduler, controller manager with --use-service-account-credentials,
// two hollow kubelets): a Deployment, a Job, a DaemonSet and a StatefulSet reach their goal,
// a namespace deletion empties and removes the namespace, and the API server refused no
// request of a control-plane identity. An anonymous kubectl is only a visitor.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startPkiCluster, type PkiCluster } from './pki-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try { const v = await fn(); if (v) return v; } catch (err) { last = err; }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

const CONTROL_PLANE = /user="(system:kube-scheduler|system:kube-controller-manager|system:serviceaccount:kube-system:[^"]+|system:node:[^"]+)"/;

describe('control plane under Node,RBAC', () => {
  let c: PkiCluster;
  before(async () => {
    c = await startPkiCluster(['--authorization-mode', 'Node,RBAC', '--enable-admission-plugins', 'NodeRestriction', '-v', '1']);
    await c.startScheduler();
    await c.startControllerManager(['--use-service-account-credentials', '--node-monitor-grace-period', '20s']);
    await c.startKubelet('rbac-node-a');
    await c.startKubelet('rbac-node-b');
    await c.k('create', 'namespace', 'work');
  });
  after(async () => { await c?.stop(); });

  const json = async (...args: string[]) => JSON.parse(await c.k(...args, '-o', 'json'));

  it('controllers act as their own service accounts, the kubelets as their nodes', async () => {
    await waitFor('both nodes Ready', async () => {
      const nodes = await json('get', 'nodes');
      return nodes.items.filter((n: any) => n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length === 2;
    });
    // The manager makes each controller's account as that controller starts (with retries), not
    // before its nodes are Ready: wait for them rather than read them once.
    const wanted = ['deployment-controller', 'replicaset-controller', 'job-controller', 'daemon-set-controller', 'statefulset-controller', 'namespace-controller', 'generic-garbage-collector'];
    await waitFor(`service accounts kube-system/{${wanted.join(',')}}`, async () => {
      const names = (await json('get', 'serviceaccounts', '-n', 'kube-system')).items.map((s: any) => s.metadata.name);
      return wanted.every((n) => names.includes(n));
    });
    const can = await c.kubectl(c.admin, ['auth', 'can-i', 'create', 'pods', '--as', 'system:serviceaccount:kube-system:job-controller']);
    assert.equal(can.stdout.trim(), 'yes');
    const cannot = await c.kubectl(c.admin, ['auth', 'can-i', 'create', 'secrets', '--as', 'system:serviceaccount:kube-system:job-controller']);
    assert.equal(cannot.stdout.trim(), 'no');
  });

  it('a Deployment, a Job, a DaemonSet and a StatefulSet reach their goal', async () => {
    await c.k('create', 'deployment', 'web', '-n', 'work', '--image=busybox', '--replicas=3', '--', 'sleep', '3600');
    await c.k('create', 'job', 'once', '-n', 'work', '--image=busybox', '--', 'true');
    await c.kubectl(c.admin, ['apply', '-f', '-'], [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'work' }, spec: {
          selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox', command: ['sleep', '3600'] }] } } } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'work' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'work' }, spec: {
          serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox', command: ['sleep', '3600'] }] } } } },
    ].map((d) => stringify(d)).join('---\n')).then((r) => assert.equal(r.code, 0, r.stderr));
    await waitFor('deployment web available', async () => (await json('get', 'deployment', 'web', '-n', 'work')).status?.availableReplicas === 3);
    await waitFor('job once complete', async () => (await json('get', 'job', 'once', '-n', 'work')).status?.succeeded === 1);
    await waitFor('daemonset agent on both nodes', async () => (await json('get', 'daemonset', 'agent', '-n', 'work')).status?.numberReady === 2);
    await waitFor('statefulset db ready', async () => (await json('get', 'statefulset', 'db', '-n', 'work')).status?.readyReplicas === 2);
    const events = await json('get', 'events', '-n', 'work');
    assert.ok(events.items.some((e: any) => e.reason === 'SuccessfulCreate'), 'controllers recorded events');
  });

  it('deleting the namespace deletes what is in it, then the namespace', async () => {
    await c.k('delete', 'namespace', 'work', '--wait=false');
    await waitFor('namespace work gone', async () => {
      const r = await c.kubectl(c.admin, ['get', 'namespace', 'work']);
      return r.code !== 0 && /NotFound/.test(r.stderr);
    });
  });

  it('the API server refused nothing a control-plane identity asked', () => {
    // Authorization refusals only: admission may refuse a write (e.g. pods in a terminating namespace), as upstream.
    const refused = c.apiserver.output().split('\n').filter((l) => l.includes('forbidden:') && CONTROL_PLANE.test(l) && / cannot /.test(l));
    assert.deepEqual(refused, []);
  });

  it('an anonymous kubectl may read /version but not pods', async () => {
    const r = await c.kubectl(undefined, ['get', 'pods', '-n', 'default']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    const v = await c.kubectl(undefined, ['get', '--raw', '/version']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /"gitVersion"/);
  });
});
