// horizontalpodautoscaling against the resource metrics API (metrics.k8s.io/v1beta1
// PodMetrics, served here by a CRD the test fills in with exact figures; real usage through
// the API server's built-in provider is test/e2e/kubectl-top-metrics.test.ts),
// csrapproving/csrsigning with kubectl certificate approve, clusterrole-aggregation,
// serviceaccount-token and endpointslice-mirroring.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEPLOYMENTS, ENDPOINTSLICES, PODS, SECRETS } from '../../src/client/index.js';
import { CLUSTERROLES, CSRS, HPAS } from '../../src/controllers/util/resource-types.js';
import { webcrypto, x509 } from '../../src/controllers/certificates/x509.js';
import { type Env, startEnv, waitFor } from './harness.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function makeCA(dir: string): Promise<{ certFile: string; keyFile: string; cert: x509.X509Certificate }> {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=test-cluster-ca', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000 * 30), keys, signingAlgorithm: ECDSA,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64').replace(/.{64}/g, '$&\n');
  const certFile = path.join(dir, 'ca.crt'); const keyFile = path.join(dir, 'ca.key');
  fs.writeFileSync(certFile, cert.toString('pem') + '\n');
  fs.writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`);
  return { certFile, keyFile, cert };
}

async function csrPEM(cn: string, orgs: string[], dns: string[] = []): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [cn] }, ...orgs.map((o) => ({ O: [o] }))], keys, signingAlgorithm: ECDSA,
    extensions: dns.length ? [new x509.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns' as const, value })))] : [],
  });
  return req.toString('pem');
}

describe('autoscaling, certificates, aggregation, tokens, mirroring', () => {
  let env: Env;
  let ca: Awaited<ReturnType<typeof makeCA>>;
  before(async () => {
    // the built-in metrics.k8s.io provider is off: a CRD stands in for it, so the test sets each pod's usage exactly
    env = await startEnv({ apiserverArgs: ['--metric-resolution=0s'] });
    ca = await makeCA(env.c.dir);
    const sa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(env.c.dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await env.kubelet.addNode('node-a');
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--cluster-signing-cert-file', ca.certFile, '--cluster-signing-key-file', ca.keyFile, '--cluster-signing-duration=24h',
      '--service-account-private-key-file', path.join(env.c.dir, 'sa.key'), '--root-ca-file', ca.certFile,
      '--horizontal-pod-autoscaler-sync-period=1s', '--horizontal-pod-autoscaler-downscale-stabilization=3s', '--horizontal-pod-autoscaler-cpu-initialization-period=1s']);
  });
  after(async () => { await env?.stop(); });

  it('scales a Deployment on CPU utilization from metrics.k8s.io PodMetrics, with conditions and events', async () => {
    await env.k('create', 'deployment', 'hot', '--image=busybox', '--replicas=2');
    await env.k('set', 'resources', 'deployment', 'hot', '--requests=cpu=100m');
    await env.k('autoscale', 'deployment', 'hot', '--min=1', '--max=5', '--cpu-percent=50');
    const hpa = async () => env.client.resource(HPAS).get('default', 'hot');
    const c = (h: Awaited<ReturnType<typeof hpa>>, t: string) => h.status?.conditions?.find((x) => x.type === t);
    // no resource metrics API yet: upstream's condition
    await waitFor('FailedGetResourceMetric', async () => c(await hpa(), 'ScalingActive')?.reason === 'FailedGetResourceMetric');
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'pods.metrics.k8s.io' },
      spec: { group: 'metrics.k8s.io', scope: 'Namespaced', names: { plural: 'pods', singular: 'podmetrics', kind: 'PodMetrics', listKind: 'PodMetricsList' },
        versions: [{ name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    }));
    const report = async (cpu: string) => {
      const pods = (await env.client.resource(PODS).list('default', { labelSelector: 'app=hot' })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      for (const p of pods) {
        const body = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: p.metadata!.name, namespace: 'default', labels: p.metadata!.labels },
          timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), window: '1s', containers: [{ name: 'c', usage: { cpu, memory: '10Mi' } }] };
        await env.kubectl(['apply', '-f', '-'], JSON.stringify(body));
      }
      return pods.length;
    };
    await waitFor('2 pods with 100m requests', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=hot' })).items
      .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.spec!.containers[0].resources?.requests?.cpu === '100m').length === 2, 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // past the CPU initialization period
    await report('150m'); // 150% of request against a 50% target: 3× the pods, capped by --max
    const up = await waitFor('scaled up', async () => { const h = await hpa(); return h.status?.desiredReplicas === 5 && h; }, 60_000);
    assert.equal((await env.client.resource(DEPLOYMENTS).get('default', 'hot')).spec!.replicas, 5);
    assert.equal(c(up, 'ScalingActive')!.reason, 'ValidMetricFound');
    assert.equal(c(up, 'ScalingLimited')!.reason, 'TooManyReplicas');
    assert.equal(up.status!.currentMetrics![0].resource!.current.averageUtilization, 150);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}');
    assert.match(events, /New size: 5; reason: cpu resource utilization \(percentage of request\) above target/);
    // load drops: after the stabilization window it scales down to what 10% of request needs
    await waitFor('5 running', async () => (await env.client.resource(PODS).list('default', { labelSelector: 'app=hot' })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).length === 5, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    await report('10m');
    const down = await waitFor('scaled down', async () => { const h = await hpa(); return h.status?.desiredReplicas === 1 && h; }, 60_000);
    assert.equal(c(down, 'AbleToScale')!.status, 'True');
    assert.equal((await env.client.resource(DEPLOYMENTS).get('default', 'hot')).spec!.replicas, 1);
  });

  it('auto-approves a kubelet client CSR after a SubjectAccessReview and signs it; an approved client CSR is signed, a bad serving one fails', async () => {
    const create = (name: string, pem: string, signerName: string, usages: string[]) => env.client.resource(CSRS).create('', {
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
      spec: { request: Buffer.from(pem).toString('base64'), signerName, usages },
    });
    const approve = async (name: string) => {
      const r = await env.kubectl(['certificate', 'approve', name]);
      assert.equal(r.code, 0, r.stderr);
    };
    await create('node-client', await csrPEM('system:node:node-x', ['system:nodes']), 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']);
    const signed = await waitFor('issued', async () => { const c = await env.client.resource(CSRS).get('', 'node-client'); return c.status?.certificate ? c : undefined; }, 30_000);
    const approved = signed.status!.conditions!.find((c) => c.type === 'Approved')!;
    assert.equal(approved.reason, 'AutoApproved');
    assert.match(approved.message!, /Auto approving kubelet client certificate after SubjectAccessReview/);
    const cert = new x509.X509Certificate(Buffer.from(signed.status!.certificate!, 'base64').toString('utf8'));
    assert.equal(cert.subject, 'CN=system:node:node-x, O=system:nodes');
    assert.equal(cert.issuer, ca.cert.subject);
    assert.ok(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }));
    const lifetime = cert.notAfter.getTime() - Date.now();
    assert.ok(lifetime <= 24 * 3_600_000 && lifetime > 23 * 3_600_000, 'expires after --cluster-signing-duration');
    // a client certificate for a person is left pending until someone approves it
    await create('alice', await csrPEM('alice', ['devs']), 'kubernetes.io/kube-apiserver-client', ['digital signature', 'client auth']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await env.client.resource(CSRS).get('', 'alice')).status?.certificate, undefined);
    await approve('alice');
    await waitFor('alice issued', async () => (await env.client.resource(CSRS).get('', 'alice')).status?.certificate);
    // a serving request without SANs is refused by the kubelet-serving signer
    await create('bad-serving', await csrPEM('system:node:node-x', ['system:nodes']), 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']);
    await approve('bad-serving');
    const failed = await waitFor('Failed', async () => (await env.client.resource(CSRS).get('', 'bad-serving')).status?.conditions?.find((c) => c.type === 'Failed'));
    assert.equal(failed.reason, 'SignerValidationFailure');
  });

  it('aggregates ClusterRoles by label, fills legacy token Secrets and mirrors custom Endpoints', async () => {
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'test/agg': 'true' } }] }, rules: [] }));
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg-part', labels: { 'test/agg': 'true' } }, rules: [{ apiGroups: ['widgets.example.com'], resources: ['widgets'], verbs: ['get'] }] }));
    await waitFor('aggregated', async () => (await env.client.resource(CLUSTERROLES).get('', 'agg')).rules?.some((r) => r.resources?.includes('widgets')));

    await env.k('create', 'serviceaccount', 'robot');
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'robot-token', annotations: { 'kubernetes.io/service-account.name': 'robot' } }, type: 'kubernetes.io/service-account-token' }));
    const secret = await waitFor('token filled', async () => { const s = await env.client.resource(SECRETS).get('default', 'robot-token'); return s.data?.token ? s : undefined; });
    assert.equal(Buffer.from(secret.data!['ca.crt'], 'base64').toString(), fs.readFileSync(ca.certFile, 'utf8'));
    const claims = JSON.parse(Buffer.from(Buffer.from(secret.data!.token, 'base64').toString().split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    await env.k('delete', 'serviceaccount', 'robot');
    await waitFor('token secret deleted with its account', async () => !(await env.client.resource(SECRETS).list('default')).items.some((s) => s.metadata!.name === 'robot-token'));

    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ port: 80 }] } }));
    await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], notReadyAddresses: [{ ip: '192.0.2.11' }], ports: [{ port: 8080 }] }] }));
    const slice = await waitFor('mirrored slice', async () => (await env.client.resource(ENDPOINTSLICES).list('default', { labelSelector: 'kubernetes.io/service-name=ext' })).items[0]);
    assert.equal(slice.metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]), [['192.0.2.10', true], ['192.0.2.11', false]]);
    assert.equal(slice.ports![0].port, 8080);
  });
});
