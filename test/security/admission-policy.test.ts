// ValidatingAdmissionPolicy with the real kubectl: CEL validations deny in upstream's words
// (`object.spec.replicas <= 5`), params from a ConfigMap with messageExpression, Warn and
// Audit actions, matchConditions and namespaceSelector, failurePolicy on evaluation errors,
// and policies whose CEL does not compile refused at create.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startSecureCluster, type SecureCluster } from './harness.js';

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
    c = await startSecureCluster(['--audit-policy-file', path.join(files, 'audit.yaml'), '--audit-log-path', path.join(files, 'audit.log')]);
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
});
