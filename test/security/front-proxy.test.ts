// Front-proxy (request header) authentication with kubeadm's flags, through real clients: curl
// and node's https with the front-proxy-client certificate name the user in X-Remote-* headers
// (SelfSubjectReview — what `kubectl auth whoami` asks — shows that user, and RBAC judges it);
// a proxy certificate from another CA, with a CN not in --requestheader-allowed-names, expired,
// or with no user header is 401; headers sent without a proxy certificate name nobody. The API
// server publishes kube-system/extension-apiserver-authentication as upstream, and the
// scheduler and controller manager (no --requestheader flags of their own) read it and honour
// the same proxy on their secure ports. Start-up errors name the flag.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { issueCA, issueLeaf, type IssuedPair } from '../../src/admin/pki/issue.js';
import { importSigner } from '../../src/admin/pki/signer.js';
import { schedulerKubeconfig } from '../../src/admin/kubeconfig/kubeconfig-specs.js';
import { runTskube, startPkiCluster, type PkiCluster } from './pki-cluster.js';

interface Reply { status: number; body: any }

/** kubeadm's kube-apiserver flags for the front proxy (src/admin/manifests/control-plane.ts), under Node,RBAC. */
const kubeadmFlags = (pk: (f: string) => string) => [
  '--authorization-mode', 'Node,RBAC',
  '--requestheader-client-ca-file', pk('front-proxy-ca.crt'), '--requestheader-allowed-names', 'front-proxy-client',
  '--requestheader-username-headers', 'X-Remote-User', '--requestheader-group-headers', 'X-Remote-Group',
  '--requestheader-extra-headers-prefix', 'X-Remote-Extra-',
  '--proxy-client-cert-file', pk('front-proxy-client.crt'), '--proxy-client-key-file', pk('front-proxy-client.key'),
];

