// The official JavaScript client (@kubernetes/client-node 1.4) against the API server: list,
// create, and an informer (makeInformer over list+watch) that sees add, update and delete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type Cluster, startCluster } from '../apiserver/harness.js';

let c: Cluster;
let kc: k8s.KubeConfig;
before(async () => {
  c = await startCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
});
after(async () => { await c?.stop(); });

const pod = (name: string, labels: Record<string, string> = {}): k8s.V1Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

test('list namespaces and create a pod with defaults filled', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = await core.listNamespace();
  assert.deepEqual(ns.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('js-one') });
  assert.equal(created.metadata?.name, 'js-one');
  assert.equal(created.spec?.restartPolicy, 'Always');
  assert.equal(created.spec?.containers[0].imagePullPolicy, 'IfNotPresent');
  const list = await core.listNamespacedPod({ namespace: 'default' });
  assert.deepEqual(list.items.map((p) => p.metadata?.name), ['js-one']);
  await assert.rejects(core.createNamespacedPod({ namespace: 'default', body: pod('js-one') }), (err: any) => err.code === 409);
});

test('an informer sees add, update and delete', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const seen: string[] = [];
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=inf' }), 'app=inf');
  const waitFor = (what: string) => new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${what}; saw ${seen.join(', ')}`)), 15_000);
    const check = () => { if (seen.includes(what)) { clearTimeout(t); resolve(); } else setTimeout(check, 50); };
    check();
  });
  informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.step ?? ''}`.trim()));
  informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
  informer.on('error', () => {});
  await informer.start();
  try {
    await core.createNamespacedPod({ namespace: 'default', body: pod('js-inf', { app: 'inf' }) });
    await waitFor('add js-inf');
    await core.patchNamespacedPod({ namespace: 'default', name: 'js-inf', body: { metadata: { labels: { step: 'two' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await waitFor('update js-inf two');
    await core.deleteNamespacedPod({ namespace: 'default', name: 'js-inf' });
    await waitFor('delete js-inf');
    assert.deepEqual(informer.list().map((p) => p.metadata?.name), []);
    assert.ok(!seen.includes('add js-one'), 'the label selector keeps other pods out');
  } finally {
    await informer.stop();
  }
});
