// @peculiar/x509 (the X.509 library every certificate tskube makes is written with) needs
// reflect-metadata loaded before it and a WebCrypto provider: node's own, set once here.
// It loads only when a certificate is made, so a process given its files (every `tskube up`
// after the first) never spends the ~0.5–1.5 s of CPU its modules take to load.
import { webcrypto } from 'node:crypto';

type X509 = typeof import('@peculiar/x509');
let loading: Promise<X509> | undefined;

export function loadX509(): Promise<X509> {
  loading ??= (async () => {
    await import('reflect-metadata');
    // a CommonJS package: its exports are the default export of a bundle's dynamic import
    const m = await import('@peculiar/x509') as X509 & { default?: X509 };
    const x509 = m.default ?? m;
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return loading;
}

export { webcrypto };

/** kubeadm's default is RSA-2048; ECDSA P-256 (its other choice) is much faster to make. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
