// Delegated authentication and authorization for a component's secure port, as upstream's
// kube-scheduler and kube-controller-manager do it: a client certificate signed by
// --client-ca-file names the user (CN) and groups (O); a bearer token is checked with a
// TokenReview; the request is then allowed by a SubjectAccessReview on its non-resource path.
// Paths in --authorization-always-allow-paths (default /healthz, /readyz, /livez) skip both.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../rest-client.js';

export interface UserInfo { username: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }
export type AuthVerdict = { allowed: true; user?: UserInfo } | { allowed: false; code: 401 | 403; message: string };

export interface DelegatedAuthOptions {
  /** Client for TokenReviews; without it every token is anonymous (upstream: empty --authentication-kubeconfig). */
  authentication?: RestClient;
  /** Client for SubjectAccessReviews; without it every non-skipped request is forbidden. */
  authorization?: RestClient;
  alwaysAllowPaths: string[];
}

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const CACHE_MS = 10_000; // upstream caches authn and authz answers for 10 s

/** A path pattern of --authorization-always-allow-paths: exact, or a prefix ending in `/*`. */
function pathAllowed(patterns: string[], p: string): boolean {
  return patterns.some((pat) => (pat.endsWith('*') ? p.startsWith(pat.slice(0, -1)) : p === pat));
}

export class DelegatedAuth {
  private readonly tokens = new Map<string, { at: number; user?: UserInfo }>();
  private readonly decisions = new Map<string, { at: number; allowed: boolean; reason: string }>();

  constructor(private readonly o: DelegatedAuthOptions) {}

  async check(req: http.IncomingMessage): Promise<AuthVerdict> {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathAllowed(this.o.alwaysAllowPaths, p)) return { allowed: true };
    const user = await this.authenticate(req);
    if (!user) return { allowed: false, code: 401, message: 'Unauthorized' };
    const verb = (req.method ?? 'GET').toLowerCase();
    const answer = await this.authorize(user, verb, p);
    if (!answer.allowed) {
      return { allowed: false, code: 403, message: `forbidden: User "${user.username}" cannot ${verb} path "${p}"${answer.reason ? `: ${answer.reason}` : ''}` };
    }
    return { allowed: true, user };
  }

  /** The user, or undefined when the credentials presented are invalid (401). */
  private async authenticate(req: http.IncomingMessage): Promise<UserInfo | undefined> {
    const sock = req.socket as TLSSocket;
    if (sock.authorized) {
      const peer = sock.getPeerCertificate();
      const subject = peer?.subject as Record<string, string | string[]> | undefined;
      if (subject?.CN) {
        const o = subject.O;
        return { username: String(subject.CN), groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'] };
      }
    }
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return ANONYMOUS;
    if (!this.o.authentication) return ANONYMOUS;
    const token = auth.slice(7).trim();
    const hit = this.tokens.get(token);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.user;
    const review = await this.o.authentication.request<{ status?: { authenticated?: boolean; user?: UserInfo } }>({
      method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const user = review.status?.authenticated ? { groups: [], ...review.status.user } as UserInfo : undefined;
    this.tokens.set(token, { at: Date.now(), user });
    return user;
  }

  private async authorize(user: UserInfo, verb: string, p: string): Promise<{ allowed: boolean; reason: string }> {
    if (!this.o.authorization) return { allowed: false, reason: 'no authorization is configured (--authorization-kubeconfig)' };
    const key = JSON.stringify([user.username, user.groups, verb, p]);
    const hit = this.decisions.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    const review = await this.o.authorization.request<{ status?: { allowed?: boolean; reason?: string } }>({
      method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: user.username, groups: user.groups, uid: user.uid, extra: user.extra, nonResourceAttributes: { path: p, verb } },
      },
    });
    const answer = { at: Date.now(), allowed: !!review.status?.allowed, reason: review.status?.reason ?? '' };
    this.decisions.set(key, answer);
    return answer;
  }
}
