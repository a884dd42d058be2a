// sa.key / sa.pub: the key pair the API server signs service-account tokens with and
// verifies them by. Not a certificate, so it never expires and has no CA.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PkiFileError, readPrivateKey } from './existing.js';
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
  // ECDSA P-256, as kubeadm makes sa.key with encryptionAlgorithm ECDSA-P256 (tokens are
  // ES256): an RSA-2048 key took 0.3–1.4 s to make on a busy 2-core machine, the largest
  // part of a fresh `tskube up`'s PKI. An existing RSA sa.key is kept (above).
  const { publicKey, privateKey } = await new Promise<crypto.KeyPairKeyObjectResult>((resolve, reject) =>
    crypto.generateKeyPair('ec', { namedCurve: 'prime256v1' }, (err, pub, priv) => (err ? reject(err) : resolve({ publicKey: pub, privateKey: priv }))));
  writeKey(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writeCert(pubFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return 'created';
}
