// --service-account-key-file / --service-account-signing-key-file: PEM files holding RSA or
// ECDSA keys (public or private; a private key also verifies). Upstream's key id is the
// unpadded base64url SHA-256 of the public key's DER (SubjectPublicKeyInfo).
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';

export interface VerificationKey { key: KeyObject; alg: string; kid: string }
export interface SigningKey { key: KeyObject; alg: string; kid: string }

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

export function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}`);
}

export function keyID(pub: KeyObject): string {
  return crypto.createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** Every key in the files, as public keys; a file with no usable key is an error. */
export function loadVerificationKeys(files: string[]): VerificationKey[] {
  const out: VerificationKey[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const blocks = text.match(PEM_BLOCK) ?? [];
    const found: VerificationKey[] = [];
    for (const block of blocks) {
      if (/CERTIFICATE/.test(block.split('\n')[0])) continue;
      let pub: KeyObject;
      try {
        pub = crypto.createPublicKey(block);
      } catch (err) {
        throw new Error(`--service-account-key-file ${file}: ${(err as Error).message}`);
      }
      found.push({ key: pub, alg: algorithmFor(pub), kid: keyID(pub) });
    }
    if (!found.length) throw new Error(`--service-account-key-file ${file}: no public or private key in PEM form`);
    out.push(...found);
  }
  return out;
}

export function loadSigningKey(file: string): SigningKey {
  const text = fs.readFileSync(file, 'utf8');
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey(text);
  } catch (err) {
    throw new Error(`--service-account-signing-key-file ${file}: not a PEM private key: ${(err as Error).message}`);
  }
  return { key, alg: algorithmFor(key), kid: keyID(crypto.createPublicKey(key)) };
}
