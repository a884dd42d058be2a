// Admission webhooks beyond deny/patch, with the real kubectl and real HTTPS webhook servers on
// loopback: clientConfig.service resolved through a Service's ready endpoints with TLS checked
// against NAME.NS.svc, matchConditions (CEL) and their errors under failurePolicy,
// reinvocationPolicy IfNeeded, timeoutSeconds, server-side dry run, and upstream's
// validation of bad configurations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../../src/apiserver/tls/serving-cert.js';
import { kubectlAsync, startSecureCluster, type SecureCluster } from './harness.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

describe('admission webhooks', () => {
  let c: SecureCluster;
  let server: https.Server;
  let port = 0;
  let caBundle = '';
  let foreignCA = '';
  const calls: Array<{ path: string; timeout: string | null; request: any }> = [];
  const run = (args: string[], input?: string) => kubectlAsync(c, args, input);
  const ok = async (args: string[], input?: string) => { const r = await run(args, input); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  const apply = (obj: unknown) => ok(['apply', '-f', '-'], JSON.stringify(obj));
  const hook = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
    name, admissionReviewVersions: ['v1'], sideEffects: 'None',
    clientConfig: { service: { namespace: 'whns', name: 'wh', path, port: 443 }, caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    namespaceSelector: { matchLabels: { webhooks: 'on' } },
    ...extra,
  });
  const config = (kind: string, name: string, webhooks: unknown[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks });

  before(async () => {
    // The webhook's certificate names only the Service's DNS name, not 127.0.0.1.
    const tls = await selfSignedCert(['wh.whns.svc']);
    caBundle = Buffer.from(tls.cert).toString('base64');
    foreignCA = Buffer.from((await selfSignedCert(['wh.whns.svc'])).cert).toString('base64');
    server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'https://x');
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const r = review.request;
        calls.push({ path: url.pathname, timeout: url.searchParams.get('timeout'), request: r });
        let response: Record<string, unknown> = { uid: r.uid, allowed: true };
        const labels = r.object?.metadata?.labels ?? {};
        if (url.pathname === '/deny') response = { uid: r.uid, allowed: false, status: { code: 403, message: `no ${r.name}` } };
        // Records whether it saw the label the later webhook adds.
        if (url.pathname === '/first') response = { ...response, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/annotations', value: { 'saw-second': labels.second ? 'yes' : 'no' } }]) };
        if (url.pathname === '/annotate-binding') response = { ...response, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/annotations/bound-by', value: 'webhook' }]) };
        if (url.pathname === '/deny-binding' && r.object?.target?.name === 'forbidden') response = { uid: r.uid, allowed: false, status: { code: 403, message: 'not that node' } };
        if (url.pathname === '/second') response = { ...response, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/labels', value: { ...labels, second: 'added' } }]) };
        const answer = () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response })); };
        if (url.pathname === '/slow') setTimeout(answer, 4000); else answer();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    c = await startSecureCluster();
    await ok(['create', 'namespace', 'whns']);
    await ok(['create', 'namespace', 'hooked']);
    await ok(['label', 'namespace', 'hooked', 'webhooks=on']);
    // Services without selectors whose only ready endpoint is the webhook server on loopback.
    for (const name of ['wh', 'other']) {
      await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'whns' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } });
      await apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${name}-1`, namespace: 'whns', labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4', ports: [{ name: 'https', port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }] });
    }
    await apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'whns' }, spec: { ports: [{ name: 'https', port: 443 }] } });
  });
  after(async () => {
    await c?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('clientConfig.service: called at the Service\'s ready endpoint, TLS checked against NAME.NS.svc', async () => {
    await apply(config('ValidatingWebhookConfiguration', 'svc', [
      hook('deny.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'deny' } } }),
      hook('other-name.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'other' } }, clientConfig: { service: { namespace: 'whns', name: 'other', path: '/deny' }, caBundle } }),
      hook('foreign-ca.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'ca' } }, clientConfig: { service: { namespace: 'whns', name: 'wh', path: '/deny' }, caBundle: foreignCA } }),
      hook('no-endpoints.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'empty' } }, clientConfig: { service: { namespace: 'whns', name: 'empty', path: '/deny' }, caBundle } }),
      hook('no-service.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'gone' } }, clientConfig: { service: { namespace: 'whns', name: 'gone', path: '/deny' }, caBundle } }),
    ]));
    const cm = (name: string, label: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked', labels: { case: label } } });
    const denied = await run(['create', '-f', '-'], JSON.stringify(cm('d1', 'deny')));
    assert.equal(denied.stderr.trim(), 'Error from server: error when creating "STDIN": admission webhook "deny.tskube.test" denied the request: no d1');
    const call = calls.find((x) => x.request.name === 'd1');
    assert.equal(call?.timeout, '10s');
    // The same endpoint behind another Service name: the certificate does not name it.
    const other = await run(['create', '-f', '-'], JSON.stringify(cm('d2', 'other')));
    assert.match(other.stderr, /Internal error occurred: failed calling webhook "other-name\.tskube\.test": failed to call webhook: Post "https:\/\/other\.whns\.svc:443\/deny\?timeout=10s": .*(altnames|other\.whns\.svc)/);
    const ca = await run(['create', '-f', '-'], JSON.stringify(cm('d3', 'ca')));
    assert.match(ca.stderr, /failed calling webhook "foreign-ca\.tskube\.test": failed to call webhook: Post "https:\/\/wh\.whns\.svc:443\/deny\?timeout=10s": .*certificate/);
    const empty = await run(['create', '-f', '-'], JSON.stringify(cm('d4', 'empty')));
    assert.match(empty.stderr, /failed calling webhook "no-endpoints\.tskube\.test": failed to call webhook: no endpoints available for service "empty"/);
    const gone = await run(['create', '-f', '-'], JSON.stringify(cm('d5', 'gone')));
    assert.match(gone.stderr, /failed calling webhook "no-service\.tskube\.test": failed to call webhook: service "gone" not found/);
    for (const n of ['d1', 'd2', 'd3', 'd4', 'd5']) assert.equal((await run(['get', 'configmap', n, '-n', 'hooked'])).code, 1, `${n} must not exist`);
    // An endpoint that is not ready is not used.
    await apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'empty-1', namespace: 'whns', labels: { 'kubernetes.io/service-name': 'empty' } },
      addressType: 'IPv4', ports: [{ name: 'https', port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: false } }] });
    assert.match((await run(['create', '-f', '-'], JSON.stringify(cm('d6', 'empty')))).stderr, /no endpoints available for service "empty"/);
    await ok(['delete', 'validatingwebhookconfiguration', 'svc']);
  });

  it('matchConditions: all must hold; an error follows failurePolicy', async () => {
    await apply(config('ValidatingWebhookConfiguration', 'conditions', [
      hook('named.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'named' } }, matchConditions: [
        { name: 'prefix', expression: 'object.metadata.name.startsWith("chk-")' },
        { name: 'not-admin', expression: '!("system:masters" in request.userInfo.groups) || object.metadata.name.endsWith("-x")' },
      ] }),
      hook('broken-fail.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'fail' } }, matchConditions: [{ name: 'missing', expression: 'object.data.nope == "x"' }] }),
      hook('broken-ignore.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'ignore' } }, failurePolicy: 'Ignore', matchConditions: [{ name: 'missing', expression: 'object.data.nope == "x"' }] }),
      hook('authz.tskube.test', '/deny', { objectSelector: { matchLabels: { case: 'authz' } }, matchConditions: [{ name: 'may-delete-nodes', expression: 'authorizer.group("").resource("nodes").check("delete").allowed()' }] }),
    ]));
    const cm = (name: string, label: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked', labels: { case: label } }, data: { a: 'b' } });
    await ok(['create', '-f', '-'], cm('plain', 'named'));
    await ok(['create', '-f', '-'], cm('chk-1', 'named'));
    assert.match((await run(['create', '-f', '-'], cm('chk-1-x', 'named'))).stderr, /admission webhook "named\.tskube\.test" denied the request: no chk-1-x/);
    assert.equal(calls.filter((x) => x.request.name === 'plain' || x.request.name === 'chk-1').length, 0);
    const failed = await run(['create', '-f', '-'], cm('f1', 'fail'));
    assert.match(failed.stderr, /Internal error occurred: failed calling webhook "broken-fail\.tskube\.test": failed to evaluate match condition "missing": expression 'object\.data\.nope == "x"' resulted in error: /);
    await ok(['create', '-f', '-'], cm('i1', 'ignore'));
    // The admin may delete nodes: the condition holds and the webhook denies.
    assert.match((await run(['create', '-f', '-'], cm('z1', 'authz'))).stderr, /admission webhook "authz\.tskube\.test" denied the request: no z1/);
    await ok(['delete', 'validatingwebhookconfiguration', 'conditions']);
  });

  it('reinvocationPolicy IfNeeded calls a webhook again after a later one changed the object', async () => {
    const mutating = (policy: string) => [
      config('MutatingWebhookConfiguration', 'a-first', [hook('first.tskube.test', '/first', { reinvocationPolicy: policy, objectSelector: { matchLabels: { case: 'reinvoke' } } })]),
      config('MutatingWebhookConfiguration', 'b-second', [hook('second.tskube.test', '/second', { objectSelector: { matchLabels: { case: 'reinvoke' } } })]),
    ];
    const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked', labels: { case: 'reinvoke' } } });
    for (const m of mutating('Never')) await apply(m);
    await ok(['create', '-f', '-'], cm('never'));
    assert.equal(await ok(['get', 'configmap', 'never', '-n', 'hooked', '-o', 'jsonpath={.metadata.annotations.saw-second},{.metadata.labels.second}']), 'no,added');
    assert.equal(calls.filter((x) => x.request.name === 'never' && x.path === '/first').length, 1);
    for (const m of mutating('IfNeeded')) await apply(m);
    await ok(['create', '-f', '-'], cm('ifneeded'));
    assert.equal(await ok(['get', 'configmap', 'ifneeded', '-n', 'hooked', '-o', 'jsonpath={.metadata.annotations.saw-second},{.metadata.labels.second}']), 'yes,added');
    assert.equal(calls.filter((x) => x.request.name === 'ifneeded' && x.path === '/first').length, 2);
    assert.equal(calls.filter((x) => x.request.name === 'ifneeded' && x.path === '/second').length, 1);
    await ok(['delete', 'mutatingwebhookconfiguration', 'a-first', 'b-second']);
  });

  it('timeoutSeconds bounds the call; dry run reaches side-effect-free webhooks', async () => {
    await apply(config('ValidatingWebhookConfiguration', 'timing', [
      hook('slow-fail.tskube.test', '/slow', { timeoutSeconds: 1, objectSelector: { matchLabels: { case: 'slow-fail' } } }),
      hook('slow-ignore.tskube.test', '/slow', { timeoutSeconds: 1, failurePolicy: 'Ignore', objectSelector: { matchLabels: { case: 'slow-ignore' } } }),
      hook('dry.tskube.test', '/deny', { sideEffects: 'NoneOnDryRun', objectSelector: { matchLabels: { case: 'dry' } } }),
    ]));
    const cm = (name: string, label: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked', labels: { case: label } } });
    const slow = await run(['create', '-f', '-'], cm('s1', 'slow-fail'));
    assert.match(slow.stderr, /failed calling webhook "slow-fail\.tskube\.test": failed to call webhook: Post "https:\/\/wh\.whns\.svc:443\/slow\?timeout=1s": context deadline exceeded/);
    assert.equal(calls.find((x) => x.request.name === 's1')?.timeout, '1s');
    await ok(['create', '-f', '-'], cm('s2', 'slow-ignore'));
    const dry = await run(['create', '--dry-run=server', '-f', '-'], cm('dry1', 'dry'));
    assert.match(dry.stderr, /admission webhook "dry\.tskube\.test" denied the request: no dry1/);
    assert.equal(calls.find((x) => x.request.name === 'dry1')?.request.dryRun, true);
    await ok(['delete', 'validatingwebhookconfiguration', 'timing']);
  });

  it('pods/binding is admitted as a CREATE of a v1 Binding, not as an update of the pod', async () => {
    const onBinding = { rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/binding'] }] };
    await apply(config('MutatingWebhookConfiguration', 'binding-m', [hook('annotate-binding.tskube.test', '/annotate-binding', onBinding)]));
    await apply(config('ValidatingWebhookConfiguration', 'binding-v', [
      hook('deny-binding.tskube.test', '/deny-binding', onBinding),
      // A binding must not reach webhooks on pod updates (this one refuses every one).
      hook('pod-updates.tskube.test', '/deny', { rules: [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }),
    ]));
    await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'hooked' } });
    for (const name of ['bound', 'refused']) {
      await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'hooked' }, spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });
    }
    const bind = (pod: string, node: string) => run(['create', '--raw', `/api/v1/namespaces/hooked/pods/${pod}/binding`, '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: pod, annotations: { 'from-scheduler': 'yes' } }, target: { kind: 'Node', name: node } }));

    const r = await bind('bound', 'n1');
    assert.equal(r.code, 0, r.stderr);
    const pod = JSON.parse(await ok(['get', 'pod', '-n', 'hooked', 'bound', '-o', 'json']));
    assert.equal(pod.spec.nodeName, 'n1');
    const { 'from-scheduler': fromScheduler, 'bound-by': boundBy } = pod.metadata.annotations;
    assert.deepEqual([fromScheduler, boundBy], ['yes', 'webhook'], 'the admitted Binding\'s annotations land on the pod');
    const seen = calls.filter((x) => x.path === '/annotate-binding' && x.request.name === 'bound');
    assert.equal(seen.length, 1);
    const req = seen[0].request;
    assert.deepEqual([req.operation, req.kind, req.resource, req.subResource], ['CREATE', { group: '', version: 'v1', kind: 'Binding' }, { group: '', version: 'v1', resource: 'pods' }, 'binding']);
    assert.equal(req.object.kind, 'Binding');
    assert.equal(req.object.target.name, 'n1');
    assert.equal(calls.filter((x) => x.path === '/deny' && x.request.name === 'bound').length, 0, 'no pod UPDATE admitted');

    const refused = await bind('refused', 'forbidden');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /admission webhook "deny-binding.tskube.test" denied the request: not that node/);
    const still = JSON.parse(await ok(['get', 'pod', '-n', 'hooked', 'refused', '-o', 'json']));
    assert.equal(still.spec.nodeName, undefined, 'a refused binding changes nothing');
    assert.equal(still.metadata.annotations?.['from-scheduler'], undefined);
    await ok(['delete', 'validatingwebhookconfiguration', 'binding-v']);
    await ok(['delete', 'mutatingwebhookconfiguration', 'binding-m']);
  });

  it('a bad configuration is refused with upstream\'s field errors, and defaults are filled in', async () => {
    const bad = config('ValidatingWebhookConfiguration', 'bad', [{
      name: 'short', admissionReviewVersions: ['v2'], timeoutSeconds: 31, failurePolicy: 'Sometimes',
      clientConfig: { url: 'http://127.0.0.1/x' },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      matchConditions: [{ name: 'c', expression: 'object.metadata.name ==' }],
    }]);
    const r = await run(['create', '-f', '-'], JSON.stringify(bad));
    assert.notEqual(r.code, 0);
    const text = r.stderr;
    assert.match(text, /^The ValidatingWebhookConfiguration "bad" is invalid: /);
    assert.match(text, /webhooks\[0\]\.name: Invalid value: "short": should be a domain with at least three segments separated by dots/);
    assert.match(text, /webhooks\[0\]\.sideEffects: Required value: must specify one of None, NoneOnDryRun/);
    assert.match(text, /webhooks\[0\]\.admissionReviewVersions: Required value: must specify one of v1, v1beta1/);
    assert.match(text, /webhooks\[0\]\.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"/);
    assert.match(text, /webhooks\[0\]\.timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds/);
    assert.match(text, /webhooks\[0\]\.clientConfig\.url: Invalid value: "http:\/\/127\.0\.0\.1\/x": 'https' is the only allowed URL scheme/);
    assert.match(text, /webhooks\[0\]\.matchConditions\[0\]\.expression: Invalid value: "object\.metadata\.name ==": compilation failed: /);
    assert.equal((await run(['get', 'validatingwebhookconfiguration', 'bad'])).code, 1);
    await apply(config('MutatingWebhookConfiguration', 'defaults', [hook('defaults.tskube.test', '/first', { objectSelector: { matchLabels: { case: 'none' } } })]));
    const got = JSON.parse(await ok(['get', 'mutatingwebhookconfiguration', 'defaults', '-o', 'json'])).webhooks[0];
    assert.deepEqual([got.failurePolicy, got.matchPolicy, got.timeoutSeconds, got.reinvocationPolicy, got.rules[0].scope], ['Fail', 'Equivalent', 10, 'Never', '*']);
  });
});
