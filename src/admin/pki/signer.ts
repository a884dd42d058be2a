// A CA ready to sign: its certificate and its private key. Keys on disk may be PKCS#8 or
// the older PKCS#1/SEC1 forms (an existing kubeadm CA), RSA or EC.
import crypto from 'node:crypto';

export interface Signer {
  certPem: string;
  cert: crypto.X509Certificate;
  key: crypto.KeyObject;
  /** The digest its signatures use: SHA-256 (RSA, P-256) or SHA-384 (P-384, P-521). */
  hash: 'sha256' | 'sha384';
}

const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** The digest a node KeyObject signs certificates with, or an error naming the key type. */
export function signingHash(key: crypto.KeyObject, what: string): Signer['hash'] {
  if (key.asymmetricKeyType === 'rsa') return 'sha256';
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  if (key.asymmetricKeyType === 'ec' && CURVES.has(curve)) return curve === 'prime256v1' ? 'sha256' : 'sha384';
  throw new Error(`${what}: unsupported key type ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}; want RSA or ECDSA P-256/384/521`);
}

export async function importSigner(certPem: string, keyPem: string, what: string): Promise<Signer> {
  const cert = new crypto.X509Certificate(certPem);
  const key = crypto.createPrivateKey(keyPem);
  return { certPem, cert, key, hash: signingHash(key, what) };
}
