// The kubeadm PKI tree and kubeconfigs: subjects, SANs, signatures, file modes, idempotence,
// expiry listing and clear errors for faulty files — against real X.509 parsed by node/OpenSSL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ensurePki } from '../../src/admin/pki/ensure-pki.js';
import { certSANs } from '../../src/admin/pki/existing.js';
import { expiryReport, formatExpiryReport, shortHumanDuration } from '../../src/admin/pki/expiration.js';
import { firstServiceIP } from '../../src/admin/pki/service-ip.js';
import { controlPlaneKubeconfigs } from '../../src/admin/kubeconfig/kubeconfig-specs.js';
import { ensureKubeconfig } from '../../src/admin/kubeconfig/ensure-kubeconfig.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-pki-'));
const opts = (dir: string) => ({ certDir: path.join(dir, 'pki'), advertiseAddress: '192.168.7.9', serviceCIDR: '10.96.0.0/12', nodeName: 'node-a', extraSANs: ['api.example.test'] });
const cert = (dir: string, f: string) => new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'pki', f)));
const subject = (c: crypto.X509Certificate) => c.subject.split('\n');

const LEAVES = ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client'];
const CAS = ['ca', 'etcd/ca', 'front-proxy-ca'];

async function makeTree() {
  const dir = tmp();
  const pki = await ensurePki(opts(dir));
  for (const spec of controlPlaneKubeconfigs('node-a')) await ensureKubeconfig(dir, spec, { clusterName: 'kubernetes', server: 'https://192.168.7.9:6443', ca: pki.cas.ca });
  return { dir, pki };
}

test('the tree has kubeadm\'s files, keys 0600, each leaf signed by its CA', async (t) => {
  const { dir, pki } = await makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.equal(pki.steps.filter((s) => s.action === 'created').length, CAS.length + LEAVES.length + 1);
  for (const f of [...CAS, ...LEAVES]) {
    assert.ok(fs.existsSync(path.join(dir, 'pki', `${f}.crt`)), `${f}.crt`);
    assert.equal(fs.statSync(path.join(dir, 'pki', `${f}.key`)).mode & 0o777, 0o600, `${f}.key mode`);
  }
  assert.equal(fs.statSync(path.join(dir, 'pki', 'sa.key')).mode & 0o777, 0o600);
  const saPub = crypto.createPublicKey(fs.readFileSync(path.join(dir, 'pki', 'sa.pub')));
  // kubeadm's ECDSA-P256 encryptionAlgorithm: every key, sa.key too, is P-256
  assert.equal(saPub.asymmetricKeyType, 'ec');
  assert.equal(saPub.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const signedBy: Record<string, string> = { apiserver: 'ca', 'apiserver-kubelet-client': 'ca', 'front-proxy-client': 'front-proxy-ca', 'etcd/server': 'etcd/ca', 'etcd/peer': 'etcd/ca', 'etcd/healthcheck-client': 'etcd/ca', 'apiserver-etcd-client': 'etcd/ca' };
  for (const [leaf, ca] of Object.entries(signedBy)) {
    const c = cert(dir, `${leaf}.crt`);
    assert.ok(c.verify(cert(dir, `${ca}.crt`).publicKey), `${leaf} signed by ${ca}`);
    // issuer name byte for byte and the authority key id matching the CA's subject key id
    assert.ok(c.checkIssued(cert(dir, `${ca}.crt`)), `${leaf} issued by ${ca}`);
    assert.ok(c.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'pki', `${leaf}.key`)))), `${leaf} key matches`);
    assert.equal(c.ca, false);
  }
  for (const ca of CAS) assert.equal(cert(dir, `${ca}.crt`).ca, true);
  for (const conf of ['admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet.conf']) assert.equal(fs.statSync(path.join(dir, conf)).mode & 0o777, 0o600);
});

