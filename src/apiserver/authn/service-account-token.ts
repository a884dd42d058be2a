// Service account JWTs: legacy tokens (issuer "kubernetes/serviceaccount", kept in a
// Secret, valid while that Secret holds them) and bound tokens from the TokenRequest API
// (our issuer, an audience, an expiry, and invalid once the pod or secret they are bound
// to is gone or was recreated).
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { TokenAuthenticator } from './authenticator.js';
import type { ObjectLookup } from './object-lookup.js';
import type { SigningKey, VerificationKey } from './service-account-keys.js';
import type { UserInfo } from './user-info.js';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const LEGACY = 'kubernetes.io/serviceaccount/';

export const serviceAccountUser = (ns: string, name: string, uid: string, extra?: Record<string, string[]>): UserInfo => ({
  name: `system:serviceaccount:${ns}:${name}`, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`], ...(extra ? { extra } : {}),
});

/** `system:serviceaccount:NS:NAME` → [NS, NAME]. */
export function parseServiceAccountUser(user: string): [string, string] | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return m ? [m[1], m[2]] : undefined;
}

export interface BoundRef { kind: 'Pod' | 'Secret' | 'Node'; name: string; uid: string }

export interface ServiceAccountTokenOptions {
  keys: VerificationKey[];
  /** --service-account-issuer values; the first one signs. */
  issuers: string[];
  /** --api-audiences (default: the issuers). */
  audiences: string[];
  lookup: ObjectLookup;
}

async function verify(token: string, keys: VerificationKey[]): Promise<JWTPayload> {
  let last: unknown;
  for (const k of keys) {
    try {
      return (await jwtVerify(token, k.key, { algorithms: [k.alg] })).payload;
    } catch (err) { last = err; }
  }
  throw new Error(`service account token: ${(last as Error)?.message ?? 'no keys'}`);
}

export function serviceAccountTokenAuthenticator(o: ServiceAccountTokenOptions): TokenAuthenticator {
  return {
    name: 'service-account',
    async authenticateToken(token) {
      let claims: JWTPayload;
      try { claims = decodeJwt(token); } catch { return undefined; }
      if (claims.iss !== LEGACY_ISSUER && !o.issuers.includes(String(claims.iss))) return undefined;
      const verified = await verify(token, o.keys);
      return claims.iss === LEGACY_ISSUER ? legacy(verified, token, o.lookup) : bound(verified, o);
    },
  };
}

async function legacy(c: Record<string, any>, token: string, lookup: ObjectLookup): Promise<UserInfo> {
  const ns = String(c[`${LEGACY}namespace`] ?? '');
  const secretName = String(c[`${LEGACY}secret.name`] ?? '');
  const saName = String(c[`${LEGACY}service-account.name`] ?? '');
  const saUID = String(c[`${LEGACY}service-account.uid`] ?? '');
  if (!ns || !secretName || !saName) throw new Error('legacy token is missing claims');
  const secret = await lookup('secrets', ns, secretName);
  if (!secret || secret.metadata?.deletionTimestamp) throw new Error(`secret ${ns}/${secretName} not found`);
  if (Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8') !== token) throw new Error(`token does not match secret ${ns}/${secretName}`);
  const sa = await lookup('serviceaccounts', ns, saName);
  if (!sa || sa.metadata?.deletionTimestamp) throw new Error(`service account ${ns}/${saName} not found`);
  if (saUID && sa.metadata?.uid !== saUID) throw new Error(`service account ${ns}/${saName} was recreated`);
  return serviceAccountUser(ns, saName, sa.metadata?.uid ?? '', { 'authentication.kubernetes.io/credential-id': [`object=Secret,name=${secretName},uid=${secret.metadata?.uid ?? ''}`] });
}

async function bound(c: Record<string, any>, o: ServiceAccountTokenOptions): Promise<UserInfo> {
  const aud = Array.isArray(c.aud) ? c.aud : c.aud ? [c.aud] : [];
  if (!aud.some((a: string) => o.audiences.includes(a))) throw new Error('token audiences are not accepted');
  const k = c['kubernetes.io'] ?? {};
  const ns = String(k.namespace ?? '');
  const saName = String(k.serviceaccount?.name ?? '');
  if (!ns || !saName) throw new Error('token is missing kubernetes.io claims');
  const sa = await lookup(o, 'serviceaccounts', ns, saName, k.serviceaccount?.uid);
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    await lookup(o, 'pods', ns, k.pod.name, k.pod.uid);
    extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
  }
  if (k.secret) await lookup(o, 'secrets', ns, k.secret.name, k.secret.uid);
  if (k.node) {
    extra['authentication.kubernetes.io/node-name'] = [k.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
  }
  if (c.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${c.jti}`];
  return serviceAccountUser(ns, saName, sa.metadata?.uid ?? '', extra);
}

async function lookup(o: ServiceAccountTokenOptions, resource: 'pods' | 'secrets' | 'serviceaccounts', ns: string, name: string, uid?: string) {
  const obj = await o.lookup(resource, ns, name);
  if (!obj || obj.metadata?.deletionTimestamp) throw new Error(`${resource} ${ns}/${name} is gone`);
  if (uid && obj.metadata?.uid !== uid) throw new Error(`${resource} ${ns}/${name} was recreated`);
  return obj;
}

export interface IssueOptions {
  namespace: string; serviceAccount: { name: string; uid: string };
  audiences: string[]; expirationSeconds: number; bound?: BoundRef; issuer: string;
}

/** Signs a bound token; returns it with its expiry. */
export async function issueBoundToken(key: SigningKey, o: IssueOptions, now = new Date()): Promise<{ token: string; expires: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + o.expirationSeconds;
  const k: Record<string, unknown> = { namespace: o.namespace, serviceaccount: { name: o.serviceAccount.name, uid: o.serviceAccount.uid } };
  if (o.bound?.kind === 'Pod') k.pod = { name: o.bound.name, uid: o.bound.uid };
  if (o.bound?.kind === 'Secret') k.secret = { name: o.bound.name, uid: o.bound.uid };
  if (o.bound?.kind === 'Node') k.node = { name: o.bound.name, uid: o.bound.uid };
  const token = await new SignJWT({ 'kubernetes.io': k })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(o.issuer).setSubject(`system:serviceaccount:${o.namespace}:${o.serviceAccount.name}`)
    .setAudience(o.audiences).setIssuedAt(iat).setNotBefore(iat).setExpirationTime(exp).setJti(randomUUID())
    .sign(key.key);
  return { token, expires: new Date(exp * 1000) };
}

/** Signs a legacy (secret-based, non-expiring) token as the tokens controller does. */
export async function issueLegacyToken(key: SigningKey, ns: string, sa: { name: string; uid: string }, secretName: string): Promise<string> {
  return new SignJWT({
    [`${LEGACY}namespace`]: ns, [`${LEGACY}secret.name`]: secretName,
    [`${LEGACY}service-account.name`]: sa.name, [`${LEGACY}service-account.uid`]: sa.uid,
  }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(LEGACY_ISSUER).setSubject(`system:serviceaccount:${ns}:${sa.name}`).sign(key.key);
}
