// Delegated authentication and authorization for a component's secure port, as upstream's
// kube-scheduler and kube-controller-manager do it: a front proxy's certificate (the
// requestheader CA, an allowed CN) lets its X-Remote-* headers name the user; a client
// certificate signed by the client CA names the user (CN) and groups (O); a bearer token is
// checked with a TokenReview; the request is then allowed by a SubjectAccessReview on its
// non-resource path. Paths in --authorization-always-allow-paths (default /healthz, /readyz,
// /livez) skip both. The client CA and the front-proxy settings not given as flags are read
// from kube-system/extension-apiserver-authentication at start (upstream's in-cluster lookup).
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../rest-client.js';
import { chainsTo, peerChain } from './cert-anchor.js';
import { proxyVerdict, requestHeaderFromConfigMap, type RequestHeaderConfig } from './request-header.js';

export interface UserInfo { username: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }
export type AuthVerdict = { allowed: true; user?: UserInfo } | { allowed: false; code: 401 | 403; message: string };

export interface DelegatedAuthOptions {
  /** Client for TokenReviews; without it every token is anonymous (upstream: empty --authentication-kubeconfig). */
  authentication?: RestClient;
  /** Client for SubjectAccessReviews; without it every non-skipped request is forbidden. */
  authorization?: RestClient;
  alwaysAllowPaths: string[];
  /** --client-ca-file; from the ConfigMap when unset. */
  clientCAFile?: string;
  /** --requestheader-*: from the ConfigMap when requestHeader.caFile is unset. */
  requestHeader?: Omit<RequestHeaderConfig, 'caPem' | 'cas'> & { caFile?: string };
  /** --authentication-skip-lookup: do not read the ConfigMap. */
  skipLookup?: boolean;
  /** --authentication-tolerate-lookup-failure: start without what the ConfigMap would say when it cannot be read. */
  tolerateLookupFailure?: boolean;
  log?: (msg: string) => void;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const parseBundle = (pem: string) => [...pem.matchAll(PEM_CERT)].map((m) => new crypto.X509Certificate(m[0]));
export const AUTHENTICATION_CONFIGMAP_PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const CACHE_MS = 10_000; // upstream caches authn and authz answers for 10 s

/** A path pattern of --authorization-always-allow-paths: exact, or a prefix ending in `/*`. */
function pathAllowed(patterns: string[], p: string): boolean {
  return patterns.some((pat) => (pat.endsWith('*') ? p.startsWith(pat.slice(0, -1)) : p === pat));
}

export class DelegatedAuth {
  private readonly tokens = new Map<string, { at: number; user?: UserInfo }>();
  private readonly decisions = new Map<string, { at: number; allowed: boolean; reason: string }>();

  private clientCA?: { pem: string; cas: crypto.X509Certificate[] };
  private requestHeader?: RequestHeaderConfig;

  constructor(private readonly o: DelegatedAuthOptions) {}

  private lookupTimer?: NodeJS.Timeout;
  private bundle?: string;

