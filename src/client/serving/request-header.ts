// The front-proxy (request header) rules shared by the API server and every delegated
// server (scheduler, controller manager, aggregated API servers): a client certificate
// from the requestheader CA whose CN is in the allowed names (any, when the list is empty)
// is a trusted proxy, and the user is what its headers say — the first non-empty username
// header, every value of the group headers, and <prefix><key> headers as extra (key
// percent-decoded and lower-cased), as upstream's headerrequest package reads them.
import type crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { chainsTo, peerChain } from './cert-anchor.js';

export interface RequestHeaderConfig {
  caPem: string;
  cas: crypto.X509Certificate[];
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface HeaderUser { name: string; uid: string; groups: string[]; extra?: Record<string, string[]> }

/** What a proxy's certificate makes of the request: not a proxy, a proxy not allowed, or (maybe) a user. */
export type ProxyVerdict = { proxy: false } | { proxy: true; refused: string } | { proxy: true; user?: HeaderUser };

function values(req: IncomingMessage, header: string): string[] {
  const name = header.toLowerCase();
  const all = req.headersDistinct?.[name];
  if (all) return all;
  const v = req.headers[name];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

const firstValue = (req: IncomingMessage, headers: string[]): string => {
  for (const h of headers) {
    const v = values(req, h).map((x) => x.trim()).find(Boolean);
    if (v) return v;
  }
  return '';
};

export function userFromHeaders(req: IncomingMessage, c: RequestHeaderConfig): HeaderUser | undefined {
  const name = firstValue(req, c.usernameHeaders);
  if (!name) return undefined;
  const groups = c.groupHeaders.flatMap((h) => values(req, h));
  const extra: Record<string, string[]> = {};
  const prefixes = c.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const h of Object.keys(req.headers)) {
    const p = prefixes.find((x) => h.startsWith(x) && h.length > x.length);
    if (!p) continue;
    let key = h.slice(p.length);
    try { key = decodeURIComponent(key); } catch { /* not escaped: as sent */ }
    (extra[key.toLowerCase()] ??= []).push(...values(req, h));
  }
  return { name, uid: firstValue(req, c.uidHeaders), groups, ...(Object.keys(extra).length ? { extra } : {}) };
}

/** Checks the peer certificate (already verified by TLS against a pool that includes the requestheader CA). */
export function proxyVerdict(req: IncomingMessage, c: RequestHeaderConfig): ProxyVerdict {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return { proxy: false };
  if (!chainsTo(peerChain(socket), c.cas)) return { proxy: false };
  const cn = String(socket.getPeerCertificate().subject?.CN ?? '');
  if (c.allowedNames.length && !c.allowedNames.includes(cn)) return { proxy: true, refused: `x509: subject with cn=${cn} is not in the allowed list` };
  return { proxy: true, user: userFromHeaders(req, c) };
}

/**
 * Removes the proxy's headers, so that nothing further on (an aggregated API server behind
 * the API server's own proxy) believes a client that sent them itself.
 */
export function clearRequestHeaders(req: IncomingMessage, c: RequestHeaderConfig): void {
  const exact = new Set([...c.usernameHeaders, ...c.uidHeaders, ...c.groupHeaders].map((h) => h.toLowerCase()));
  const prefixes = c.extraHeaderPrefixes.map((p) => p.toLowerCase());
  const drop = (h: string) => exact.has(h) || prefixes.some((p) => h.startsWith(p));
  if (!Object.keys(req.headers).some(drop)) return;
  // node builds headersDistinct lazily from rawHeaders and its original count: build it before rawHeaders shrinks
  const distinct = req.headersDistinct;
  for (const h of Object.keys(req.headers)) if (drop(h)) { delete req.headers[h]; delete distinct[h]; }
  const raw: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (!drop(req.rawHeaders[i].toLowerCase())) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

/** The front-proxy part of kube-system/extension-apiserver-authentication, as a delegated server reads it. */
export function requestHeaderFromConfigMap(data: Record<string, string> | undefined, parse: (pem: string) => crypto.X509Certificate[]): RequestHeaderConfig | undefined {
  const caPem = data?.['requestheader-client-ca-file'];
  if (!caPem) return undefined;
  const list = (k: string): string[] => {
    try { const v = JSON.parse(data[k] ?? '[]'); return Array.isArray(v) ? v.map(String) : []; } catch { return []; }
  };
  return {
    caPem, cas: parse(caPem), allowedNames: list('requestheader-allowed-names'), usernameHeaders: list('requestheader-username-headers'),
    uidHeaders: list('requestheader-uid-headers'), groupHeaders: list('requestheader-group-headers'), extraHeaderPrefixes: list('requestheader-extra-headers-prefix'),
  };
}
