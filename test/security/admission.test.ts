// Admission with the real kubectl: quota refusals (and no overcommit under concurrent
// creates), real HTTPS webhooks that deny and patch, PodSecurity, DefaultStorageClass, and the pod defaults of
// ServiceAccount, DefaultTolerationSeconds and Priority.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../../src/apiserver/tls/serving-cert.js';
import { kubectlAsync, startSecureCluster, USERS, type SecureCluster } from './harness.js';

const pod = (name: string, ns: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra },
});

describe('admission', () => {
  let c: SecureCluster;
  let webhook: https.Server;
  let webhookPort = 0;
  let caBundle = '';
  const reviews: any[] = [];
  before(async () => {
    const tls = await selfSignedCert(['localhost', '127.0.0.1']);
    caBundle = Buffer.from(tls.cert).toString('base64');
    webhook = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const reqPath = new URL(req.url ?? '/', 'https://x').pathname;
        reviews.push({ path: reqPath, review });
        const uid = review.request.uid;
        let response: Record<string, unknown> = { uid, allowed: true };
        if (reqPath === '/validate' && review.request.object?.data?.forbidden) {
          response = { uid, allowed: false, status: { code: 403, message: 'no forbidden keys' } };
        } else if (reqPath === '/mutate') {
          const patch = [{ op: 'add', path: '/metadata/labels', value: { ...(review.request.object.metadata.labels ?? {}), webhooked: 'yes' } }];
          response = { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
    webhookPort = (webhook.address() as AddressInfo).port;
    c = await startSecureCluster();
  });
  after(async () => {
    await c?.stop();
    await new Promise<void>((r) => (webhook ? webhook.close(() => r()) : r()));
  });

  it('an over-quota create is refused with upstream message', () => {
    c.k('create', 'namespace', 'q');
    c.k('create', 'quota', 'pods-quota', '--hard=pods=2,count/configmaps=5', '-n', 'q');
    c.k('run', 'p1', '--image', 'busybox', '-n', 'q');
    c.k('run', 'p2', '--image', 'busybox', '-n', 'q');
    const third = c.kubectl(['run', 'p3', '--image', 'busybox', '-n', 'q']);
    assert.notEqual(third.code, 0);
    assert.equal(third.stderr.trim(), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=2, limited: pods=2');
    const q = JSON.parse(c.k('get', 'quota', 'pods-quota', '-n', 'q', '-o', 'json'));
    assert.equal(q.status.used.pods, '2');
    assert.equal(q.status.hard.pods, '2');
    // Deleting gives the slot back.
    c.k('delete', 'pod', 'p1', '-n', 'q');
    c.k('run', 'p3', '--image', 'busybox', '-n', 'q');
  });

  it('a create that fails after admission gives its charge back; a graceful deletion gives it back once', async () => {
    c.k('create', 'namespace', 'q3');
    c.k('create', 'quota', 'two', '--hard=pods=2,count/configmaps=2', '-n', 'q3');
    const used = (k: string) => JSON.parse(c.k('get', 'quota', 'two', '-n', 'q3', '-o', 'json')).status.used[k];
    c.k('create', 'configmap', 'cm', '-n', 'q3');
    const again = c.kubectl(['create', 'configmap', 'cm', '-n', 'q3']);
    assert.equal(again.stderr.trim(), 'error: failed to create configmap: configmaps "cm" already exists');
    assert.equal(used('count/configmaps'), '1', 'the AlreadyExists create charged nothing');
    c.k('create', 'configmap', 'cm2', '-n', 'q3');
    // pods bound to a node end gracefully: a terminating pod keeps its slot until it is removed (upstream counts it
    // through its grace period), and the removal gives it back once
    for (const n of ['a', 'b']) {
      const r = await c.request('POST', '/api/v1/namespaces/q3/pods', { token: USERS.admin, body: pod(n, 'q3', { nodeName: 'ghost' }) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    c.k('delete', 'pod', 'a', '-n', 'q3', '--wait=false');
    assert.ok(JSON.parse(c.k('get', 'pod', 'a', '-n', 'q3', '-o', 'json')).metadata.deletionTimestamp, 'a is terminating');
    assert.equal(used('pods'), '2', 'a terminating pod still counts');
    c.k('delete', 'pod', 'a', '-n', 'q3', '--wait=false');
    assert.equal(used('pods'), '2', 'a second graceful delete changes nothing');
    c.k('delete', 'pod', 'a', '-n', 'q3', '--grace-period=0', '--force');
    assert.equal(used('pods'), '1', 'b still counts');
    assert.equal((await c.request('POST', '/api/v1/namespaces/q3/pods', { token: USERS.admin, body: pod('c', 'q3') })).status, 201);
    const over = await c.request('POST', '/api/v1/namespaces/q3/pods', { token: USERS.admin, body: pod('d', 'q3') });
    assert.equal(over.status, 403);
    assert.equal(over.body.message, 'pods "d" is forbidden: exceeded quota: two, requested: pods=1, used: pods=2, limited: pods=2');
  });

  it('concurrent creates never take more than the last slots', async () => {
    c.k('create', 'namespace', 'q2');
    c.k('create', 'quota', 'three', '--hard=pods=3', '-n', 'q2');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.request('POST', '/api/v1/namespaces/q2/pods', { token: USERS.admin, body: pod(`c${i}`, 'q2') })));
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 403, 403, 403, 403, 403]);
    for (const r of results.filter((x) => x.status === 403)) assert.match(r.body.message, /exceeded quota: three, requested: pods=1, used: pods=3, limited: pods=3/);
    assert.equal(JSON.parse(c.k('get', 'pods', '-n', 'q2', '-o', 'json')).items.length, 3);
  });

  it('real HTTPS webhooks deny and patch; failurePolicy decides for a webhook that cannot be reached', async () => {
    const ok = async (...args: string[]) => { const r = await kubectlAsync(c, args); assert.equal(r.code, 0, r.stderr); return r.stdout; };
    await ok('create', 'namespace', 'wh');
    await ok('label', 'namespace', 'wh', 'webhooks=on');
    const hook = (name: string, path: string, resources: string[], failurePolicy = 'Fail', port = webhookPort) => ({
      name, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy, timeoutSeconds: 5,
      clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources }],
      namespaceSelector: { matchLabels: { webhooks: 'on' } },
    });
    await kubectlAsync(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'deny' },
      webhooks: [hook('deny.tskube.test', '/validate', ['configmaps']), hook('down.tskube.test', '/validate', ['secrets'], 'Fail', 1), hook('ignored.tskube.test', '/validate', ['services'], 'Ignore', 1)] }));
    await kubectlAsync(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'label' },
      webhooks: [hook('label.tskube.test', '/mutate', ['configmaps'])] }));
    assert.equal((await ok('get', 'validatingwebhookconfigurations', '-o', 'name')).trim(), 'validatingwebhookconfiguration.admissionregistration.k8s.io/deny');

    const denied = await kubectlAsync(c, ['create', 'configmap', 'bad', '--from-literal=forbidden=1', '-n', 'wh']);
    assert.notEqual(denied.code, 0);
    assert.equal(denied.stderr.trim(), 'error: failed to create configmap: admission webhook "deny.tskube.test" denied the request: no forbidden keys');
    await ok('create', 'configmap', 'good', '--from-literal=fine=1', '-n', 'wh');
    assert.equal(await ok('get', 'configmap', 'good', '-n', 'wh', '-o', 'jsonpath={.metadata.labels.webhooked}'), 'yes');
    const seen = reviews.find((r) => r.path === '/mutate' && r.review.request.name === 'good')?.review;
    assert.equal(seen.apiVersion, 'admission.k8s.io/v1');
    assert.equal(seen.request.operation, 'CREATE');
    assert.deepEqual(seen.request.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.equal(seen.request.userInfo.username, 'e2e-admin');
    // Outside the selected namespace nothing is called.
    await ok('create', 'configmap', 'bad', '--from-literal=forbidden=1', '-n', 'default');
    const down = await kubectlAsync(c, ['create', 'secret', 'generic', 's', '--from-literal=a=b', '-n', 'wh']);
    assert.match(down.stderr, /Internal error occurred: failed calling webhook "down\.tskube\.test": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/validate\?timeout=5s"/);
    await ok('create', 'service', 'clusterip', 'svc', '--tcp=80:80', '-n', 'wh');
  });

  it('PodSecurity enforces and warns by namespace label', () => {
    c.k('create', 'namespace', 'locked');
    c.k('label', 'namespace', 'locked', 'pod-security.kubernetes.io/enforce=restricted');
    const r = c.kubectl(['run', 'p', '--image', 'busybox', '-n', 'locked']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "p" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "p" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "p" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "p" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
    const ok = pod('ok', 'locked', { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    (ok.spec.containers[0] as any).securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    assert.equal(c.kubectl(['create', '-f', '-'], JSON.stringify(ok)).code, 0);
    c.k('create', 'namespace', 'warned');
    c.k('label', 'namespace', 'warned', 'pod-security.kubernetes.io/warn=baseline');
    const w = c.kubectl(['create', '-f', '-'], JSON.stringify(pod('h', 'warned', { hostNetwork: true })));
    assert.equal(w.code, 0);
    assert.match(w.stderr, /Warning: would violate PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
  });

  it('pods get their service account token volume, default tolerations and priority', () => {
    c.k('run', 'plain', '--image', 'busybox');
    const p = JSON.parse(c.k('get', 'pod', 'plain', '-o', 'json'));
    assert.equal(p.spec.serviceAccountName, 'default');
    const vol = p.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
    assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.deepEqual(vol.projected.sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
    assert.deepEqual(p.spec.containers[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    assert.deepEqual(p.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    assert.equal(p.spec.priority, 0);
    c.kubectl(['create', '-f', '-'], JSON.stringify(pod('critical', 'default', { priorityClassName: 'system-cluster-critical' })));
    assert.equal(c.k('get', 'pod', 'critical', '-o', 'jsonpath={.spec.priority}'), '2000000000');
    const nope = c.kubectl(['create', '-f', '-'], JSON.stringify(pod('nope', 'default', { priorityClassName: 'nope' })));
    assert.match(nope.stderr, /pods "nope" is forbidden: no PriorityClass with name nope was found/);
    const sa = c.kubectl(['create', '-f', '-'], JSON.stringify(pod('nosa', 'default', { serviceAccountName: 'ghost' })));
    assert.match(sa.stderr, /pods "nosa" is forbidden: error looking up service account default\/ghost: serviceaccount "ghost" not found/);
  });

  it('DefaultStorageClass gives a claim that names no class the newest default class', async () => {
    const claim = (name: string, cls?: string) => JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(cls === undefined ? {} : { storageClassName: cls }) } });
    const sc = (name: string, isDefault: boolean) => JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', provisioner: 'example.com/x',
      metadata: { name, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} } });
    const cls = (name: string) => c.k('get', 'pvc', name, '-o', 'jsonpath={.spec.storageClassName}');
    const create = (text: string) => { const r = c.kubectl(['create', '-f', '-'], text); assert.equal(r.code, 0, r.stderr); };
    create(claim('before-any'));
    assert.equal(cls('before-any'), '', 'no default class: nothing is set');
    create(sc('older-default', true));
    create(sc('plain', false));
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
    create(sc('newer-default', true));
    create(claim('gets-default'));
    create(claim('explicit-empty', ''));
    create(claim('explicit', 'plain'));
    assert.equal(cls('gets-default'), 'newer-default');
    assert.equal(cls('explicit-empty'), '', 'an explicit "" means no class');
    assert.equal(cls('explicit'), 'plain');
    assert.equal(cls('before-any'), '', 'existing claims are not changed');
  });

  it('system namespaces may not be deleted', () => {
    const r = c.kubectl(['delete', 'namespace', 'kube-system']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });
});