  /**
   * Reads the CA files and, for what the flags leave unset, the cluster's
   * extension-apiserver-authentication ConfigMap (then again every minute, as upstream's
   * dynamic CA providers follow it; every 5 s until the first read succeeds, since the
   * API server may still be starting). Returns the CAs TLS should ask client certificates
   * for; `onChange` gets the new bundle when the ConfigMap changes it.
   */
  async prepare(onChange?: (bundle: string | undefined) => void): Promise<string | undefined> {
    const read = (flag: string, file: string) => {
      try { const pem = fs.readFileSync(file, 'utf8'); return { pem, cas: parseBundle(pem) }; } catch (err) { throw new Error(`${flag}: ${(err as Error).message}`); }
    };
    const flagCA = this.o.clientCAFile ? read('--client-ca-file', this.o.clientCAFile) : undefined;
    const rh = this.o.requestHeader;
    let flagRH: RequestHeaderConfig | undefined;
    if (rh?.caFile) {
      const { caFile, ...rest } = rh;
      const { pem, cas } = read('--requestheader-client-ca-file', caFile);
      flagRH = { ...rest, caPem: pem, cas };
    }
    this.clientCA = flagCA;
    this.requestHeader = flagRH;
    this.bundle = this.caBundle();
    if ((flagCA && flagRH) || !this.o.authentication || this.o.skipLookup) return this.bundle;
    const lookup = async (first: boolean): Promise<boolean> => {
      try {
        const cm = await this.o.authentication!.request<{ data?: Record<string, string> }>({ method: 'GET', path: AUTHENTICATION_CONFIGMAP_PATH });
        const ca = cm.data?.['client-ca-file'];
        this.clientCA = flagCA ?? (ca ? { pem: ca, cas: parseBundle(ca) } : undefined);
        this.requestHeader = flagRH ?? requestHeaderFromConfigMap(cm.data, parseBundle);
        return true;
      } catch (err) {
        // no ConfigMap (an API server with neither --client-ca-file nor --requestheader-*): nothing to trust, as upstream warns and goes on
        if ((err as { status?: { code?: number } }).status?.code === 404) {
          this.clientCA = flagCA;
          this.requestHeader = flagRH;
          if (first) this.o.log?.('kube-system/extension-apiserver-authentication not found: client certificates are not trusted unless --client-ca-file is given');
          return true;
        }
        const msg = `unable to read kube-system/extension-apiserver-authentication: ${(err as Error).message}`;
        if (first && !this.o.tolerateLookupFailure) throw new Error(`${msg} (--authentication-tolerate-lookup-failure lets the component start without it)`);
        if (first) this.o.log?.(`${msg}; trying again`);
        return false;
      }
    };
    let ok = await lookup(true);
    this.bundle = this.caBundle();
    const again = () => {
      this.lookupTimer = setTimeout(async () => {
        ok = (await lookup(false)) || ok;
        const next = this.caBundle();
        if (next !== this.bundle) { this.bundle = next; onChange?.(next); }
        again();
      }, ok ? 60_000 : 5_000);
      this.lookupTimer.unref();
    };
    again();
    return this.bundle;
  }

  /** Whether client certificates may come to matter later (the ConfigMap is followed). */
  get followsConfigMap(): boolean { return this.lookupTimer !== undefined; }

  close(): void { clearTimeout(this.lookupTimer); }

  private caBundle(): string | undefined {
    const pems = [this.clientCA?.pem, this.requestHeader?.caPem].filter(Boolean);
    return pems.length ? pems.join('\n') : undefined;
  }

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

  /**
   * The user, or undefined when the credentials presented are invalid (401). As upstream's
   * union: a certificate that neither the front-proxy nor the client CA vouches for (or a
   * proxy with a CN not allowed, or with no user header) fails, unless a token succeeds.
   */
  private async authenticate(req: http.IncomingMessage): Promise<UserInfo | undefined> {
    const sock = req.socket as TLSSocket;
    const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
    const hasCert = !!peer && Object.keys(peer).length > 0;
    let failed = false;
    if (this.requestHeader && hasCert) {
      const v = proxyVerdict(req, this.requestHeader);
      if (v.proxy && 'user' in v && v.user) {
        const u = v.user;
        return { username: u.name, uid: u.uid || undefined, groups: [...u.groups, 'system:authenticated'], ...(u.extra ? { extra: u.extra } : {}) };
      }
      if (!v.proxy && !sock.authorized) failed = true;
      if (v.proxy && 'refused' in v) failed = true;
    }
    if (this.clientCA && hasCert) {
      const subject = peer?.subject as Record<string, string | string[]> | undefined;
      if (sock.authorized && chainsTo(peerChain(sock), this.clientCA.cas) && subject?.CN) {
        const o = subject.O;
        return { username: String(subject.CN), groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'] };
      }
      failed = true;
    }
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ') || !this.o.authentication) return failed ? undefined : ANONYMOUS;
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
