// Making certificates: a self-signed CA (10 years, like kubeadm) or a leaf signed by a CA
// (1 year), each with a fresh ECDSA P-256 key (kubeadm's other `encryptionAlgorithm`
// besides RSA-2048, and far quicker to make). Subjects, usages and SANs come from
// cert-specs.ts. The certificate is written with der.ts and signed by node:crypto: an
// ASN.1 library cost `tskube up` ~0.3–0.5 s of start and memory it kept (bench/README.md).
import crypto from 'node:crypto';
import net from 'node:net';
import { bits, boolean, children, explicit, namedBits, nullValue, octets, oid, readElement, sequence, set, tlv, time, unsigned, utf8, type Der } from './der.js';
import { pemBlock } from './pem.js';
import type { Signer } from './signer.js';
import type { SANs, Usage } from './cert-specs.js';

export const CA_VALIDITY_MS = 10 * 365 * 24 * 3600_000;
export const LEAF_VALIDITY_MS = 365 * 24 * 3600_000;
/** Back-dated a little so a clock a few minutes behind still accepts a fresh certificate. */
const BACKDATE_MS = 5 * 60_000;

export interface IssuedPair { certPem: string; keyPem: string }

export interface LeafRequest {
  cn: string;
  orgs: string[];
  usages: Usage[];
  sans?: SANs;
  validityMs?: number;
  /** For tests: a notAfter in the past. */
  notAfter?: Date;
}

const OID = {
  cn: '2.5.4.3', o: '2.5.4.10',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14', authorityKeyId: '2.5.29.35', subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaSha256: '1.2.840.10045.4.3.2', ecdsaSha384: '1.2.840.10045.4.3.3', rsaSha256: '1.2.840.113549.1.1.11',
};
// KeyUsage bits (RFC 5280 4.2.1.3)
const DIGITAL_SIGNATURE = 0, KEY_ENCIPHERMENT = 2, KEY_CERT_SIGN = 5;

/** The X.500 name CN=cn, O=org… (one attribute per RDN, UTF8String). */
function name(cn: string, orgs: string[] = []): Der {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8(value)));
  return sequence(rdn(OID.cn, cn), ...orgs.map((o) => rdn(OID.o, o)));
}

const extension = (id: string, critical: boolean, value: Der): Der => sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value));

/** SHA-1 of the subjectPublicKey bits: RFC 5280's method (1) key identifier, as Go's and @peculiar's. */
function keyId(spki: Buffer): Buffer {
  const [, key] = children(spki, readElement(spki, 0));
  return crypto.createHash('sha1').update(spki.subarray(key.contentStart + 1, key.end)).digest();
}

const serial = (): Der => {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f; // positive, as RFC 5280 wants
  return unsigned(b);
};

function signatureAlgorithm(key: crypto.KeyObject, hash: Signer['hash']): Der {
  if (key.asymmetricKeyType === 'rsa') return sequence(oid(OID.rsaSha256), nullValue());
  return sequence(oid(hash === 'sha256' ? OID.ecdsaSha256 : OID.ecdsaSha384));
}

interface CertFields {
  subject: Der;
  issuer: Der;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Der[];
  signingKey: crypto.KeyObject;
  hash: Signer['hash'];
}

function certificate(f: CertFields): Buffer {
  const alg = signatureAlgorithm(f.signingKey, f.hash);
  const tbs = sequence(
    explicit(0, unsigned(Buffer.from([2]))), // v3
    serial(), alg, f.issuer, sequence(time(f.notBefore), time(f.notAfter)), f.subject, f.spki,
    explicit(3, sequence(...f.extensions)),
  );
  return sequence(tbs, alg, bits(crypto.sign(f.hash, tbs, f.signingKey)));
}

const newKeyPair = (): Promise<crypto.KeyPairKeyObjectResult> =>
  new Promise((resolve, reject) => crypto.generateKeyPair('ec', { namedCurve: 'prime256v1' }, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey }))));

const keyPem = (key: crypto.KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const spkiOf = (key: crypto.KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

export async function issueCA(cn: string, validityMs = CA_VALIDITY_MS): Promise<IssuedPair> {
  const keys = await newKeyPair();
  const spki = spkiOf(keys.publicKey);
  const now = Date.now();
  const subject = name(cn);
  const der = certificate({
    subject, issuer: subject, notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + validityMs), spki,
    signingKey: keys.privateKey, hash: 'sha256',
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_CERT_SIGN])),
      extension(OID.subjectKeyId, false, octets(keyId(spki))),
    ],
  });
  return { certPem: pemBlock('CERTIFICATE', der), keyPem: keyPem(keys.privateKey) };
}

/** The issuer's subject exactly as its certificate encodes it (a name must match byte for byte to chain). */
function subjectOf(certDer: Buffer): Der {
  const tbs = children(certDer, readElement(certDer, 0))[0];
  const fields = children(certDer, tbs);
  const at = fields[0].tag === 0xa0 ? 1 : 0; // [0] version is optional (v1)
  const subject = fields[at + 4]; // serial, signature, issuer, validity, subject
  return certDer.subarray(subject.start, subject.end);
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head), t = groups(tail);
  const all = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export async function issueLeaf(ca: Signer, req: LeafRequest): Promise<IssuedPair> {
  const keys = await newKeyPair();
  const now = Date.now();
  const names = [
    ...(req.sans?.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...(req.sans?.ips ?? []).map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const caSpki = spkiOf(ca.cert.publicKey);
  const der = certificate({
    subject: name(req.cn, req.orgs), issuer: subjectOf(ca.cert.raw),
    notBefore: new Date(now - BACKDATE_MS), notAfter: req.notAfter ?? new Date(now + (req.validityMs ?? LEAF_VALIDITY_MS)),
    spki: spkiOf(keys.publicKey), signingKey: ca.key, hash: ca.hash,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT])),
      extension(OID.extKeyUsage, false, sequence(...req.usages.map((u) => oid(u === 'server' ? OID.serverAuth : OID.clientAuth)))),
      extension(OID.authorityKeyId, false, sequence(tlv(0x80, keyId(caSpki)))),
      ...(names.length ? [extension(OID.subjectAltName, false, sequence(...names))] : []),
    ],
  });
  return { certPem: pemBlock('CERTIFICATE', der), keyPem: keyPem(keys.privateKey) };
}
