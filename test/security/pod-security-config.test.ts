// PodSecurity configured through --admission-control-config-file (AdmissionConfiguration with a
// PodSecurityConfiguration): defaults for unlabelled namespaces, exemptions by namespace, user
// and runtime class, warnings, and the audit annotations upstream writes; a bad configuration
// ends the start with a clear message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, startSecureCluster, USERS, type SecureCluster } from './harness.js';

const config = (defaults: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
${defaults}
    exemptions:
      usernames: [jane]
      namespaces: [trusted]
      runtimeClasses: [sandboxed]
`;
const privileged = (name: string, ns: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
  spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }], ...extra },
});
const plain = (name: string, ns: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

describe('PodSecurity configuration', () => {
  let c: SecureCluster;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-psa-${process.pid}-`));
  const auditLog = path.join(dir, 'audit.log');
  before(async () => {
    fs.writeFileSync(path.join(dir, 'admission.yaml'), config('      enforce: baseline\n      warn: restricted\n      audit: restricted\n      audit-version: v1.30\n'));
    fs.writeFileSync(path.join(dir, 'audit.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: "", resources: [pods]}]\n- level: None\n');
    c = await startSecureCluster(['--admission-control-config-file', path.join(dir, 'admission.yaml'), '--audit-policy-file', path.join(dir, 'audit.yaml'), '--audit-log-path', auditLog]);
    for (const ns of ['plain', 'trusted', 'open']) c.k('create', 'namespace', ns);
    c.k('label', 'namespace', 'open', 'pod-security.kubernetes.io/enforce=privileged');
  });
  after(async () => { await c?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('the defaults enforce and warn in namespaces without labels; a label overrides them', () => {
    const refused = c.kubectl(['create', '-f', '-'], privileged('p1', 'plain'));
    assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "p1" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    const warned = c.kubectl(['create', '-f', '-'], plain('p2', 'plain'));
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\)/);
    assert.equal(c.kubectl(['create', '-f', '-'], privileged('p3', 'open')).code, 0);
  });

  it('exempt namespaces, users and runtime classes are not checked', () => {
    assert.equal(c.kubectl(['create', '-f', '-'], privileged('ns-exempt', 'trusted')).code, 0);
    c.k('create', 'rolebinding', 'jane-edit', '--clusterrole=edit', '--user=jane', '-n', 'plain');
    const jane = c.as(USERS.jane, ['create', '-f', '-'], privileged('user-exempt', 'plain'));
    assert.equal(jane.code, 0, jane.stderr);
    assert.equal(c.kubectl(['create', '-f', '-'], privileged('rc-exempt', 'plain', { runtimeClassName: 'sandboxed' })).code, 0);
    assert.notEqual(c.kubectl(['create', '-f', '-'], privileged('rc-other', 'plain', { runtimeClassName: 'runc' })).code, 0);
  });

  it('exemptions, the enforced policy and audit violations are audit annotations', () => {
    const events = fs.readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.stage === 'ResponseComplete');
    // (objectRef names no object on a create here, so the events are told apart by namespace and user)
    const ann = events.map((e) => ({ ns: e.objectRef.namespace, user: e.user.username, a: e.annotations ?? {} }));
    const exempt = (v: string) => ann.filter((e) => e.a['pod-security.kubernetes.io/exempt'] === v);
    assert.deepEqual(exempt('namespace').map((e) => e.ns), ['trusted']);
    assert.deepEqual(exempt('user').map((e) => e.user), ['jane']);
    assert.equal(exempt('runtimeClass').length, 1);
    assert.ok(ann.some((e) => e.ns === 'plain' && e.a['pod-security.kubernetes.io/enforce-policy'] === 'baseline:latest'));
    const violations = ann.filter((e) => e.ns === 'plain' && e.a['pod-security.kubernetes.io/audit-violations']);
    assert.ok(violations.length >= 1);
    assert.match(violations[0].a['pod-security.kubernetes.io/audit-violations'], /^would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false/);
  });

  it('a bad PodSecurityConfiguration or AdmissionConfiguration ends the start', async () => {
    const tryStart = async (file: string) => {
      try { const s = await startApiServer(c.etcdURL, dir, ['--admission-control-config-file', file]); await s.stop(); return 'started'; } catch (err) { return (err as Error).message; }
    };
    fs.writeFileSync(path.join(dir, 'bad-level.yaml'), config('      enforce: strict\n'));
    assert.match(await tryStart(path.join(dir, 'bad-level.yaml')), /invalid PodSecurity configuration: defaults.enforce: Unsupported value: "strict": supported values: "privileged", "baseline", "restricted"/);
    fs.writeFileSync(path.join(dir, 'bad-kind.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    assert.match(await tryStart(path.join(dir, 'bad-kind.yaml')), /--admission-control-config-file: .*bad-kind\.yaml is not an AdmissionConfiguration/);
    assert.match(await tryStart(path.join(dir, 'missing.yaml')), /--admission-control-config-file: cannot read .*missing\.yaml: ENOENT/);
  });
});
