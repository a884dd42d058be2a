// Bootstrap token Secrets (type bootstrap.kubernetes.io/token in kube-system): their id,
// secret, usages and expiration, decoded from base64 data.
import type { Secret } from 'kubernetes-types/core/v1.js';

export const TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
const d = (s: Secret, k: string) => (s.data?.[k] !== undefined ? Buffer.from(s.data[k], 'base64').toString('utf8') : s.stringData?.[k]);

export interface BootstrapToken { id: string; secret: string; signing: boolean; expiration?: number }

export function parseToken(s: Secret): BootstrapToken | undefined {
  if (s.type !== TOKEN_TYPE || s.metadata?.namespace !== 'kube-system') return undefined;
  const id = d(s, 'token-id'); const secret = d(s, 'token-secret');
  if (!id || !secret || s.metadata?.name !== `bootstrap-token-${id}`) return undefined;
  const exp = d(s, 'expiration');
  return { id, secret, signing: d(s, 'usage-bootstrap-signing') === 'true', expiration: exp ? Date.parse(exp) : undefined };
}
