// ValidatingAdmissionPolicy with the real kubectl: CEL validations deny in upstream's words
// (`object.spec.replicas <= 5`), params from a ConfigMap with messageExpression, Warn and
// Audit actions, matchConditions and namespaceSelector, failurePolicy on evaluation errors,
// the `authorizer` variable with composed `variables`, Kubernetes' CEL libraries (quantity,
// url, cidr, lists, regex), and policies whose CEL does not compile or type-check refused at create.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startSecureCluster, USERS, type SecureCluster } from './harness.js';

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec });
const binding = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec });
const deployments = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] };

describe('ValidatingAdmissionPolicy', () => {
  let c: SecureCluster;
  let files: string;
  const apply = (...objs: unknown[]) => {
    const r = c.kubectl(['apply', '-f', '-'], objs.map((o) => stringify(o)).join('---\n'));
    assert.equal(r.code, 0, r.stderr);
  };
  before(async () => {
    files = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-vap-${process.pid}-`));
    fs.writeFileSync(path.join(files, 'audit.yaml'), stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata', resources: [{ group: 'apps', resources: ['deployments'] }] }] }));
    // RBAC, so that the `authorizer` variable has something to say (the admin is in system:masters).
    c = await startSecureCluster(['--authorization-mode', 'RBAC', '--audit-policy-file', path.join(files, 'audit.yaml'), '--audit-log-path', path.join(files, 'audit.log')]);
    c.k('create', 'namespace', 'vap');
    c.k('create', 'namespace', 'free');
    c.k('label', 'namespace', 'vap', 'environment=test');
    apply(
      policy('demo-policy.example.com', { failurePolicy: 'Fail', matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas <= 5' }] }),
      binding('demo-binding-test.example.com', {
        policyName: 'demo-policy.example.com', validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { environment: 'test' } } },
      }),
    );
  });
  after(async () => { await c?.stop(); fs.rmSync(files, { recursive: true, force: true }); });

  it('denies a Deployment past the limit with upstream\'s message, allows one within it', async () => {
    const r = c.kubectl(['create', 'deployment', 'nginx', '-n', 'vap', '--image=nginx', '--replicas=6']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'error: failed to create deployment: deployments.apps "nginx" is forbidden: ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-test.example.com\' denied request: failed expression: object.spec.replicas <= 5');
    const raw = await c.request('POST', '/apis/apps/v1/namespaces/vap/deployments', { token: (await import('./harness.js')).USERS.admin, body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw' },
      spec: { replicas: 9, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } });
    assert.equal(raw.status, 422);
    assert.equal(raw.body.reason, 'Invalid');
    assert.deepEqual(raw.body.details.causes, [{ message: 'ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-test.example.com\' denied request: failed expression: object.spec.replicas <= 5' }]);
    c.k('create', 'deployment', 'nginx', '-n', 'vap', '--image=nginx', '--replicas=3');
    const patch = c.kubectl(['patch', 'deployment', 'nginx', '-n', 'vap', '--type=merge', '-p', '{"spec":{"replicas":7}}']);
    // kubectl's rendering of the 422 for updates, word for word as in upstream's documentation
    assert.equal(patch.stderr.trim(), 'The deployments "nginx" is invalid: : ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-test.example.com\' denied request: failed expression: object.spec.replicas <= 5');
  });

  it('kubectl scale is an UPDATE of deployments/scale with Scale objects: a policy on deployments does not see it, one on deployments/scale does', async () => {
    // As upstream: the demo policy (deployments only) lets `kubectl scale` past its limit.
    c.k('scale', 'deployment', 'nginx', '-n', 'vap', '--replicas=7');
    assert.equal(JSON.parse(c.k('get', 'deployment', 'nginx', '-n', 'vap', '-o', 'json')).spec.replicas, 7);
    apply(
      policy('scale-steps', {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments/scale'] }] },
        validations: [{ expression: 'request.kind.kind == "Scale" && object.spec.replicas <= oldObject.spec.replicas + 1', message: 'one replica at a time' }],
      }),
      binding('scale-steps', { policyName: 'scale-steps', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { environment: 'test' } } } }),
    );
    let refused = c.kubectl(['scale', 'deployment', 'nginx', '-n', 'vap', '--replicas=9']);
    for (let i = 0; i < 50 && refused.code === 0; i++) {
      // The policy reaches the admission plugin through its informer: wait for it.
      c.k('scale', 'deployment', 'nginx', '-n', 'vap', '--replicas=7');
      await new Promise((r) => setTimeout(r, 100));
      refused = c.kubectl(['scale', 'deployment', 'nginx', '-n', 'vap', '--replicas=9']);
    }
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ValidatingAdmissionPolicy 'scale-steps' with binding 'scale-steps' denied request: one replica at a time/);
    assert.equal(JSON.parse(c.k('get', 'deployment', 'nginx', '-n', 'vap', '-o', 'json')).spec.replicas, 7, 'a refused scale changes nothing');
    c.k('scale', 'deployment', 'nginx', '-n', 'vap', '--replicas=8');
    assert.equal(JSON.parse(c.k('get', 'deployment', 'nginx', '-n', 'vap', '-o', 'json')).spec.replicas, 8);
    c.k('delete', 'validatingadmissionpolicybinding', 'scale-steps');
    c.k('delete', 'validatingadmissionpolicy', 'scale-steps');
  });

  it('the binding\'s namespaceSelector limits where the policy applies', () => {
    c.k('create', 'deployment', 'big', '-n', 'free', '--image=nginx', '--replicas=8');
  });

  it('params from a ConfigMap, messageExpression and a Warn binding', () => {
    c.k('create', 'configmap', 'limits', '-n', 'free', '--from-literal=maxReplicas=2');
    apply(
      policy('max-replicas', {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, matchConstraints: deployments,
        validations: [{ expression: 'object.spec.replicas <= int(params.data.maxReplicas)', messageExpression: '"replicas " + string(object.spec.replicas) + " is more than " + params.data.maxReplicas', reason: 'Forbidden' }],
      }),
      binding('max-replicas-warn', { policyName: 'max-replicas', validationActions: ['Warn', 'Audit'], paramRef: { name: 'limits', namespace: 'free', parameterNotFoundAction: 'Deny' },
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'free' } } } }),
    );
    const r = c.kubectl(['create', 'deployment', 'warned', '-n', 'free', '--image=nginx', '--replicas=4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-warn': replicas 4 is more than 2$/m);
    const log = fs.readFileSync(path.join(files, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const ev = log.find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.namespace === 'free' && e.annotations?.['validation.policy.admission.k8s.io/validation_failure']);
    assert.ok(ev, 'audit event with the validation failure');
    const failures = JSON.parse(ev.annotations['validation.policy.admission.k8s.io/validation_failure']);
    assert.deepEqual(failures, [{ message: 'replicas 4 is more than 2', policy: 'max-replicas', binding: 'max-replicas-warn', expressionIndex: 0, validationActions: ['Warn', 'Audit'] }]);
  });

  it('a Deny binding with a param reason Forbidden answers 403; missing params deny', async () => {
    apply(binding('max-replicas-deny', { policyName: 'max-replicas', validationActions: ['Deny'], paramRef: { name: 'limits', namespace: 'free', parameterNotFoundAction: 'Deny' },
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'free' } } } }));
    const r = c.kubectl(['create', 'deployment', 'three', '-n', 'free', '--image=nginx', '--replicas=3']);
    assert.match(r.stderr, /^error: failed to create deployment: deployments\.apps "three" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-deny' denied request: replicas 3 is more than 2$/m);
    c.k('delete', 'configmap', 'limits', '-n', 'free');
    const gone = c.kubectl(['create', 'deployment', 'one', '-n', 'free', '--image=nginx', '--replicas=1']);
    assert.match(gone.stderr, /denied request: no params found for policy binding with `Deny` parameterNotFoundAction/);
    c.k('delete', 'validatingadmissionpolicybinding', 'max-replicas-deny', 'max-replicas-warn');
  });

  it('matchConditions, and failurePolicy on an expression that fails', () => {
    apply(
      policy('labels-required', {
        failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
        matchConditions: [{ name: 'only-checked', expression: 'has(object.metadata.labels) && "checked" in object.metadata.labels' }],
        validations: [{ expression: 'object.metadata.labels.team != ""' }, { expression: 'object.data.size > 1' }],
      }),
      binding('labels-required', { policyName: 'labels-required', validationActions: ['Deny'] }),
    );
    c.k('create', 'configmap', 'unchecked', '-n', 'free', '--from-literal=a=b');
    const r = c.kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'checked', namespace: 'free', labels: { checked: 'ok', team: 'x' } }, data: { a: 'b' } }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidatingAdmissionPolicy 'labels-required' with binding 'labels-required' denied request: expression 'object\.data\.size > 1' resulted in error: /);
    c.k('patch', 'validatingadmissionpolicy', 'labels-required', '--type=merge', '-p', '{"spec":{"failurePolicy":"Ignore"}}');
    const ok = c.kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'checked', namespace: 'free', labels: { checked: 'ok', team: 'x' } }, data: { a: 'b' } }));
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('a policy whose CEL does not compile is refused at create', () => {
    const r = c.kubectl(['apply', '-f', '-'], stringify(policy('broken', { matchConstraints: deployments, validations: [{ expression: 'object.spec.replicas <=' }] })));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The ValidatingAdmissionPolicy "broken" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: /);
  });

  it('the authorizer variable, composed variables and requestResource', () => {
    c.k('create', 'namespace', 'authz');
    c.k('create', 'rolebinding', 'jane-edit', '--clusterrole=edit', '--user=jane', '-n', 'authz');
    const configmaps = { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }] };
    apply(
      policy('privileged-label', {
        matchConstraints: configmaps,
        variables: [
          { name: 'privileged', expression: 'has(object.metadata.labels) && "privileged" in object.metadata.labels' },
          { name: 'mayDeleteNodes', expression: 'authorizer.group("").resource("nodes").check("delete").allowed()' },
        ],
        validations: [
          { expression: '!variables.privileged || variables.mayDeleteNodes', messageExpression: '"user " + request.userInfo.username + " may not label configmaps privileged"', reason: 'Forbidden' },
          { expression: 'authorizer.requestResource.check("create").allowed() && authorizer.requestResource.namespace("authz").name(object.metadata.name).check("get").allowed()' },
        ],
      }),
      binding('privileged-label', { policyName: 'privileged-label', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'authz' } } } }),
    );
    const cm = (name: string, labels: Record<string, string> = {}) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'authz', labels } });
    const denied = c.as(USERS.jane, ['create', '-f', '-'], cm('p1', { privileged: 'granted' }));
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": configmaps "p1" is forbidden: ValidatingAdmissionPolicy \'privileged-label\' with binding \'privileged-label\' denied request: user jane may not label configmaps privileged');
    const plain = c.as(USERS.jane, ['create', '-f', '-'], cm('p2'));
    assert.equal(plain.code, 0, plain.stderr);
    c.kubectl(['create', '-f', '-'], cm('p3', { privileged: 'granted' }));
    assert.equal(c.k('get', 'configmap', 'p3', '-n', 'authz', '-o', 'jsonpath={.metadata.labels.privileged}'), 'granted');
    c.k('delete', 'validatingadmissionpolicybinding', 'privileged-label');
  });

  it('Kubernetes CEL libraries: quantity, url, cidr, lists and regex', () => {
    c.k('create', 'namespace', 'libs');
    apply(
      policy('config-rules', {
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
        validations: [
          { expression: '!has(object.data.memory) || quantity(object.data.memory).isLessThan(quantity("1Gi"))', messageExpression: '"memory " + object.data.memory + " is not below 1Gi"' },
          { expression: '!has(object.data.endpoint) || (isURL(object.data.endpoint) && url(object.data.endpoint).getScheme() == "https")', message: 'endpoint must be an https URL' },
          { expression: '!has(object.data.source) || (isIP(object.data.source) && cidr("10.0.0.0/8").containsIP(ip(object.data.source)))', message: 'source must be an address in 10.0.0.0/8' },
          { expression: '!has(object.data.ports) || object.data.ports.split(",").map(p, int(p)).isSorted()', message: 'ports must be sorted' },
          { expression: '!has(object.data.version) || object.data.version.find("^v[0-9]+$") != ""', message: 'version must look like v1' },
        ],
      }),
      binding('config-rules', { policyName: 'config-rules', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'libs' } } } }),
    );
    const good = { memory: '512Mi', endpoint: 'https://example.com:8443/x', source: '10.1.2.3', ports: '80,443,8080', version: 'v2' };
    const create = (name: string, data: Record<string, string>) => c.kubectl(['create', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'libs' }, data }));
    const fine = create('good', good);
    assert.equal(fine.code, 0, fine.stderr);
    const cases: Array<[Record<string, string>, string]> = [
      [{ memory: '2Gi' }, 'memory 2Gi is not below 1Gi'],
      [{ endpoint: 'http://example.com' }, 'endpoint must be an https URL'],
      [{ source: '192.168.0.1' }, 'source must be an address in 10.0.0.0/8'],
      [{ ports: '443,80' }, 'ports must be sorted'],
      [{ version: 'latest' }, 'version must look like v1'],
    ];
    for (const [i, [data, message]] of cases.entries()) {
      const r = create(`bad-${i}`, { ...good, ...data });
      // kubectl's rendering of a 422 whose only cause has no field (as in upstream's documentation).
      assert.equal(r.stderr.trim(), `The configmaps "bad-${i}" is invalid: : ValidatingAdmissionPolicy 'config-rules' with binding 'config-rules' denied request: ${message}`);
    }
    c.k('delete', 'validatingadmissionpolicybinding', 'config-rules');
  });

  it('a policy whose CEL does not type-check is refused at create', () => {
    const r = c.kubectl(['apply', '-f', '-'], stringify(policy('mistyped', { matchConstraints: deployments, validations: [
      { expression: 'quantity(1).isZero()' }, { expression: '"a" + "b"' },
    ] })));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.validations\[0\]\.expression: Invalid value: "quantity\(1\)\.isZero\(\)": compilation failed: found no matching overload for 'quantity\(int\)'/);
    assert.match(r.stderr, /spec\.validations\[1\]\.expression: Invalid value: "\\"a\\" \+ \\"b\\"": compilation failed: cel expression must evaluate to a bool, got string/);
  });
});
