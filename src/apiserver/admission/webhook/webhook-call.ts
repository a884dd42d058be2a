// Calls one admission webhook over HTTPS with an admission.k8s.io/v1 AdmissionReview and
// returns its response, honouring caBundle and timeoutSeconds (the whole call).
import https from 'node:https';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../../authn/user-info.js';
import type { Attributes } from '../plugin.js';
import { requestKind } from '../request-kind.js';

export interface AdmissionResponse {
  uid: string; allowed: boolean;
  status?: { code?: number; message?: string; reason?: string };
  patch?: string; patchType?: string; warnings?: string[];
}

const wireUser = (u: UserInfo) => ({ username: u.name, uid: u.uid || undefined, groups: u.groups, extra: u.extra });

export function admissionReview(a: Attributes, uid = randomUUID()) {
  const kind = requestKind(a);
  const resource = { group: a.def.group, version: a.def.version, resource: a.def.plural };
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid, kind, resource, requestKind: kind, requestResource: resource, ...(a.subresource ? { subResource: a.subresource, requestSubResource: a.subresource } : {}),
      name: a.name || a.object?.metadata?.name || undefined, namespace: a.namespace || undefined, operation: a.operation,
      userInfo: wireUser(a.user), object: a.object ?? null, oldObject: a.oldObject ?? null, dryRun: !!a.dryRun,
      options: { apiVersion: 'meta.k8s.io/v1', kind: a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions' },
    },
  };
}

/** The URL the webhook is known by (the Service's DNS name for clientConfig.service). */
export function webhookURL(cc: any): string {
  if (cc?.url) return cc.url;
  const s = cc?.service;
  if (s) return `https://${s.name}.${s.namespace}.svc:${s.port ?? 443}${s.path ?? ''}`;
  throw new Error('webhook has neither url nor service');
}

/** Where to connect instead of the URL's host (a Service's endpoint); TLS still checks the URL's name. */
export interface Dial { host: string; port: number }

export async function callWebhook(hook: any, a: Attributes, dial?: Dial): Promise<AdmissionResponse> {
  const timeoutSeconds = hook.timeoutSeconds ?? 10;
  const raw = webhookURL(hook.clientConfig);
  const url = new URL(raw);
  // As upstream, the webhook learns its deadline from the query.
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  // Error messages show the URL as written (a service's :443 included), as upstream's do.
  const shown = `${raw}${raw.includes('?') ? '&' : '?'}timeout=${timeoutSeconds}s`;
  const review = admissionReview(a);
  const body = Buffer.from(JSON.stringify(review));
  const ca = hook.clientConfig?.caBundle ? Buffer.from(hook.clientConfig.caBundle, 'base64') : undefined;
  const text = await new Promise<string>((resolve, reject) => {
    const servername = url.hostname.replace(/^\[|\]$/g, '');
    const req = https.request({
      protocol: 'https:', host: dial?.host ?? servername, port: dial?.port ?? (url.port || 443), path: url.pathname + url.search,
      method: 'POST', ca, servername: /^[\d.]+$|:/.test(servername) ? undefined : servername,
      checkServerIdentity: (_h, cert) => tls.checkServerIdentity(servername, cert),
      headers: { Host: url.host, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const t = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`received non-OK response ${res.statusCode}: ${t.slice(0, 200)}`));
        else resolve(t);
      });
      res.on('error', reject);
    });
    // The whole call, not just idle time, is bounded by timeoutSeconds.
    const timer = setTimeout(() => req.destroy(new Error('context deadline exceeded')), timeoutSeconds * 1000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => reject(new Error(`failed to call webhook: Post "${shown}": ${err.message}`)));
    req.end(body);
  });
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { throw new Error('failed to decode the webhook response: not JSON'); }
  const response = parsed?.response;
  if (!response) throw new Error('webhook response was absent');
  if (response.uid !== review.request.uid) throw new Error(`expected response.uid="${review.request.uid}", got "${response.uid}"`);
  return response;
}
