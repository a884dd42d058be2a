// x509 client-certificate authentication (--client-ca-file): a certificate that chains to
// the client CA names the user in its subject's CN and the groups in its O entries, as
// upstream's x509 authenticator does. The TLS layer verifies the chain and validity dates.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type crypto from 'node:crypto';
import type { UserInfo } from './user-info.js';
import { readCertificates } from '../tls/pem-files.js';
import { chainsTo, peerChain } from '../../client/serving/cert-anchor.js';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export class X509AuthError extends Error {}

/** Reads --client-ca-file, failing at start with the file named when it holds no (parsable) certificate. */
export function loadClientCA(file: string): { pem: string; certs: crypto.X509Certificate[] } {
  return readCertificates('--client-ca-file', file);
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The user of a peer certificate (undefined when the client sent none); throws X509AuthError
 * for one that fails verification. `anchors`: the client CAs, when the TLS server also trusts
 * other CAs (the front proxy's) whose certificates must not name users here.
 */
export function userFromClientCert(socket: TLSSocket, anchors?: crypto.X509Certificate[]): UserInfo | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert: PeerCertificate = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!socket.authorized) throw new X509AuthError(`x509: certificate verification failed: ${String(socket.authorizationError ?? 'unknown error')}`);
  if (anchors && !chainsTo(peerChain(socket), anchors)) throw new X509AuthError('x509: certificate signed by unknown authority');
  const eku = (cert as PeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && eku.length && !eku.includes(CLIENT_AUTH_OID)) throw new X509AuthError('x509: certificate specifies an incompatible key usage');
  const name = asList(cert.subject?.CN)[0];
  if (!name) throw new X509AuthError('x509: certificate has no common name');
  return { name, uid: '', groups: asList(cert.subject?.O) };
}

/** TLS server options that ask for (but do not demand) a client certificate from the CA(s). */
export function clientCertTLSOptions(caPem: string): { ca: string; requestCert: true; rejectUnauthorized: false } {
  return { ca: caPem, requestCert: true, rejectUnauthorized: false };
}

/** The x509 authenticator in the chain's shape (authenticator.ts): first in upstream's union. */
export function x509Authenticator(anchors?: crypto.X509Certificate[]): { name: string; authenticate(req: IncomingMessage): Promise<UserInfo | undefined> } {
  return { name: 'x509', authenticate: async (req) => userFromClientCert(req.socket as TLSSocket, anchors) };
}
