// sa.key / sa.pub: the key pair the API server signs service-account tokens with and
// verifies them by. Not a certificate, so it never expires and has no CA.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SA_KEY_ALGORITHM, webcrypto } from './crypto-provider.js';
import { PkiFileError, readPrivateKey } from './existing.js';
import { pemBlock } from './pem.js';
import { tightenKeyMode, writeCert, writeKey } from './cert-files.js';

export type Action = 'created' | 'kept';

export async function ensureServiceAccountKeys(certDir: string): Promise<Action> {
  const keyFile = path.join(certDir, 'sa.key');
  const pubFile = path.join(certDir, 'sa.pub');
  if (fs.existsSync(keyFile)) {
    const key = readPrivateKey(keyFile);
    const derived = crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    if (fs.existsSync(pubFile)) {
      let pub: crypto.KeyObject;
      try {
        pub = crypto.createPublicKey(fs.readFileSync(pubFile, 'utf8'));
      } catch (err) {
        throw new PkiFileError(pubFile, `malformed public key: ${(err as Error).message}`);
      }
      if (pub.export({ type: 'spki', format: 'pem' }).toString() !== derived) throw new PkiFileError(pubFile, `does not match the private key in ${keyFile}`);
    } else {
      writeCert(pubFile, derived);
    }
    tightenKeyMode(keyFile);
    return 'kept';
  }
  if (fs.existsSync(pubFile)) throw new PkiFileError(pubFile, `exists without its private key ${keyFile}; remove it to have a new pair made`);
  const keys = await webcrypto.subtle.generateKey(SA_KEY_ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  writeKey(keyFile, pemBlock('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)));
  writeCert(pubFile, pemBlock('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', keys.publicKey)));
  return 'created';
}
