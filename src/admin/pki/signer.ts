// A CA ready to sign: its certificate and its private key as a WebCrypto signing key. Keys
// on disk may be PKCS#8 or the older PKCS#1/SEC1 forms (an existing kubeadm CA), RSA or EC.
import crypto from 'node:crypto';
import { webcrypto } from './crypto-provider.js';

export interface Signer {
  certPem: string;
  cert: crypto.X509Certificate;
  key: CryptoKey;
  algorithm: RsaHashedImportParams | EcKeyImportParams;
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The WebCrypto signing algorithm for a node KeyObject, or an error naming the key type. */
export function signingAlgorithm(key: crypto.KeyObject, what: string): RsaHashedImportParams | EcKeyImportParams {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) return { name: 'ECDSA', namedCurve: curve };
  }
  throw new Error(`${what}: unsupported key type ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}; want RSA or ECDSA P-256/384/521`);
}

export async function importSigner(certPem: string, keyPem: string, what: string): Promise<Signer> {
  const cert = new crypto.X509Certificate(certPem);
  const keyObject = crypto.createPrivateKey(keyPem);
  const algorithm = signingAlgorithm(keyObject, what);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return { certPem, cert, key, algorithm };
}

/** The hash-qualified algorithm x509 signs with, for a signer's key. */
export function signatureAlgorithm(s: Signer): Algorithm {
  return s.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: (s.algorithm as EcKeyImportParams).namedCurve === 'P-256' ? 'SHA-256' : 'SHA-384' } as Algorithm
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm;
}
