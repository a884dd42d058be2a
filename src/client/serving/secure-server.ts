// A component's secure port (--bind-address:--secure-port): HTTPS with --tls-cert-file /
// --tls-private-key-file or a self-signed certificate (kept in --cert-dir when given), client
// certificates requested and checked against the client and front-proxy CAs, and every request passed
// through delegated authentication and authorization before the component's handler.
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DelegatedAuth } from './delegated-auth.js';
import { selfSignedCert } from './self-signed-cert.js';

export interface SecureServingOptions {
  certFile?: string;
  keyFile?: string;
  /** Where a self-signed pair is kept as NAME.crt/NAME.key; in memory when unset. */
  certDir?: string;
  /** File name stem of the self-signed pair (upstream: kube-scheduler, kube-controller-manager). */
  pairName: string;
  auth: DelegatedAuth;
}

async function loadPair(o: SecureServingOptions): Promise<{ cert: string; key: string }> {
  if (o.certFile || o.keyFile) {
    if (!o.certFile || !o.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
    return { cert: fs.readFileSync(o.certFile, 'utf8'), key: fs.readFileSync(o.keyFile, 'utf8') };
  }
  const made = () => selfSignedCert(['localhost', '127.0.0.1', os.hostname()]);
  if (!o.certDir) return made();
  const certPath = path.join(o.certDir, `${o.pairName}.crt`);
  const keyPath = path.join(o.certDir, `${o.pairName}.key`);
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
  const pair = await made();
  fs.mkdirSync(o.certDir, { recursive: true });
  fs.writeFileSync(certPath, pair.cert);
  fs.writeFileSync(keyPath, pair.key, { mode: 0o600 });
  return pair;
}

function sendStatus(res: http.ServerResponse, code: number, message: string): void {
  const reason = code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : 'InternalError';
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: {}, code }) + '\n';
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Builds the HTTPS server; bad certificate files fail here, before anything listens. */
export async function createSecureServer(o: SecureServingOptions, handler: http.RequestListener): Promise<https.Server> {
  const pair = await loadPair(o);
  const built: { server?: https.Server } = {};
  // the CAs follow the ConfigMap: a changed bundle replaces the TLS context for new connections
  const ca = await o.auth.prepare((bundle) => built.server?.setSecureContext({ cert: pair.cert, key: pair.key, ca: bundle }));
  // requestCert without rejectUnauthorized: without a certificate the caller may still use a
  // token or be anonymous, as upstream's optional client-certificate auth; a certificate no CA
  // vouches for is refused by DelegatedAuth (401).
  const server = built.server = https.createServer({ cert: pair.cert, key: pair.key, ca, requestCert: !!ca || o.auth.followsConfigMap, rejectUnauthorized: false }, (req, res) => {
    o.auth.check(req).then((v) => {
      if (!v.allowed) return sendStatus(res, v.code, v.message);
      return handler(req, res);
    }, (err: unknown) => sendStatus(res, 500, `authentication or authorization failed: ${(err as Error).message}`));
  });
  server.once('close', () => o.auth.close());
  return server;
}

export function listen(server: http.Server | https.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
