// Judging files already on disk. A valid file is kept (idempotence); anything wrong with it
// is an error that names the file and the fault, and nothing is overwritten — the operator
// decides (usually: delete it and run again to get a fresh one).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { pemLabels } from './pem.js';
import type { SANs } from './cert-specs.js';

export class PkiFileError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'PkiFileError';
  }
}

export function readCert(file: string, text = fs.readFileSync(file, 'utf8')): crypto.X509Certificate {
  if (!pemLabels(text).includes('CERTIFICATE')) throw new PkiFileError(file, `not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block${pemLabels(text).length ? `; found ${pemLabels(text).join(', ')}` : ''})`);
  try {
    return new crypto.X509Certificate(text);
  } catch (err) {
    throw new PkiFileError(file, `malformed certificate: ${(err as Error).message}`);
  }
}

export function readPrivateKey(file: string, text = fs.readFileSync(file, 'utf8')): crypto.KeyObject {
  if (!pemLabels(text).some((l) => l.endsWith('PRIVATE KEY'))) throw new PkiFileError(file, 'not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" block)');
  try {
    return crypto.createPrivateKey(text);
  } catch (err) {
    throw new PkiFileError(file, `malformed private key: ${(err as Error).message}`);
  }
}

/** The SANs in node's "DNS:a, IP Address:1.2.3.4" rendering. */
export function certSANs(cert: crypto.X509Certificate): SANs {
  const out: SANs = { dns: [], ips: [] };
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) out.dns.push(part.slice(4));
    else if (part.startsWith('IP Address:')) out.ips.push(normaliseIP(part.slice(11)));
  }
  return out;
}

/** IPv6 written out in full (eight groups, no leading zeros) so '::1' and '0:0:0:0:0:0:0:1' compare equal. */
function normaliseIP(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

export interface ExistingCheck {
  ca?: crypto.X509Certificate;
  wantSANs?: SANs;
  /** Whether the certificate must be a CA. */
  isCA?: boolean;
  now?: Date;
}

/** Throws PkiFileError when the pair at certFile/keyFile is not one we can keep. */
export function checkExistingPair(certFile: string, keyFile: string, check: ExistingCheck): crypto.X509Certificate {
  return checkPair(certFile, readCert(certFile), keyFile, readPrivateKey(keyFile), check);
}

/** The same judgement for a pair already in memory (kubeconfigs embed theirs); the names label errors. */
export function checkPair(certFile: string, cert: crypto.X509Certificate, keyFile: string, key: crypto.KeyObject, check: ExistingCheck): crypto.X509Certificate {
  if (!cert.checkPrivateKey(key)) throw new PkiFileError(certFile, `does not match the private key in ${keyFile}`);
  const now = check.now ?? new Date();
  if (new Date(cert.validTo) <= now) throw new PkiFileError(certFile, `expired on ${new Date(cert.validTo).toISOString()}; remove it (and its key) to have a new one made`);
  if (check.isCA && !cert.ca) throw new PkiFileError(certFile, 'is not a CA certificate (basicConstraints CA:FALSE)');
  if (check.ca && !(cert.checkIssued(check.ca) && cert.verify(check.ca.publicKey))) {
    throw new PkiFileError(certFile, `is not signed by the CA "${check.ca.subject.replace(/\n/g, ', ')}"; remove it (and its key) to have a new one made`);
  }
  if (check.wantSANs) {
    const have = certSANs(cert);
    const missing = [
      ...check.wantSANs.dns.filter((d) => !have.dns.includes(d)),
      ...check.wantSANs.ips.map(normaliseIP).filter((ip) => !have.ips.includes(ip)),
    ];
    if (missing.length) throw new PkiFileError(certFile, `lacks the subject alternative names ${missing.join(', ')}; remove it (and its key) to have a new one made`);
  }
  return cert;
}
