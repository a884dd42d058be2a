// x509 client-certificate authentication over real TLS: CN is the user, O the groups; no
// certificate means "not mine"; a certificate from another CA or an expired one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { issueCA, issueLeaf } from '../../src/admin/pki/issue.js';
import { importSigner } from '../../src/admin/pki/signer.js';
import { clientCertTLSOptions, userFromClientCert } from '../../src/apiserver/authn/x509.js';

test('x509 authenticator: user and groups from the subject, refusals for foreign and expired certificates', async (t) => {
  const caPair = await issueCA('kubernetes');
  const ca = await importSigner(caPair.certPem, caPair.keyPem, 'ca');
  const other = await issueCA('someone-else');
  const otherCA = await importSigner(other.certPem, other.keyPem, 'other');
  const serving = await issueLeaf(ca, { cn: 'kube-apiserver', orgs: [], usages: ['server'], sans: { dns: ['localhost'], ips: ['127.0.0.1'] } });
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ...clientCertTLSOptions(caPair.certPem) }, (req, res) => {
    try {
      const user = userFromClientCert(req.socket as TLSSocket);
      res.writeHead(200).end(JSON.stringify(user ?? null));
    } catch (err) {
      res.writeHead(401).end((err as Error).message);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;
  const call = (pair?: { certPem: string; keyPem: string }) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/', ca: caPair.certPem, cert: pair?.certPem, key: pair?.keyPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

  const admin = await issueLeaf(ca, { cn: 'kubernetes-admin', orgs: ['system:masters'], usages: ['client'] });
  assert.deepEqual(JSON.parse((await call(admin)).body), { name: 'kubernetes-admin', uid: '', groups: ['system:masters'] });
  const node = await issueLeaf(ca, { cn: 'system:node:n1', orgs: ['system:nodes', 'extra'], usages: ['client'] });
  assert.deepEqual(JSON.parse((await call(node)).body), { name: 'system:node:n1', uid: '', groups: ['system:nodes', 'extra'] });
  assert.equal((await call()).body, 'null');

  const foreign = await call(await issueLeaf(otherCA, { cn: 'mallory', orgs: ['system:masters'], usages: ['client'] }));
  assert.equal(foreign.status, 401);
  assert.match(foreign.body, /^x509: certificate verification failed/);
  const expired = await call(await issueLeaf(ca, { cn: 'old', orgs: [], usages: ['client'], notAfter: new Date(Date.now() - 60_000) }));
  assert.equal(expired.status, 401);
  assert.match(expired.body, /CERT_HAS_EXPIRED|expired/);
  const serverOnly = await call(await issueLeaf(ca, { cn: 'a-server', orgs: [], usages: ['server'] }));
  assert.equal(serverOnly.status, 401);
  assert.match(serverOnly.body, /INVALID_PURPOSE|incompatible key usage/);
});
