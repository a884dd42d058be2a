// A legacy service account token: a JWT that never expires, issued by
// "kubernetes/serviceaccount", naming the namespace, Secret and ServiceAccount, signed
// with --service-account-private-key-file (RS256 or ES256/384/512, kid = the SHA-256 of
// the public key's DER, as upstream).
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { SignJWT } from 'jose';

export interface TokenSigner { key: KeyObject; alg: string; kid: string }

const P = 'kubernetes.io/serviceaccount/';

export function loadTokenSigner(file: string): TokenSigner {
  const key = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  let alg: string;
  if (key.asymmetricKeyType === 'rsa') alg = 'RS256';
  else {
    alg = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? '';
    if (!alg) throw new Error(`${file}: unsupported key type ${key.asymmetricKeyType}`);
  }
  const kid = crypto.createHash('sha256').update(crypto.createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('base64url');
  return { key, alg, kid };
}

export function legacyToken(s: TokenSigner, ns: string, sa: { name: string; uid: string }, secretName: string): Promise<string> {
  return new SignJWT({ [`${P}namespace`]: ns, [`${P}secret.name`]: secretName, [`${P}service-account.name`]: sa.name, [`${P}service-account.uid`]: sa.uid })
    .setProtectedHeader({ alg: s.alg, kid: s.kid }).setIssuer('kubernetes/serviceaccount').setSubject(`system:serviceaccount:${ns}:${sa.name}`).sign(s.key);
}
