// What kubectl writes with typed clients as protobuf, through the real kubectl against
// tskube apiserver on tskube etcd: `kubectl autoscale` (autoscaling/v1, converted to the
// stored autoscaling/v2 form) and `kubectl certificate approve|deny` (certificates.k8s.io/v1
// CertificateSigningRequest on /approval).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { webcrypto, x509 } from '../../src/controllers/certificates/x509.js';
import { type Cluster, startCluster } from '../apiserver/harness.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function csrPEM(cn: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as CryptoKeyPair;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: [cn] }], keys, signingAlgorithm: ECDSA })).toString('pem');
}

describe('kubectl autoscale and certificate approve/deny (protobuf bodies)', () => {
  let c: Cluster;
  before(async () => { c = await startCluster(); });
  after(async () => { await c?.stop(); });
  const raw = (p: string) => JSON.parse(c.k('get', '--raw', p));

  test('kubectl autoscale writes autoscaling/v1; v2 reads the CPU metric; v1 reads v2-only fields from annotations', () => {
    c.k('create', 'deployment', 'web', '--image=busybox');
    assert.match(c.k('autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=60'), /horizontalpodautoscaler.autoscaling\/web autoscaled/);
    const v1 = raw('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.deepEqual(v1.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    const v2 = raw('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    assert.equal(v2.metadata.resourceVersion, v1.metadata.resourceVersion, 'one stored object');
    assert.match(c.k('get', 'hpa', 'web'), /web\s+Deployment\/web\s+cpu: <unknown>\/60%\s+2\s+5\s+0/);
    // without --cpu-percent, v1's implicit 80% becomes an explicit metric
    c.k('create', 'deployment', 'plain', '--image=busybox');
    c.k('autoscale', 'deployment', 'plain', '--max=3');
    assert.deepEqual(raw('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/plain').spec.metrics[0].resource.target, { type: 'Utilization', averageUtilization: 80 });

    c.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'two', annotations: { keep: 'me' } },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }));
    const two = raw('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/two');
    assert.equal(two.spec.targetCPUUtilizationPercentage, 50);
    assert.deepEqual(JSON.parse(two.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']),
      [{ type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } }]);
    assert.equal(JSON.parse(two.metadata.annotations['autoscaling.alpha.kubernetes.io/behavior']).scaleDown.stabilizationWindowSeconds, 60);
    // a v1 round trip (replace with a lower CPU target) keeps what only v2 can say, and no annotation is stored
    two.spec.targetCPUUtilizationPercentage = 40;
    c.kubectl(['replace', '-f', '-'], JSON.stringify(two));
    const back = raw('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/two');
    assert.deepEqual(back.spec.metrics.map((m: any) => [m.resource.name, m.resource.target]),
      [['memory', { type: 'AverageValue', averageValue: '100Mi' }], ['cpu', { type: 'Utilization', averageUtilization: 40 }]]);
    assert.equal(back.spec.behavior.scaleDown.stabilizationWindowSeconds, 60);
    assert.equal(back.metadata.annotations.keep, 'me');
    assert.deepEqual(Object.keys(back.metadata.annotations).filter((k) => k.startsWith('autoscaling.alpha')), []);

    // bad input through v1: 422 with the field named, nothing stored
    const bad = c.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 0 } }));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /is invalid: .*maxReplicas/);
    assert.equal(c.kubectl(['get', 'hpa', 'bad']).code, 1);
  });

  test('kubectl certificate approve and deny write the approval subresource', async () => {
    for (const name of ['alice', 'bob']) {
      c.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
        spec: { request: Buffer.from(await csrPEM(name)).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 } }));
    }
    assert.match(c.k('certificate', 'approve', 'alice'), /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    assert.match(c.k('certificate', 'deny', 'bob'), /certificatesigningrequest.certificates.k8s.io\/bob denied/);
    const alice = raw('/apis/certificates.k8s.io/v1/certificatesigningrequests/alice');
    assert.deepEqual(alice.status.conditions.map((x: any) => [x.type, x.status, x.reason]), [['Approved', 'True', 'KubectlApprove']]);
    assert.equal(alice.spec.expirationSeconds, 600);
    const bob = raw('/apis/certificates.k8s.io/v1/certificatesigningrequests/bob');
    assert.deepEqual(bob.status.conditions.map((x: any) => [x.type, x.status, x.reason]), [['Denied', 'True', 'KubectlDeny']]);
    assert.match(c.k('get', 'csr'), /alice\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+e2e-admin\s+10m\s+Approved/);
    // approving a denied request is refused by the API server, and kubectl says so
    const again = c.kubectl(['certificate', 'approve', 'bob']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /Approved and Denied conditions are mutually exclusive|denied/i);
  });
});
