// Certificates through the real `tskube apiserver`, `tskube etcd --client-cert-auth` and the
// real kubectl: the API server reaches etcd over mutual TLS with --etcd-cafile/certfile/
// keyfile and stops at start with a clear error without a client certificate or with one from
// another CA; a client-certificate kubeconfig is a user, one from a foreign CA or an expired one
// is 401; malformed certificate and key files are named at start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePki, type Pki } from '../../src/admin/pki/ensure-pki.js';
import { issueCA, issueLeaf } from '../../src/admin/pki/issue.js';
import { importSigner } from '../../src/admin/pki/signer.js';
import { kubeconfigText } from '../../src/admin/kubeconfig/ensure-kubeconfig.js';
import { runTskube, startTskube, type Proc } from './pki-cluster.js';

describe('TLS files and mutual TLS to etcd', () => {
  let dir: string;
  let pki: Pki;
  let etcd: Proc & { match: RegExpMatchArray };
  let etcdURL: string;
  let api: Proc | undefined;
  let apiURL = '';
  const pk = (f: string) => path.join(dir, 'pki', f);
  const apiFlags = (over: Record<string, string> = {}) => {
    const flags: Record<string, string> = {
      '--bind-address': '127.0.0.1', '--secure-port': '0', '--service-cluster-ip-range': '10.96.0.0/24', '--cert-dir': path.join(dir, 'certs'),
      '--etcd-servers': etcdURL, '--etcd-cafile': pk('etcd/ca.crt'), '--etcd-certfile': pk('apiserver-etcd-client.crt'), '--etcd-keyfile': pk('apiserver-etcd-client.key'),
      '--client-ca-file': pk('ca.crt'), '--tls-cert-file': pk('apiserver.crt'), '--tls-private-key-file': pk('apiserver.key'), ...over,
    };
    return ['apiserver', ...Object.entries(flags).filter(([, v]) => v !== '').flat()];
  };
  const kubectl = (conf: string, args: string[]) => {
    const r = spawnSync('/usr/bin/kubectl', ['--kubeconfig', conf, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: dir } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const conf = (name: string, pair: { certPem: string; keyPem: string }, user = name) => {
    const file = path.join(dir, `${name}.conf`);
    fs.writeFileSync(file, kubeconfigText({ clusterName: 'tls', server: apiURL, ca: pki.cas.ca }, user, pair.certPem, pair.keyPem));
    return file;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-tls-${process.pid}-`));
    pki = await ensurePki({ certDir: path.join(dir, 'pki'), advertiseAddress: '127.0.0.1', serviceCIDR: '10.96.0.0/24', nodeName: 'localhost' });
    etcd = await startTskube(['etcd', '--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', 'https://127.0.0.1:0', '--advertise-client-urls', 'https://127.0.0.1:0',
      '--cert-file', pk('etcd/server.crt'), '--key-file', pk('etcd/server.key'), '--trusted-ca-file', pk('etcd/ca.crt'), '--client-cert-auth'], /serving client requests on 127\.0\.0\.1:(\d+)/);
    etcdURL = `https://127.0.0.1:${etcd.match[1]}`;
  });
  after(async () => { await api?.stop(); await etcd?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('the API server stores through mutual TLS; kubectl with a client certificate is that user', async () => {
    const started = await startTskube(apiFlags(), /serving securely on 127\.0\.0\.1:(\d+)/);
    api = started;
    apiURL = `https://127.0.0.1:${started.match[1]}`;
    const jane = conf('jane', await issueLeaf(pki.cas.ca, { cn: 'jane', orgs: ['devs', 'system:masters'], usages: ['client'] }));
    const who = JSON.parse(kubectl(jane, ['auth', 'whoami', '-o', 'json']).stdout);
    assert.equal(who.status.userInfo.username, 'jane');
    assert.deepEqual(who.status.userInfo.groups, ['devs', 'system:masters', 'system:authenticated']);
    const ns = kubectl(jane, ['get', 'namespace', 'kube-system', '-o', 'name']);
    assert.equal(ns.stdout.trim(), 'namespace/kube-system', ns.stderr);
  });

  it('certificates from another CA and expired ones are 401', async () => {
    const other = await issueCA('not-the-cluster-ca');
    const otherCA = await importSigner(other.certPem, other.keyPem, 'other');
    const foreign = kubectl(conf('mallory', await issueLeaf(otherCA, { cn: 'mallory', orgs: ['system:masters'], usages: ['client'] })), ['get', 'pods']);
    assert.notEqual(foreign.code, 0);
    assert.equal(foreign.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
    const expired = kubectl(conf('old', await issueLeaf(pki.cas.ca, { cn: 'old', orgs: ['system:masters'], usages: ['client'], notAfter: new Date(Date.now() - 3600_000) })), ['get', 'pods']);
    assert.notEqual(expired.code, 0);
    assert.equal(expired.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
  });

  it('without a client certificate, or with one etcd does not trust, the API server stops at start saying why', async () => {
    const none = runTskube(apiFlags({ '--etcd-certfile': '', '--etcd-keyfile': '', '--secure-port': '0' }));
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`^error: cannot connect to etcd at ${etcdURL.replace(/[.]/g, '\\.')}: TLS failed: etcd requires a client certificate \\(TLS alert "certificate required"\\) \\(no --etcd-certfile/--etcd-keyfile was given: an etcd started with --client-cert-auth refuses clients without a certificate\\)$`, 'm'));
    const stranger = await issueCA('stranger');
    const strangerCA = await importSigner(stranger.certPem, stranger.keyPem, 'stranger');
    const pair = await issueLeaf(strangerCA, { cn: 'kube-apiserver-etcd-client', orgs: [], usages: ['client'] });
    fs.writeFileSync(path.join(dir, 'wrong.crt'), pair.certPem);
    fs.writeFileSync(path.join(dir, 'wrong.key'), pair.keyPem);
    const wrong = runTskube(apiFlags({ '--etcd-certfile': path.join(dir, 'wrong.crt'), '--etcd-keyfile': path.join(dir, 'wrong.key') }));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: cannot connect to etcd at https:\/\/127\.0\.0\.1:\d+: TLS failed: etcd does not trust the client certificate \((TLS alert "(unknown ca|bad certificate)"|it closed the connection right after the TLS handshake)\)$/m);
  });

  it('malformed certificate and key files are reported at start with the flag and the file', () => {
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'this is not PEM\n');
    const brokenCert = path.join(dir, 'broken.crt');
    fs.writeFileSync(brokenCert, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const cases: Array<[string, string, RegExp]> = [
      ['--tls-cert-file', junk, /^error: --tls-cert-file: .*junk\.pem holds no PEM certificate/m],
      ['--tls-cert-file', brokenCert, /^error: --tls-cert-file: .*broken\.crt: certificate 1 cannot be parsed: /m],
      ['--tls-private-key-file', junk, /^error: --tls-private-key-file: .*junk\.pem holds no PEM private key/m],
      ['--tls-private-key-file', pk('front-proxy-client.key'), /^error: --tls-private-key-file: .*front-proxy-client\.key is not the private key of the certificate in --tls-cert-file .*apiserver\.crt$/m],
      ['--client-ca-file', junk, /^error: --client-ca-file: .*junk\.pem holds no PEM certificate/m],
      ['--client-ca-file', path.join(dir, 'missing.crt'), /^error: --client-ca-file: cannot read .*missing\.crt: no such file$/m],
      ['--etcd-cafile', junk, /^error: --etcd-cafile: .*junk\.pem holds no PEM certificate/m],
      ['--etcd-certfile', junk, /^error: --etcd-certfile: .*junk\.pem holds no PEM certificate/m],
      ['--etcd-keyfile', junk, /^error: --etcd-keyfile: .*junk\.pem holds no PEM private key/m],
    ];
    for (const [flag, file, want] of cases) {
      const r = runTskube(apiFlags({ [flag]: file }));
      assert.equal(r.code, 1, `${flag} ${file}: ${r.stderr}`);
      assert.match(r.stderr, want, `${flag} ${file}`);
      assert.doesNotMatch(r.stderr, /no start line| {4}at /, 'no OpenSSL words, no stack trace');
    }
  });
});