describe('front-proxy (request header) authentication', () => {
  let c: PkiCluster;
  let caPem: string;
  let proxy: IssuedPair;
  const pk = (f: string) => path.join(c.pkiDir, f);

  /** An HTTPS request from node with an optional client certificate. */
  const call = (base: string, method: string, urlPath: string, o: { pair?: IssuedPair; headers?: Record<string, string>; body?: unknown } = {}) => new Promise<Reply>((resolve, reject) => {
    const data = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const req = https.request(new URL(urlPath, base), {
      method, ca: caPem, cert: o.pair?.certPem, key: o.pair?.keyPem, agent: false,
      headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}), ...o.headers },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d; });
      res.on('end', () => { let body: any = text; try { body = JSON.parse(text); } catch { /* text */ } resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', reject);
    req.end(data);
  });
  const whoami = (o: { pair?: IssuedPair; headers?: Record<string, string> }) => call(c.apiURL, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { ...o, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  const pairFromFiles = (base: string): IssuedPair => ({ certPem: fs.readFileSync(pk(`${base}.crt`), 'utf8'), keyPem: fs.readFileSync(pk(`${base}.key`), 'utf8') });

  before(async () => {
    c = await startPkiCluster(kubeadmFlags);
    caPem = fs.readFileSync(pk('ca.crt'), 'utf8');
    proxy = pairFromFiles('front-proxy-client');
  });
  after(async () => { await c?.stop(); });

  it('curl with the front-proxy client certificate is the user its headers name (auth whoami), RBAC judging that user', async () => {
    const r = spawnSync('curl', ['-sS', '--cacert', pk('ca.crt'), '--cert', pk('front-proxy-client.crt'), '--key', pk('front-proxy-client.key'),
      '-H', 'X-Remote-User: jane', '-H', 'X-Remote-Group: devs', '-H', 'X-Remote-Group: qa', '-H', 'X-Remote-Extra-Scopes: read', '-H', 'X-Remote-Extra-Acme.com%2Fteam: blue',
      '-H', 'Content-Type: application/json', '-X', 'POST', '-d', '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
      `${c.apiURL}/apis/authentication.k8s.io/v1/selfsubjectreviews`], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const review = JSON.parse(r.stdout);
    assert.equal(review.kind, 'SelfSubjectReview', r.stdout);
    assert.deepEqual(review.status.userInfo, { username: 'jane', groups: ['devs', 'qa', 'system:authenticated'], extra: { scopes: ['read'], 'acme.com/team': ['blue'] } });

    // RBAC: jane (no role) is refused with upstream's message; the same proxy naming a system:masters member lists secrets
    const denied = await call(c.apiURL, 'GET', '/api/v1/namespaces/default/secrets', { pair: proxy, headers: { 'X-Remote-User': 'jane' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"');
    const admin = await call(c.apiURL, 'GET', '/api/v1/namespaces/default/secrets', { pair: proxy, headers: { 'X-Remote-User': 'ops', 'X-Remote-Group': 'system:masters' } });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    assert.equal(admin.body.kind, 'SecretList');
  });

  it('refuses a proxy certificate from another CA, with a CN not allowed, expired, or naming no user', async () => {
    const otherCA = await issueCA('front-proxy-ca');
    const foreign = await issueLeaf(await importSigner(otherCA.certPem, otherCA.keyPem, 'other'), { cn: 'front-proxy-client', orgs: [], usages: ['client'] });
    const fp = c.pki.cas['front-proxy-ca'];
    const wrongName = await issueLeaf(fp, { cn: 'mallory-proxy', orgs: [], usages: ['client'] });
    const expired = await issueLeaf(fp, { cn: 'front-proxy-client', orgs: [], usages: ['client'], notAfter: new Date(Date.now() - 3600_000) });
    const asAdmin = { 'X-Remote-User': 'kubernetes-admin', 'X-Remote-Group': 'system:masters' };
    for (const [what, pair] of [['another CA', foreign], ['a CN not allowed', wrongName], ['expired', expired]] as const) {
      const r = await whoami({ pair, headers: asAdmin });
      assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.reason, 'Unauthorized', what);
    }
    // the right proxy but no X-Remote-User: the certificate is no user by itself (it is not from the client CA)
    const nobody = await whoami({ pair: proxy, headers: { 'X-Remote-Group': 'system:masters' } });
    assert.equal(nobody.status, 401, JSON.stringify(nobody.body));
  });

  it('headers without a proxy certificate name nobody: anonymous, or the client certificate\'s own user', async () => {
    const asAdmin = { 'X-Remote-User': 'kubernetes-admin', 'X-Remote-Group': 'system:masters' };
    const anon = await call(c.apiURL, 'GET', '/api/v1/namespaces/default/secrets', { headers: asAdmin });
    assert.equal(anon.status, 403, JSON.stringify(anon.body));
    assert.equal(anon.body.message, 'secrets is forbidden: User "system:anonymous" cannot list resource "secrets" in API group "" in the namespace "default"');
    // a certificate from the client CA (not the front-proxy CA) is its own CN; the headers are ignored
    const dev = await issueLeaf(c.pki.cas.ca, { cn: 'dev', orgs: ['devs'], usages: ['client'] });
    const r = await whoami({ pair: dev, headers: asAdmin });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.status.userInfo, { username: 'dev', groups: ['devs', 'system:authenticated'] });
  });

  it('publishes kube-system/extension-apiserver-authentication as upstream', async () => {
    const cm = JSON.parse(await c.k('get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'json'));
    const fingerprints = (pem: string) => [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new crypto.X509Certificate(m[0]).fingerprint256);
    assert.equal(fingerprints(caPem).length, 1);
    assert.deepEqual(fingerprints(cm.data['client-ca-file']), fingerprints(caPem));
    assert.deepEqual(fingerprints(cm.data['requestheader-client-ca-file']), fingerprints(fs.readFileSync(pk('front-proxy-ca.crt'), 'utf8')));
    assert.equal(cm.data['requestheader-allowed-names'], '["front-proxy-client"]');
    assert.equal(cm.data['requestheader-username-headers'], '["X-Remote-User"]');
    assert.equal(cm.data['requestheader-group-headers'], '["X-Remote-Group"]');
    assert.equal(cm.data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
  });

  it('the scheduler and controller manager read that ConfigMap and honour the same proxy on their secure ports', async () => {
    const conf = await c.kubeconfig(schedulerKubeconfig());
    const sched = await c.startScheduler(['--authentication-kubeconfig', conf, '--authorization-kubeconfig', conf]);
    const cm = await c.startControllerManager(['--controllers', 'ttl-controller', '--requestheader-client-ca-file', pk('front-proxy-ca.crt')]);
    for (const [name, p] of [['scheduler', sched], ['controller manager', cm]] as const) {
      const base = `https://127.0.0.1:${/on https:\/\/127\.0\.0\.1:(\d+)/.exec(p.output())![1]}`;
      const get = (o: { pair?: IssuedPair; headers?: Record<string, string> }) => new Promise<Reply>((resolve, reject) => {
        const req = https.request(new URL('/metrics', base), { rejectUnauthorized: false, cert: o.pair?.certPem, key: o.pair?.keyPem, headers: o.headers, agent: false }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => { text += d; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end();
      });
      const ok = await get({ pair: proxy, headers: { 'X-Remote-User': 'ops', 'X-Remote-Group': 'system:masters' } });
      assert.equal(ok.status, 200, `${name}: ${ok.body}`);
      assert.match(ok.body, /# TYPE /, name);
      const jane = await get({ pair: proxy, headers: { 'X-Remote-User': 'jane' } });
      assert.equal(jane.status, 403, `${name}: ${jane.body}`);
      assert.match(jane.body, /forbidden: User \\"jane\\" cannot get path \\"\/metrics\\"/, name);
      const wrongName = await get({ pair: await issueLeaf(c.pki.cas['front-proxy-ca'], { cn: 'x', orgs: [], usages: ['client'] }), headers: { 'X-Remote-User': 'ops', 'X-Remote-Group': 'system:masters' } });
      // the scheduler follows the ConfigMap's allowed names; the controller manager's own flag allows any CN from the CA (upstream's empty list)
      assert.equal(wrongName.status, name === 'scheduler' ? 401 : 200, `${name}: ${wrongName.body}`);
      const noCert = await get({ headers: { 'X-Remote-User': 'ops', 'X-Remote-Group': 'system:masters' } });
      assert.equal(noCert.status, 403, `${name}: ${noCert.body}`);
      assert.match(noCert.body, /User \\"system:anonymous\\"/, name);
      // the client CA, also from the ConfigMap for the scheduler: the admin's certificate is kubernetes-admin (system:masters)
      const admin = await get({ pair: await issueLeaf(c.pki.cas.ca, { cn: 'kubernetes-admin', orgs: ['system:masters'], usages: ['client'] }) });
      assert.equal(admin.status, 200, `${name}: ${admin.body}`);
    }
  });

  it('reports unusable front-proxy files and flags at start', () => {
    const base = ['apiserver', '--etcd-servers', c.etcdURL, '--bind-address', '127.0.0.1', '--secure-port', '0', '--cert-dir', path.join(c.dir, 'certs2'),
      '--service-cluster-ip-range', '10.96.0.0/24'];
    const junk = path.join(c.dir, 'junk.pem');
    fs.writeFileSync(junk, 'not PEM\n');
    const cases: Array<[string[], RegExp]> = [
      [['--requestheader-client-ca-file', junk, '--requestheader-username-headers', 'X-Remote-User'], /^error: --requestheader-client-ca-file: .*junk\.pem holds no PEM certificate/m],
      [['--requestheader-client-ca-file', pk('front-proxy-ca.crt')], /^error: --requestheader-username-headers must be set when --requestheader-client-ca-file is/m],
      [['--proxy-client-cert-file', pk('front-proxy-client.crt')], /^error: --proxy-client-cert-file and --proxy-client-key-file must be given together/m],
      [['--proxy-client-cert-file', pk('front-proxy-client.crt'), '--proxy-client-key-file', pk('apiserver.key')], /^error: --proxy-client-key-file: .*apiserver\.key is not the private key of the certificate in --proxy-client-cert-file/m],
    ];
    for (const [flags, want] of cases) {
      const r = runTskube([...base, ...flags]);
      assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want, flags.join(' '));
    }
  });
});
