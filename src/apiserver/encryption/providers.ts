// The encryption providers of an EncryptionConfiguration, each turning plaintext into
// `k8s:enc:NAME:v1:KEY:` + ciphertext and back: aescbc (random IV, PKCS#7), aesgcm
// (random nonce, the etcd key as additional data), secretbox (XSalsa20-Poly1305), identity.
import crypto from 'node:crypto';
import nacl from 'tweetnacl';

export interface Provider {
  /** `k8s:enc:aescbc:v1:key1:`; '' for identity. */
  prefix: string;
  encrypt(plain: Buffer, key: string): Buffer;
  decrypt(data: Buffer, key: string): Buffer;
}

export const identity: Provider = { prefix: '', encrypt: (p) => p, decrypt: (d) => d };

export function aescbc(name: string, secret: Buffer): Provider {
  const alg = `aes-${secret.length * 8}-cbc`;
  return {
    prefix: `k8s:enc:aescbc:v1:${name}:`,
    encrypt(plain) {
      const iv = crypto.randomBytes(16);
      const c = crypto.createCipheriv(alg, secret, iv);
      return Buffer.concat([iv, c.update(plain), c.final()]);
    },
    decrypt(data) {
      if (data.length < 32 || data.length % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = crypto.createDecipheriv(alg, secret, data.subarray(0, 16));
      return Buffer.concat([d.update(data.subarray(16)), d.final()]);
    },
  };
}

export function aesgcm(name: string, secret: Buffer): Provider {
  const alg = `aes-${secret.length * 8}-gcm` as crypto.CipherGCMTypes;
  return {
    prefix: `k8s:enc:aesgcm:v1:${name}:`,
    encrypt(plain, key) {
      const nonce = crypto.randomBytes(12);
      const c = crypto.createCipheriv(alg, secret, nonce);
      c.setAAD(Buffer.from(key));
      return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
    },
    decrypt(data, key) {
      if (data.length < 28) throw new Error('the stored data was shorter than the required size');
      const d = crypto.createDecipheriv(alg, secret, data.subarray(0, 12));
      d.setAAD(Buffer.from(key));
      d.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([d.update(data.subarray(12, data.length - 16)), d.final()]);
    },
  };
}

export function secretbox(name: string, secret: Buffer): Provider {
  const key = new Uint8Array(secret);
  return {
    prefix: `k8s:enc:secretbox:v1:${name}:`,
    encrypt(plain) {
      const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
      return Buffer.concat([Buffer.from(nonce), Buffer.from(nacl.secretbox(new Uint8Array(plain), nonce, key))]);
    },
    decrypt(data) {
      if (data.length < nacl.secretbox.nonceLength) throw new Error('the stored data was shorter than the required size');
      const out = nacl.secretbox.open(new Uint8Array(data.subarray(nacl.secretbox.nonceLength)), new Uint8Array(data.subarray(0, nacl.secretbox.nonceLength)), key);
      if (!out) throw new Error('failed to decrypt secretbox data');
      return Buffer.from(out);
    },
  };
}
