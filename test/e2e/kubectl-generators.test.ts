// kubectl's built-in generators send protobuf bodies (application/vnd.kubernetes.protobuf);
// each one here runs against real etcd + tskube apiserver, and the stored object is read
// back with `kubectl get -o json`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, TOKEN, startCluster } from '../apiserver/harness.js';
import { encodeProtobuf } from '../../src/api/protobuf/index.js';
import { selfSignedCert } from '../../src/apiserver/tls/serving-cert.js';

describe('kubectl create generators (protobuf bodies) on real etcd', () => {
  let c: Cluster;
  before(async () => { c = await startCluster({ store: 'etcd' }); });
  after(async () => { await c?.stop(); });

  const get = (...args: string[]) => JSON.parse(c.k('get', ...args, '-o', 'json'));

  test('namespace, configmap, serviceaccount', () => {
    assert.match(c.k('create', 'namespace', 'gen'), /namespace\/gen created/);
    const ns = get('namespace', 'gen');
    assert.equal(ns.status.phase, 'Active');
    assert.ok(ns.metadata.uid && ns.metadata.creationTimestamp);
    c.k('create', 'configmap', 'cfg', '-n', 'gen', '--from-literal=a=1', '--from-literal=empty=');
    assert.deepEqual(get('configmap', 'cfg', '-n', 'gen').data, { a: '1', empty: '' });
    c.k('create', 'serviceaccount', 'robot', '-n', 'gen');
    assert.equal(get('serviceaccount', 'robot', '-n', 'gen').metadata.namespace, 'gen');
  });

  test('secrets: generic, tls, docker-registry', async () => {
    c.k('create', 'secret', 'generic', 'plain', '--from-literal=user=admin', '--type=Opaque');
    const plain = get('secret', 'plain');
    assert.equal(plain.type, 'Opaque');
    assert.equal(Buffer.from(plain.data.user, 'base64').toString(), 'admin');
    const { cert, key } = await selfSignedCert(['example.test']);
    fs.writeFileSync(path.join(c.dir, 'tls.crt'), cert);
    fs.writeFileSync(path.join(c.dir, 'tls.key'), key);
    c.k('create', 'secret', 'tls', 'web-tls', `--cert=${path.join(c.dir, 'tls.crt')}`, `--key=${path.join(c.dir, 'tls.key')}`);
    const tls = get('secret', 'web-tls');
    assert.equal(tls.type, 'kubernetes.io/tls');
    assert.equal(Buffer.from(tls.data['tls.crt'], 'base64').toString(), cert);
    c.k('create', 'secret', 'docker-registry', 'pull', '--docker-server=reg.test', '--docker-username=u', '--docker-password=p');
    const pull = get('secret', 'pull');
    assert.equal(pull.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString()).auths['reg.test'].username, 'u');
  });

  test('services: clusterip, nodeport, loadbalancer, externalname', () => {
    c.k('create', 'service', 'clusterip', 'cip', '--tcp=80:8080');
    const cip = get('service', 'cip');
    assert.equal(cip.spec.type, 'ClusterIP');
    assert.match(cip.spec.clusterIP, /^10\.96\.0\.\d+$/);
    assert.deepEqual(cip.spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol]), [[80, 8080, 'TCP']]);
    c.k('create', 'service', 'nodeport', 'np', '--tcp=81:http', '--node-port=30081');
    const np = get('service', 'np');
    assert.equal(np.spec.ports[0].nodePort, 30081);
    assert.equal(np.spec.ports[0].targetPort, 'http');
    c.k('create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443');
    assert.equal(get('service', 'lb').spec.type, 'LoadBalancer');
    c.k('create', 'service', 'externalname', 'ext', '--external-name=db.example.test');
    const ext = get('service', 'ext');
    assert.equal(ext.spec.externalName, 'db.example.test');
    assert.equal(ext.spec.clusterIP, undefined);
  });

  test('deployment, then expose it', () => {
    c.k('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80');
    const d = get('deployment', 'web');
    assert.equal(d.spec.replicas, 3);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80);
    c.k('create', 'deployment', 'idle', '--image=nginx', '--replicas=0');
    assert.equal(get('deployment', 'idle').spec.replicas, 0);
    c.k('expose', 'deployment', 'web', '--port=8000', '--target-port=80', '--name=web-svc');
    const svc = get('service', 'web-svc');
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort], [8000, 80]);
  });

  test('job and cronjob', () => {
    c.k('create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi');
    const job = get('job', 'once');
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    c.k('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date');
    const cj = get('cronjob', 'tick');
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  });

  test('create job --from=cronjob: ownerReferences with controller true', () => {
    c.k('create', 'job', 'manual', '--from=cronjob/tick');
    const job = get('job', 'manual');
    const owner = job.metadata.ownerReferences[0];
    assert.deepEqual([owner.kind, owner.name, owner.controller], ['CronJob', 'tick', true]);
    assert.equal(owner.uid, get('cronjob', 'tick').metadata.uid);
  });

  test('rollout restart, pause and resume; scale', () => {
    c.k('rollout', 'restart', 'deployment/web');
    assert.ok(get('deployment', 'web').spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    c.k('rollout', 'pause', 'deployment/web');
    assert.equal(get('deployment', 'web').spec.paused, true);
    c.k('rollout', 'resume', 'deployment/web');
    assert.equal(get('deployment', 'web').spec.paused, undefined);
    c.k('scale', 'deployment/web', '--replicas=5');
    assert.equal(get('deployment', 'web').spec.replicas, 5);
  });

  test('quota, priorityclass, poddisruptionbudget', () => {
    c.k('create', 'quota', 'q', '--hard=cpu=2,memory=1Gi,pods=10', '--scopes=NotBestEffort');
    const q = get('resourcequota', 'q');
    assert.deepEqual(q.spec.hard, { cpu: '2', memory: '1Gi', pods: '10' });
    assert.deepEqual(q.spec.scopes, ['NotBestEffort']);
    c.k('create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never');
    const pc = get('priorityclass', 'high');
    assert.deepEqual([pc.value, pc.description, pc.preemptionPolicy], [1000, 'important', 'Never']);
    c.k('create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%');
    const pdb = get('poddisruptionbudget', 'pdb');
    assert.equal(pdb.spec.minAvailable, '50%');
    assert.deepEqual(pdb.spec.selector, { matchLabels: { app: 'web' } });
  });

  test('rbac: role, rolebinding, clusterrole, clusterrolebinding', () => {
    c.k('create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=web');
    const role = get('role', 'reader');
    assert.deepEqual(role.rules.map((r: any) => [r.apiGroups, r.resources, r.resourceNames, r.verbs]), [
      [[''], ['pods'], ['web'], ['get', 'list']],
      [['apps'], ['deployments'], ['web'], ['get', 'list']],
    ]);
    c.k('create', 'rolebinding', 'read', '--role=reader', '--user=bob', '--serviceaccount=default:robot');
    const rb = get('rolebinding', 'read');
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(rb.subjects, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }, { kind: 'ServiceAccount', name: 'robot', namespace: 'default' }]);
    c.k('create', 'clusterrole', 'metrics', '--verb=get', '--non-resource-url=/metrics');
    assert.deepEqual(get('clusterrole', 'metrics').rules, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
    c.k('create', 'clusterrolebinding', 'metrics', '--clusterrole=metrics', '--group=ops');
    assert.deepEqual(get('clusterrolebinding', 'metrics').subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }]);
  });

  test('a bad protobuf body is refused with a 400 Status and stores nothing', async () => {
    const send = (body: Buffer) => new Promise<{ code: number; status: any }>((resolve, reject) => {
      const req = https.request(`${c.apiURL}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', rejectUnauthorized: false,
        headers: { 'content-type': 'application/vnd.kubernetes.protobuf', authorization: `Bearer ${TOKEN}` },
      }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ code: res.statusCode ?? 0, status: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const garbage = await send(Buffer.from('k8s\0garbage'));
    assert.equal(garbage.code, 400);
    assert.equal(garbage.status.kind, 'Status');
    assert.equal(garbage.status.reason, 'BadRequest');
    const wrongKind = await send(encodeProtobuf({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sneaky' } }));
    assert.equal(wrongKind.code, 400);
    assert.match(wrongKind.status.message, /kind in the data \(Secret\) does not match/);
    assert.equal(c.kubectl(['get', 'configmap', 'sneaky']).code, 1);
    const ok = await send(encodeProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'viaproto' }, data: { k: 'v' } }));
    assert.equal(ok.code, 201);
    assert.equal(ok.status.metadata.name, 'viaproto');
    assert.deepEqual(get('configmap', 'viaproto').data, { k: 'v' });
  });

  test('auth can-i and auth whoami send protobuf reviews', () => {
    assert.equal(c.k('auth', 'can-i', 'create', 'pods').trim(), 'yes');
    assert.match(c.k('auth', 'whoami'), /Username\s+e2e-admin/);
  });

  test('create token sends a protobuf TokenRequest', () => {
    c.k('create', 'serviceaccount', 'tokened');
    const out = c.kubectl(['create', 'token', 'tokened']);
    // A JWT when the server has a signing key (test/e2e/kubectl-auth covers that); this
    // cluster has none, so the body must still decode and the server answer with a Status.
    if (out.code === 0) assert.match(out.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    else assert.match(out.stderr, /failed to create token: serviceaccounts\/token "tokened"/);
  });
});
