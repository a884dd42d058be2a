// @peculiar/x509 needs reflect-metadata loaded before it and a WebCrypto provider; node's
// own webcrypto is the provider, set once here so every PKI file imports x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509, webcrypto };

/** kubeadm's default is RSA-2048; ECDSA P-256 (its other choice) is much faster to make. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Service-account tokens are signed RS256 by default upstream, so sa.key stays RSA. */
export const SA_KEY_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;
