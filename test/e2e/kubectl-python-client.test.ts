// The official Python client (python3-kubernetes) against tskube apiserver: create, list, watch.
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

const watchScript = `
import sys, threading, kubernetes
kubernetes.config.load_kube_config(config_file=sys.argv[1])
v1 = kubernetes.client.CoreV1Api()
rv = v1.list_namespaced_config_map('default').metadata.resource_version
def writer():
    v1.create_namespaced_config_map('default', kubernetes.client.V1ConfigMap(metadata=kubernetes.client.V1ObjectMeta(name='watched'), data={'a': '1'}))
    v1.patch_namespaced_config_map('watched', 'default', {'data': {'a': '2'}})
    v1.delete_namespaced_config_map('watched', 'default')
threading.Timer(0.5, writer).start()
w = kubernetes.watch.Watch()
seen = []
for ev in w.stream(v1.list_namespaced_config_map, 'default', resource_version=rv, timeout_seconds=30):
    seen.append('%s %s %s' % (ev['type'], ev['object'].metadata.name, (ev['object'].data or {}).get('a')))
    if ev['type'] == 'DELETED':
        w.stop()
print('\\n'.join(seen))
`;

test('python3-kubernetes watches configmaps from a resourceVersion: ADDED, MODIFIED, DELETED', () => {
  const r = spawnSync('/usr/bin/python3', ['-c', watchScript, c.kubeconfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['ADDED watched 1', 'MODIFIED watched 2', 'DELETED watched 2']);
});
