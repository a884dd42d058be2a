// The study-notes kubectl workflows against tskube apiserver, once on tskube etcd and once
// on real etcd 3.4 (the same server code over both stores).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, STORES, manifest, startCluster } from '../apiserver/harness.js';

const deploymentV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
`;

for (const store of STORES) describe(`kubectl on ${store}`, () => {
  let c: Cluster;
  before(async () => { c = await startCluster({ store }); });
  after(async () => { await c?.stop(); });

  test('system namespaces and the kubernetes service exist at start', () => {
    const ns = c.k('get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}').split(' ').sort();
    assert.deepEqual(ns, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.equal(c.k('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'), '10.96.0.1');
    assert.match(c.k('get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}'), /^\d+\.\d+\.\d+\.\d+$/);
  });

  test('kubectl run creates a defaulted pod; get prints the pod table', () => {
    assert.match(c.k('run', 'nginx', '--image', 'nginx'), /pod\/nginx created/);
    const pod = JSON.parse(c.k('get', 'pod', 'nginx', '-o', 'json'));
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.spec.schedulerName, 'default-scheduler');
    assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(pod.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(pod.status.phase, 'Pending');
    assert.match(pod.metadata.uid, /^[0-9a-f-]{36}$/);
    const table = c.k('get', 'pods');
    assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(table, /\nnginx\s+0\/1\s+Pending\s+0\s+\d+s\n/);
    assert.match(c.k('get', 'pods', '-o', 'wide'), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
    const dup = c.kubectl(['run', 'nginx', '--image', 'nginx']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /pods "nginx" already exists/);
  });

  // These objects go through create -f (JSON bodies); kubectl's typed generators (create
  // namespace/configmap/service…) send protobuf bodies, covered in kubectl-generators.test.ts.
  const createFromText = (name: string, text: string) => c.k('create', '-f', manifest(c, name, text));

  test('create namespace dev; creating into a missing namespace is NotFound', () => {
    assert.match(createFromText('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n'), /namespace\/dev created/);
    assert.equal(c.k('get', 'ns', 'dev', '-o', 'jsonpath={.status.phase}'), 'Active');
    const r = c.kubectl(['run', 'x', '--image', 'busybox:1.36', '-n', 'nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /namespaces "nope" not found/);
  });

  test('validation errors come back as 422 Invalid with field paths', () => {
    const file = manifest(c, 'bad-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n');
    const r = c.kubectl(['create', '-f', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Pod "bad" is invalid: spec.containers: Required value/);
    assert.notEqual(c.kubectl(['get', 'pod', 'bad']).code, 0);
  });


  test('create -f, apply twice with a removed field, replace, scale', () => {
    const file = manifest(c, 'web.yaml', deploymentV1);
    assert.match(c.k('apply', '-f', file), /deployment.apps\/web created/);
    const d1 = JSON.parse(c.k('get', 'deploy', 'web', '-o', 'json'));
    assert.equal(d1.metadata.generation, 1);
    assert.equal(d1.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal(d1.metadata.labels.tier, 'front');
    const v2 = deploymentV1.replace('  labels: {app: web, tier: front}', '  labels: {app: web}').replace('nginx:1.25', 'nginx:1.26');
    manifest(c, 'web.yaml', v2);
    assert.match(c.k('apply', '-f', file), /deployment.apps\/web configured/);
    const d2 = JSON.parse(c.k('get', 'deploy', 'web', '-o', 'json'));
    assert.equal(d2.metadata.labels.tier, undefined, 'label removed from the manifest is removed');
    assert.equal(d2.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d2.metadata.generation, 2);
    assert.match(c.k('scale', '--replicas=6', '-f', file), /deployment.apps\/web scaled/);
    assert.equal(c.k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'), '6');
    manifest(c, 'web.yaml', v2.replace('replicas: 2', 'replicas: 3'));
    assert.match(c.k('replace', '-f', file), /deployment.apps\/web replaced/);
    assert.equal(c.k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'), '3');
    assert.match(c.k('get', 'deploy'), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/3\s+0\s+0\s+/);
    const created = c.kubectl(['create', '-f', file]);
    assert.match(created.stderr, /deployments.apps "web" already exists/);
  });

  test('label, patch (json, merge, strategic), yaml and jsonpath output', () => {
    c.k('label', 'pod', 'nginx', 'env=dev');
    assert.equal(c.k('get', 'pods', '-l', 'env=dev', '-o', 'jsonpath={.items[*].metadata.name}'), 'nginx');
    assert.equal(c.k('get', 'pods', '-l', 'env!=dev', '-o', 'jsonpath={.items[*].metadata.name}'), '');
    c.k('patch', 'pod', 'nginx', '--type', 'merge', '-p', '{"metadata":{"labels":{"m":"1"}}}');
    c.k('patch', 'pod', 'nginx', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}]');
    c.k('patch', 'pod', 'nginx', '-p', '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}');
    const pod = JSON.parse(c.k('get', 'pod', 'nginx', '-o', 'json'));
    assert.equal(pod.metadata.labels.m, '1');
    assert.equal(pod.metadata.annotations.a, 'b');
    assert.equal(pod.spec.containers.length, 1);
    assert.equal(pod.spec.containers[0].image, 'nginx:1.27');
    assert.match(c.k('get', 'pod', 'nginx', '-o', 'yaml'), /image: nginx:1.27/);
    const bad = c.kubectl(['patch', 'pod', 'nginx', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /is invalid|Forbidden/);
  });

  test('field selectors, describe, api-resources', () => {
    assert.equal(c.k('get', 'pods', '--field-selector', 'status.phase=Pending', '-o', 'jsonpath={.items[*].metadata.name}'), 'nginx');
    assert.equal(c.k('get', 'pods', '--field-selector', 'metadata.name=other', '-o', 'name'), '');
    const bad = c.kubectl(['get', 'pods', '--field-selector', 'spec.foo=1']);
    assert.match(bad.stderr, /field label not supported: spec.foo/);
    assert.match(c.k('describe', 'pod', 'nginx'), /Name:\s+nginx[\s\S]*Image:\s+nginx:1.27/);
    const res = c.k('api-resources');
    assert.match(res, /pods\s+po\s+v1\s+true\s+Pod/);
    assert.match(res, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    assert.match(res, /leases\s+coordination.k8s.io\/v1\s+true\s+Lease/);
  });

  test('services get ClusterIPs from the range, never twice; NodePorts from theirs', () => {
    const ips = new Set<string>();
    for (const name of ['a', 'b', 'c']) {
      createFromText(`svc-${name}.yaml`, `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80, targetPort: 8080}]}\n`);
      ips.add(c.k('get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}'));
    }
    assert.equal(ips.size, 3);
    for (const ip of ips) assert.match(ip, /^10\.96\.0\.\d+$/);
    assert.ok(!ips.has('10.96.0.1'));
    createFromText('svc-np.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec: {type: NodePort, ports: [{port: 80}]}\n');
    const port = Number(c.k('get', 'svc', 'np', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
    assert.ok(port >= 30000 && port <= 32767, String(port));
  });

  test('delete removes objects; get -w streams events', async () => {
    const { spawn } = await import('node:child_process');
    const watcher = spawn('/usr/bin/kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'configmaps', '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watcher.stdout.on('data', (d) => { out += d; });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      createFromText('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {k: v}\n');
      c.k('delete', 'configmap', 'watched');
      for (let i = 0; i < 50 && !/DELETED\s+watched/.test(out); i++) await new Promise((r) => setTimeout(r, 200));
    } finally {
      watcher.kill();
    }
    assert.match(out, /ADDED\s+watched\s+1/);
    assert.match(out, /DELETED\s+watched/);
    assert.match(c.k('delete', 'pod', 'nginx'), /pod "nginx" deleted/);
    assert.notEqual(c.kubectl(['get', 'pod', 'nginx']).code, 0);
  });
});
