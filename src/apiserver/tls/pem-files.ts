// Certificate and key files named by flags, read and parsed at start so that a wrong path,
// a file that is not PEM, a key that is not the certificate's or an expired certificate is
// reported with the flag and the file — not later as OpenSSL's "no start line".
import crypto from 'node:crypto';
import fs from 'node:fs';

export class PemFileError extends Error {}

function read(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PemFileError(`${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Every certificate in a PEM bundle (at least one), parsed. */
export function readCertificates(flag: string, file: string): { pem: string; certs: crypto.X509Certificate[] } {
  const pem = read(flag, file);
  const blocks = [...pem.matchAll(BLOCK)].filter((m) => m[1] === 'CERTIFICATE');
  if (!blocks.length) throw new PemFileError(`${flag}: ${file} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`);
  const certs = blocks.map((m, i) => {
    try { return new crypto.X509Certificate(m[0]); } catch (err) {
      throw new PemFileError(`${flag}: ${file}: certificate ${i + 1} cannot be parsed: ${(err as Error).message}`);
    }
  });
  return { pem, certs };
}

export function readPrivateKey(flag: string, file: string): { pem: string; key: crypto.KeyObject } {
  const pem = read(flag, file);
  const block = [...pem.matchAll(BLOCK)].find((m) => /PRIVATE KEY$/.test(m[1]));
  if (!block) throw new PemFileError(`${flag}: ${file} holds no PEM private key (no "-----BEGIN … PRIVATE KEY-----" block)`);
  try {
    return { pem, key: crypto.createPrivateKey(block[0]) };
  } catch (err) {
    throw new PemFileError(`${flag}: ${file}: the private key cannot be parsed: ${(err as Error).message}`);
  }
}

/** A certificate and its key, checked to belong together and to be valid now. */
export function readKeyPair(certFlag: string, certFile: string, keyFlag: string, keyFile: string): { cert: string; key: string } {
  const { pem: cert, certs } = readCertificates(certFlag, certFile);
  const { pem: key, key: keyObject } = readPrivateKey(keyFlag, keyFile);
  if (!certs[0].checkPrivateKey(keyObject)) throw new PemFileError(`${keyFlag}: ${keyFile} is not the private key of the certificate in ${certFlag} ${certFile}`);
  const now = Date.now();
  if (Date.parse(certs[0].validTo) < now) throw new PemFileError(`${certFlag}: ${certFile}: the certificate expired on ${new Date(certs[0].validTo).toISOString()}`);
  if (Date.parse(certs[0].validFrom) > now) throw new PemFileError(`${certFlag}: ${certFile}: the certificate is not valid before ${new Date(certs[0].validFrom).toISOString()}`);
  return { cert, key };
}
