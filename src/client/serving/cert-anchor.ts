// Which CA a verified client certificate chains to. The TLS server trusts the union of
// --client-ca-file and --requestheader-client-ca-file, so `socket.authorized` alone does not
// say which one vouched for the peer; upstream verifies each authenticator against its own
// CA pool, and this is the same check made on the chain TLS already verified.
import crypto from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/**
 * Each connection's chain, read once, and its verdicts: reading and parsing the chain and
 * checking its signature cost ~1 ms on every request of a kept-alive connection, twice with
 * a front-proxy CA configured (bench/README.md, up-bench). The chain cannot
 * change on a connection once renegotiation, the only way it could, is refused — as Go's TLS
 * server, upstream's, never renegotiates.
 */
const chains = new WeakMap<TLSSocket, crypto.X509Certificate[]>();

/** The peer's chain, leaf first, as TLS received and completed it (the root from the trust store included). */
export function peerChain(socket: TLSSocket): crypto.X509Certificate[] {
  let chain = chains.get(socket);
  if (!chain) {
    socket.disableRenegotiation();
    chain = readPeerChain(socket);
    chains.set(socket, chain);
  }
  return chain;
}

function readPeerChain(socket: TLSSocket): crypto.X509Certificate[] {
  const out: crypto.X509Certificate[] = [];
  let cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new crypto.X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Verdicts by chain and CA list (both kept as long as their connection and configuration). */
const verdicts = new WeakMap<crypto.X509Certificate[], WeakMap<crypto.X509Certificate[], boolean>>();

/** Whether some certificate in the chain is one of the CAs or was signed by one of them. */
export function chainsTo(chain: crypto.X509Certificate[], cas: crypto.X509Certificate[]): boolean {
  let known = verdicts.get(chain);
  if (!known) verdicts.set(chain, (known = new WeakMap()));
  let verdict = known.get(cas);
  if (verdict === undefined) known.set(cas, (verdict = issuedBy(chain, cas)));
  return verdict;
}

function issuedBy(chain: crypto.X509Certificate[], cas: crypto.X509Certificate[]): boolean {
  for (const c of chain) {
    for (const ca of cas) {
      if (c.fingerprint256 === ca.fingerprint256) return true;
      if (c.checkIssued(ca) && c.verify(ca.publicKey)) return true;
    }
  }
  return false;
}
