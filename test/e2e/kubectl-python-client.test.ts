// The official Python client (python3-kubernetes) against tskube apiserver: create and list.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../apiserver/harness.js';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const script = `
import sys, kubernetes
kubernetes.config.load_kube_config(config_file=sys.argv[1])
v1 = kubernetes.client.CoreV1Api()
v1.create_namespaced_config_map('default', kubernetes.client.V1ConfigMap(metadata=kubernetes.client.V1ObjectMeta(name='from-python'), data={'k': 'v'}))
print(','.join(sorted(ns.metadata.name for ns in v1.list_namespace().items)))
print(','.join(cm.metadata.name for cm in v1.list_namespaced_config_map('default').items))
try:
    v1.read_namespaced_pod('missing', 'default')
except kubernetes.client.exceptions.ApiException as e:
    print(e.status)
`;

test('python3-kubernetes creates a configmap and lists namespaces and configmaps', () => {
  const r = spawnSync('/usr/bin/python3', ['-c', script, c.kubeconfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['default,kube-node-lease,kube-public,kube-system', 'from-python', '404']);
  assert.equal(c.k('get', 'configmap', 'from-python', '-o', 'jsonpath={.data.k}'), 'v');
});
