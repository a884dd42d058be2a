// Who may use the kubelet's HTTPS server, as upstream decides it (pkg/kubelet/server/auth.go):
// a client certificate signed by --client-ca-file names the user (CN) and groups (O); a
// bearer token is checked by a TokenReview when --authentication-token-webhook is set;
// without credentials the caller is system:anonymous if --anonymous-auth, else 401. With
// --authorization-mode=Webhook every request is a SubjectAccessReview on the node: verb
// from the HTTP method, resource nodes, subresource by path (stats, metrics, log, spec,
// else proxy — exec, attach, port-forward, logs and pods are all nodes/proxy).
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../../client/index.js';

export interface KubeletUser { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

export interface KubeletAuthOptions {
  anonymousAuth: boolean;
  /** TokenReviews through the kubelet's own API client (--authentication-token-webhook). */
  tokenWebhook?: RestClient;
  /** SubjectAccessReviews through the kubelet's API client; absent = AlwaysAllow. */
  authorizer?: RestClient;
  /** --authentication-token-webhook-cache-ttl (2m). */
  tokenCacheMs?: number;
}

export type AuthVerdict = { ok: true; user: KubeletUser } | { ok: false; code: 401 | 403 | 500; message: string };

export interface RequestAttributes { verb: string; resource: 'nodes'; subresource: string; name: string }

const ANONYMOUS: KubeletUser = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const AUTHORIZED_TTL_MS = 5 * 60_000; // --authorization-webhook-cache-authorized-ttl
const UNAUTHORIZED_TTL_MS = 30_000; // --authorization-webhook-cache-unauthorized-ttl

const VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

const isSubpath = (p: string, prefix: string): boolean => {
  const base = prefix.replace(/\/$/, '');
  return p === base || (p.startsWith(base) && p[base.length] === '/');
};

/** The authorization attributes of a request to the kubelet (upstream's GetRequestAttributes). */
export function requestAttributes(method: string, path: string, nodeName: string): RequestAttributes {
  let subresource = 'proxy';
  if (isSubpath(path, '/stats')) subresource = 'stats';
  else if (isSubpath(path, '/metrics')) subresource = 'metrics';
  else if (isSubpath(path, '/logs')) subresource = 'log';
  else if (isSubpath(path, '/spec')) subresource = 'spec';
  return { verb: VERBS[method.toUpperCase()] ?? method.toLowerCase(), resource: 'nodes', subresource, name: nodeName };
}

export class KubeletAuth {
  private readonly tokens = new Map<string, { at: number; user?: KubeletUser }>();
  private readonly decisions = new Map<string, { at: number; allowed: boolean; reason: string }>();

  constructor(private readonly o: KubeletAuthOptions) {}

  async check(req: http.IncomingMessage, nodeName: string): Promise<AuthVerdict> {
    let user: KubeletUser | undefined;
    try {
      user = await this.authenticate(req);
    } catch (err) {
      return { ok: false, code: 500, message: `Authentication failed: ${(err as Error).message}` };
    }
    if (!user) return { ok: false, code: 401, message: 'Unauthorized' };
    const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
    const attrs = requestAttributes(req.method ?? 'GET', path, nodeName);
    if (!this.o.authorizer) return { ok: true, user };
    let allowed: boolean;
    try {
      allowed = (await this.authorize(user, attrs)).allowed;
    } catch (err) {
      return { ok: false, code: 500, message: `Authorization error (user=${user.username}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource}): ${(err as Error).message}` };
    }
    if (!allowed) return { ok: false, code: 403, message: `Forbidden (user=${user.username}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource})` };
    return { ok: true, user };
  }

  /** The caller, or undefined for a 401 (bad credentials, or none without --anonymous-auth). */
  private async authenticate(req: http.IncomingMessage): Promise<KubeletUser | undefined> {
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const subject = sock.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined;
      if (subject?.CN) {
        const o = subject.O;
        return { username: String(subject.CN), groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'] };
      }
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (token && this.o.tokenWebhook) return this.reviewToken(token);
    return this.o.anonymousAuth ? ANONYMOUS : undefined;
  }

  private async reviewToken(token: string): Promise<KubeletUser | undefined> {
    const hit = this.tokens.get(token);
    if (hit && Date.now() - hit.at < (this.o.tokenCacheMs ?? 120_000)) return hit.user;
    const review = await this.o.tokenWebhook!.request<{ status?: { authenticated?: boolean; user?: KubeletUser } }>({
      method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const user = review.status?.authenticated && review.status.user ? { ...review.status.user, groups: review.status.user.groups ?? [] } : undefined;
    if (this.tokens.size > 10_000) this.tokens.clear();
    this.tokens.set(token, { at: Date.now(), user });
    return user;
  }

  private async authorize(user: KubeletUser, a: RequestAttributes): Promise<{ allowed: boolean; reason: string }> {
    const key = JSON.stringify([user.username, user.uid, user.groups, user.extra, a]);
    const hit = this.decisions.get(key);
    if (hit && Date.now() - hit.at < (hit.allowed ? AUTHORIZED_TTL_MS : UNAUTHORIZED_TTL_MS)) return hit;
    const review = await this.o.authorizer!.request<{ status?: { allowed?: boolean; reason?: string } }>({
      method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: user.username, uid: user.uid, groups: user.groups, extra: user.extra,
          resourceAttributes: { verb: a.verb, group: '', version: 'v1', resource: a.resource, subresource: a.subresource, name: a.name },
        },
      },
    });
    const answer = { at: Date.now(), allowed: !!review.status?.allowed, reason: review.status?.reason ?? '' };
    if (this.decisions.size > 10_000) this.decisions.clear();
    this.decisions.set(key, answer);
    return answer;
  }
}
