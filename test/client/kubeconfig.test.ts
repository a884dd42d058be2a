// Kubeconfig and in-cluster configuration parsing against files in a temp dir.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { KubeconfigError, inClusterConfig, loadKubeconfig, parseKubeconfig } from '../../src/client/kubeconfig.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-kubeconfig-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
fs.mkdirSync(path.join(dir, 'pki'));
fs.writeFileSync(path.join(dir, 'pki', 'ca.crt'), CA);
fs.writeFileSync(path.join(dir, 'pki', 'client.crt'), 'CLIENT CERT');
fs.writeFileSync(path.join(dir, 'token'), 'file-token\n');

const full = `apiVersion: v1
kind: Config
current-context: admin@prod
preferences: {}
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: pki/ca.crt
    tls-server-name: kubernetes
- name: dev
  cluster:
    server: https://127.0.0.1:7443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    client-certificate: pki/client.crt
    client-key-data: ${Buffer.from('CLIENT KEY').toString('base64')}
- name: bot
  user:
    tokenFile: token
- name: plain
  user:
    token: abc.def
contexts:
- name: admin@prod
  context: {cluster: prod, user: admin}
- name: bot@dev
  context: {cluster: dev, user: bot, namespace: team-a}
- name: plain@dev
  context: {cluster: dev, user: plain, namespace: "on"}
`;
const file = path.join(dir, 'config');
fs.writeFileSync(file, full);

test('current-context picks cluster server, CA file (relative to the kubeconfig) and client cert/key', () => {
  const c = loadKubeconfig(file);
  assert.equal(c.server, 'https://10.0.0.1:6443');
  assert.equal(c.ca?.toString(), CA);
  assert.equal(c.tlsServerName, 'kubernetes');
  assert.equal(c.insecureSkipTLSVerify, false);
  assert.equal(c.clientCert?.toString(), 'CLIENT CERT');
  assert.equal(c.clientKey?.toString(), 'CLIENT KEY');
  assert.equal(c.token, undefined);
  assert.equal(c.namespace, 'default');
});

test('another context: insecure-skip-tls-verify, tokenFile, namespace; YAML 1.1 keeps "on" a string when quoted', () => {
  const c = loadKubeconfig(file, { context: 'bot@dev' });
  assert.equal(c.server, 'https://127.0.0.1:7443');
  assert.equal(c.insecureSkipTLSVerify, true);
  assert.equal(c.tokenFile, path.join(dir, 'token'));
  assert.equal(c.namespace, 'team-a');
  const p = loadKubeconfig(file, { context: 'plain@dev', namespace: undefined });
  assert.equal(p.token, 'abc.def');
  assert.equal(p.namespace, 'on');
  assert.equal(loadKubeconfig(file, { context: 'plain@dev', namespace: 'kube-system' }).namespace, 'kube-system');
});

test('KUBECONFIG is used when no file is given', () => {
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = `${file}${path.delimiter}/nonexistent`;
  try {
    assert.equal(loadKubeconfig().server, 'https://10.0.0.1:6443');
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = saved;
  }
});

test('malformed kubeconfigs fail with a message naming the problem', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseKubeconfig(text, 'k.yaml'), (e: Error) => e instanceof KubeconfigError && re.test(e.message));
  bad('clusters: [\n', /k\.yaml: invalid YAML/);
  bad('- just\n- a list\n', /not a kubeconfig/);
  bad('kind: Pod\ncurrent-context: x\n', /kind is "Pod", expected "Config"/);
  bad('kind: Config\nclusters: []\n', /current-context is not set/);
  bad('kind: Config\ncurrent-context: nope\ncontexts: []\n', /context "nope" not found/);
  bad('kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]\nclusters: [{name: y, cluster: {server: "https://a"}}]\n', /cluster "x" not found/);
  bad('kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: x}}]\nclusters: [{name: x, cluster: {}}]\n', /cluster "x" has no server/);
  bad('kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: x}}]\nclusters: [{name: x, cluster: {server: "not a url"}}]\n', /is not a URL/);
  bad('kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: x, user: u}}]\nclusters: [{name: x, cluster: {server: "https://a"}}]\nusers: [{name: u, user: {client-certificate: missing.crt}}]\n', /client-certificate: cannot read .*missing\.crt/);
  bad('kind: Config\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: x}}]\nclusters: [{name: x, cluster: {server: "https://a", insecure-skip-tls-verify: "maybe"}}]\n', /insecure-skip-tls-verify must be a boolean/);
  assert.throws(() => loadKubeconfig(path.join(dir, 'absent')), /cannot read kubeconfig .*absent/);
});

test('in-cluster config from KUBERNETES_SERVICE_HOST/PORT and the service account files', () => {
  const sa = path.join(dir, 'sa');
  fs.mkdirSync(sa);
  assert.throws(() => inClusterConfig({}, sa), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  assert.throws(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa), /token does not exist/);
  fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
  fs.writeFileSync(path.join(sa, 'ca.crt'), CA);
  fs.writeFileSync(path.join(sa, 'namespace'), 'kube-system');
  const c = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa);
  assert.equal(c.server, 'https://10.96.0.1:443');
  assert.equal(c.tokenFile, path.join(sa, 'token'));
  assert.equal(c.ca?.toString(), CA);
  assert.equal(c.namespace, 'kube-system');
  assert.equal(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, sa).server, 'https://[fd00::1]:6443');
});