test('subjects and SANs are kubeadm\'s', async (t) => {
  const { dir } = await makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const api = cert(dir, 'apiserver.crt');
  assert.deepEqual(subject(api), ['CN=kube-apiserver']);
  const sans = certSANs(api);
  for (const d of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', os.hostname().toLowerCase(), 'api.example.test']) assert.ok(sans.dns.includes(d), d);
  for (const ip of ['10.96.0.1', '192.168.7.9', '127.0.0.1']) assert.ok(sans.ips.includes(ip), ip);
  assert.match(api.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/); // serverAuth
  assert.deepEqual(subject(cert(dir, 'apiserver-kubelet-client.crt')), ['CN=kube-apiserver-kubelet-client', 'O=system:masters']);
  assert.deepEqual(subject(cert(dir, 'etcd/server.crt')), ['CN=node-a']);
  assert.ok(certSANs(cert(dir, 'etcd/server.crt')).ips.includes('192.168.7.9'));
  assert.deepEqual(subject(cert(dir, 'apiserver-etcd-client.crt')), ['CN=kube-apiserver-etcd-client']);
  assert.deepEqual(subject(cert(dir, 'etcd/ca.crt')), ['CN=etcd-ca']);
  const kcCert = (f: string) => {
    const doc = parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
    assert.equal(doc.clusters[0].cluster.server, 'https://192.168.7.9:6443');
    return new crypto.X509Certificate(Buffer.from(doc.users[0].user['client-certificate-data'], 'base64'));
  };
  assert.deepEqual(subject(kcCert('admin.conf')), ['CN=kubernetes-admin', 'O=system:masters']);
  assert.deepEqual(subject(kcCert('kubelet.conf')), ['CN=system:node:node-a', 'O=system:nodes']);
  assert.deepEqual(subject(kcCert('controller-manager.conf')), ['CN=system:kube-controller-manager']);
  assert.deepEqual(subject(kcCert('scheduler.conf')), ['CN=system:kube-scheduler']);
});

test('a second run keeps every valid file byte for byte', async (t) => {
  const { dir, pki } = await makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const snapshot = () => [...CAS, ...LEAVES].map((f) => fs.readFileSync(path.join(dir, 'pki', `${f}.crt`), 'utf8') + fs.readFileSync(path.join(dir, 'pki', `${f}.key`), 'utf8')).join() + fs.readFileSync(path.join(dir, 'admin.conf'), 'utf8');
  const before = snapshot();
  fs.chmodSync(path.join(dir, 'pki', 'ca.key'), 0o644); // a loosened key is tightened again
  const again = await ensurePki(opts(dir));
  assert.ok(again.steps.every((s) => s.action === 'kept'));
  assert.equal(await ensureKubeconfig(dir, controlPlaneKubeconfigs('node-a')[0], { clusterName: 'kubernetes', server: 'https://192.168.7.9:6443', ca: pki.cas.ca }), 'kept');
  assert.equal(snapshot(), before);
  assert.equal(fs.statSync(path.join(dir, 'pki', 'ca.key')).mode & 0o777, 0o600);
  // a missing leaf is made again and signed by the kept CA
  fs.rmSync(path.join(dir, 'pki', 'front-proxy-client.crt'));
  fs.rmSync(path.join(dir, 'pki', 'front-proxy-client.key'));
  const third = await ensurePki(opts(dir));
  assert.deepEqual(third.steps.filter((s) => s.action === 'created').map((s) => s.name), ['front-proxy-client']);
  assert.ok(cert(dir, 'front-proxy-client.crt').verify(cert(dir, 'front-proxy-ca.crt').publicKey));
});

test('faulty existing files are reported by name and left alone', async (t) => {
  const { dir, pki } = await makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = (f: string) => path.join(dir, 'pki', f);
  const original = fs.readFileSync(p('apiserver.crt'), 'utf8');

  fs.writeFileSync(p('apiserver.crt'), 'hello\n');
  await assert.rejects(ensurePki(opts(dir)), (e: Error) => e.message.startsWith(`${p('apiserver.crt')}: not a PEM certificate`));
  assert.equal(fs.readFileSync(p('apiserver.crt'), 'utf8'), 'hello\n');

  fs.writeFileSync(p('apiserver.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  await assert.rejects(ensurePki(opts(dir)), (e: Error) => e.message.startsWith(`${p('apiserver.crt')}: malformed certificate`));

  fs.writeFileSync(p('apiserver.crt'), original);
  const key = fs.readFileSync(p('apiserver.key'));
  fs.copyFileSync(p('front-proxy-client.key'), p('apiserver.key'));
  await assert.rejects(ensurePki(opts(dir)), (e: Error) => e.message === `${p('apiserver.crt')}: does not match the private key in ${p('apiserver.key')}`);
  fs.writeFileSync(p('apiserver.key'), key);

  // a leaf from the wrong CA: the front-proxy client pair where the etcd client pair belongs
  fs.copyFileSync(p('front-proxy-client.crt'), p('apiserver-etcd-client.crt'));
  fs.copyFileSync(p('front-proxy-client.key'), p('apiserver-etcd-client.key'));
  await assert.rejects(ensurePki(opts(dir)), (e: Error) => e.message.startsWith(`${p('apiserver-etcd-client.crt')}: is not signed by the CA "CN=etcd-ca"`));
  fs.rmSync(p('apiserver-etcd-client.crt'));
  fs.rmSync(p('apiserver-etcd-client.key'));

  // an advertise address the certificate lacks
  await assert.rejects(ensurePki({ ...opts(dir), advertiseAddress: '10.1.2.3' }), (e: Error) => e.message.includes('lacks the subject alternative names 10.1.2.3'));

  fs.rmSync(p('etcd/ca.key'));
  await assert.rejects(ensurePki(opts(dir)), (e: Error) => e.message.startsWith(`${p('etcd/ca.crt')}: exists without ${p('etcd/ca.key')}`));

  const admin = path.join(dir, 'admin.conf');
  await assert.rejects(ensureKubeconfig(dir, controlPlaneKubeconfigs('node-a')[0], { clusterName: 'kubernetes', server: 'https://192.168.7.9:7443', ca: pki.cas.ca }),
    (e: Error) => e.message === `${admin}: exists but has an unexpected API Server URL: expected: https://192.168.7.9:7443, got: https://192.168.7.9:6443; remove it to have a new one made`);
  fs.writeFileSync(admin, 'kind: [');
  await assert.rejects(ensureKubeconfig(dir, controlPlaneKubeconfigs('node-a')[0], { clusterName: 'kubernetes', server: 'https://192.168.7.9:6443', ca: pki.cas.ca }),
    (e: Error) => e.message.startsWith(`${admin}: not a readable kubeconfig`));
});

test('check-expiration lists certificates and CAs like kubeadm', async (t) => {
  const { dir } = await makeTree();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const report = expiryReport(path.join(dir, 'pki'), dir);
  assert.deepEqual(report.certs.map((r) => r.name), ['admin.conf', 'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'controller-manager.conf', 'etcd-healthcheck-client', 'etcd-peer', 'etcd-server', 'front-proxy-client', 'scheduler.conf']);
  assert.deepEqual(report.cas.map((r) => r.name), ['ca', 'etcd-ca', 'front-proxy-ca']);
  const text = formatExpiryReport(report);
  assert.match(text, /^CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY\s+EXTERNALLY MANAGED\n/);
  assert.match(text, /\napiserver-etcd-client\s+[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2} UTC\s+364d\s+etcd-ca\s+no\n/);
  assert.match(text, /\nCERTIFICATE AUTHORITY\s+EXPIRES\s+RESIDUAL TIME\s+EXTERNALLY MANAGED\nca\s+.* UTC\s+9y\s+no\n/);
  fs.rmSync(path.join(dir, 'scheduler.conf'));
  assert.match(formatExpiryReport(expiryReport(path.join(dir, 'pki'), dir)), /\n!MISSING! scheduler\.conf\n/);
});

test('durations and service IPs', () => {
  assert.equal(shortHumanDuration(30_000), '30s');
  assert.equal(shortHumanDuration(90 * 60_000), '1h');
  assert.equal(shortHumanDuration(364 * 86_400_000), '364d');
  assert.equal(shortHumanDuration(10 * 365 * 86_400_000), '10y');
  assert.equal(shortHumanDuration(-5000), '<invalid>');
  assert.equal(firstServiceIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(firstServiceIP('10.100.7.0/24'), '10.100.7.1');
  assert.equal(firstServiceIP('fd00:10:96::/112'), 'fd00:10:96::1');
  assert.throws(() => firstServiceIP('banana'), /invalid service CIDR "banana"/);
});
