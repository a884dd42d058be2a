// Object lifecycle controllers end to end: garbage collection (background, foreground with
// blockOwnerDeletion, orphan), namespace deletion through /finalize, the default
// ServiceAccount and kube-root-ca.crt in every namespace.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONFIGMAPS, DEPLOYMENTS, NAMESPACES, PODS, REPLICASETS, SERVICEACCOUNTS, isNotFound } from '../../src/client/index.js';
import { type Env, startEnv, waitFor } from './harness.js';

const gone = (p: Promise<unknown>) => p.then(() => false, (e) => isNotFound(e));

describe('garbage collector, namespace, serviceaccount, root-ca-cert-publisher', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await env.kubelet.addNode('node-a');
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--root-ca-file', path.join(env.c.dir, 'certs', 'apiserver.crt')]);
  });
  after(async () => { await env?.stop(); });

  it('gives every namespace a default ServiceAccount and kube-root-ca.crt, and puts them back', async () => {
    await env.k('create', 'namespace', 'team-a');
    await waitFor('default SA', () => env.client.resource(SERVICEACCOUNTS).get('team-a', 'default'));
    const cm = await waitFor('root CA', () => env.client.resource(CONFIGMAPS).get('team-a', 'kube-root-ca.crt'));
    assert.equal(cm.data!['ca.crt'], fs.readFileSync(path.join(env.c.dir, 'certs', 'apiserver.crt'), 'utf8'));
    await env.k('delete', 'serviceaccount', 'default', '-n', 'team-a');
    await env.k('delete', 'configmap', 'kube-root-ca.crt', '-n', 'team-a');
    await waitFor('default SA again', () => env.client.resource(SERVICEACCOUNTS).get('team-a', 'default'));
    await waitFor('root CA again', () => env.client.resource(CONFIGMAPS).get('team-a', 'kube-root-ca.crt'));
  });

  it('deletes dependents in the background when their owner goes', async () => {
    await env.k('create', 'deployment', 'bg', '--image=busybox', '--replicas=2');
    await waitFor('2 pods', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=bg' })).items.length === 2);
    await env.k('delete', 'deployment', 'bg');
    await waitFor('ReplicaSets gone', async () => (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=bg' })).items.length === 0);
    await waitFor('pods gone', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=bg' })).items.length === 0);
  });

  it('foreground deletion keeps the owner until its blocking dependents are gone', async () => {
    await env.k('create', 'deployment', 'fg', '--image=busybox', '--replicas=2');
    await waitFor('2 pods', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=fg' })).items.length === 2);
    const r = await env.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    const d = await env.client.resource(DEPLOYMENTS).get('default', 'fg').catch(() => undefined);
    if (d) assert.ok(d.metadata!.finalizers?.includes('foregroundDeletion'));
    await waitFor('deployment gone', () => gone(env.client.resource(DEPLOYMENTS).get('default', 'fg')));
    // By the time the owner is gone, its dependents are gone or being deleted. As upstream, a
    // dependent that has dependents of its own (the ReplicaSet) unblocks its owner and is itself
    // deleted in the foreground, so it may outlive the Deployment by a moment.
    assert.equal((await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=fg' })).items.filter((rs) => !rs.metadata?.deletionTimestamp).length, 0);
    assert.equal((await env.client.resource(PODS).list('default', { labelSelector: 'app=fg' })).items.filter((p) => !p.metadata?.deletionTimestamp).length, 0);
    await waitFor('ReplicaSets gone', async () => (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=fg' })).items.length === 0);
  });

  it('orphans dependents with --cascade=orphan', async () => {
    await env.k('create', 'deployment', 'orph', '--image=busybox', '--replicas=2');
    await waitFor('2 pods', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=orph' })).items.length === 2);
    await env.k('delete', 'deployment', 'orph', '--cascade=orphan');
    await waitFor('deployment gone', () => gone(env.client.resource(DEPLOYMENTS).get('default', 'orph')));
    const rss = await waitFor('orphaned RS', async () => {
      const items = (await env.client.resource(REPLICASETS).list('default', { labelSelector: 'app=orph' })).items;
      return items.length === 1 && !items[0].metadata!.ownerReferences?.length && items;
    });
    assert.equal(rss[0].spec!.replicas, 2);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await env.client.resource(PODS).list('default', { labelSelector: 'app=orph' })).items.length, 2, 'pods survive');
  });

  it('deletes a namespace: its contents go, then the namespace itself via /finalize', async () => {
    await env.k('create', 'namespace', 'doomed');
    await env.k('create', 'deployment', 'web', '--image=busybox', '--replicas=2', '-n', 'doomed');
    await env.k('create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'doomed');
    await waitFor('pods running', async () => (await env.client.resource(PODS).list('doomed')).items.filter((p) => p.status?.phase === 'Running').length === 2);
    const r = await env.kubectl(['delete', 'namespace', 'doomed', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('namespace gone', () => gone(env.client.resource(NAMESPACES).get('', 'doomed')));
    await env.k('create', 'namespace', 'doomed');
    assert.equal((await env.client.resource(CONFIGMAPS).list('doomed')).items.filter((c) => c.metadata!.name === 'cfg').length, 0);
    assert.equal((await env.client.resource(PODS).list('doomed')).items.length, 0);
  });
});
