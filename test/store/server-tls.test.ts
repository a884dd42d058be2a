// TLS on the client port, on both targets with the same flags: https:// URLs serve gRPC
// (ALPN h2) and HTTP/1.1 over TLS on one port; with --client-cert-auth only clients holding
// a certificate from --trusted-ca-file get in.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { errorLine, etcdctl, ok } from './harness/etcdctl.js';
import { freePorts } from './harness/ports.js';
import { run } from './harness/run-process.js';
import { storeCommand, type TargetName } from './harness/store-process.js';
import { forEachTarget } from './harness/suite.js';

let dir: string;
const children = new Set<ChildProcess>();

async function openssl(args: string[]): Promise<void> {
  const res = await run('openssl', args, { cwd: dir });
  if (res.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${res.stderr}`);
}

/** a CA, a server certificate for 127.0.0.1, and a client certificate, all signed by the CA */
async function makeCerts(): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    await openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '1', '-extfile', `${who}.ext`]);
  }
  // a client certificate from a CA the server does not trust
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=rogue']);
}

/** starts the target on an https:// client URL and waits until /health answers over TLS */
async function startTls(target: TargetName, extra: string[], healthAuth: string[] = []): Promise<string> {
  const [port, peer] = await freePorts(2);
  const url = `https://127.0.0.1:${port}`;
  const tlsFlags = ['--cert-file', join(dir, 'server.crt'), '--key-file', join(dir, 'server.key'), ...extra];
  const [cmd, args] = storeCommand(target, join(dir, `data-${target}-${port}`), port, peer, tlsFlags, 'https');
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  let exited = false;
  child.once('exit', () => {
    exited = true;
    children.delete(child);
  });
  for (let i = 0; ; i++) {
    const h = await run('curl', ['-sS', '--max-time', '2', '--cacert', join(dir, 'ca.crt'), ...healthAuth, `${url}/health`]);
    if (h.stdout === '{"health":"true"}') return url;
    if (exited || i > 150) throw new Error(`${target} did not serve TLS: ${h.stderr}\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'server-tls-'));
  await makeCerts();
});

after(async () => {
  await Promise.all(
    [...children].map((c) => {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      return exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

forEachTarget(
  (ctx) => {
    test('https:// client URL serves etcdctl over TLS and curl on the same port', async () => {
      const url = await startTls(ctx.target, []);
      const tlsFlags = [`--cacert=${join(dir, 'ca.crt')}`];
      ok(await etcdctl([...tlsFlags, 'put', 'tls/k', 'secret'], { endpoint: url }));
      assert.equal(ok(await etcdctl([...tlsFlags, 'get', 'tls/k', '--print-value-only'], { endpoint: url })).trim(), 'secret');
      const health = await run('curl', ['-sS', '--cacert', join(dir, 'ca.crt'), `${url}/health`]);
      assert.equal(health.stdout, '{"health":"true"}', health.stderr);
      // a client that does not trust the server's CA cannot connect
      const untrusted = await run('curl', ['-sS', `${url}/health`]);
      assert.notEqual(untrusted.code, 0);
      // plain HTTP to the TLS port is not served
      const plain = await run('curl', ['-sS', '--max-time', '5', `${url.replace('https', 'http')}/health`]);
      assert.notEqual(plain.stdout, '{"health":"true"}');
    });

    test('--client-cert-auth admits only clients with a certificate from --trusted-ca-file', async () => {
      const url = await startTls(ctx.target, ['--client-cert-auth', '--trusted-ca-file', join(dir, 'ca.crt')], [
        '--cert', join(dir, 'client.crt'), '--key', join(dir, 'client.key'),
      ]);
      const ca = `--cacert=${join(dir, 'ca.crt')}`;
      const withCert = [ca, `--cert=${join(dir, 'client.crt')}`, `--key=${join(dir, 'client.key')}`];
      ok(await etcdctl([...withCert, 'put', 'mtls/k', 'v'], { endpoint: url }));
      assert.equal(ok(await etcdctl([...withCert, 'get', 'mtls/k', '--print-value-only'], { endpoint: url })).trim(), 'v');
      const noCert = await etcdctl([ca, '--dial-timeout=2s', '--command-timeout=3s', 'get', 'mtls/k'], { endpoint: url });
      assert.match(errorLine(noCert), /Error: /);
      const rogue = await etcdctl([ca, `--cert=${join(dir, 'rogue.crt')}`, `--key=${join(dir, 'rogue.key')}`, '--dial-timeout=2s', '--command-timeout=3s', 'get', 'mtls/k'], {
        endpoint: url,
      });
      assert.match(errorLine(rogue), /Error: /);
      const curlNoCert = await run('curl', ['-sS', '--cacert', join(dir, 'ca.crt'), `${url}/health`]);
      assert.notEqual(curlNoCert.code, 0);
      const curlCert = await run('curl', ['-sS', '--cacert', join(dir, 'ca.crt'), '--cert', join(dir, 'client.crt'), '--key', join(dir, 'client.key'), `${url}/health`]);
      assert.equal(curlCert.stdout, '{"health":"true"}', curlCert.stderr);
    });
  },
  { server: false },
);
