// Impersonate-User / -Group / -Uid / -Extra-*: act as another user when the caller may
// `impersonate` that user (or service account), each group, uid and extra value.
import type { IncomingMessage } from 'node:http';
import { newBadRequest } from '../../api/status/index.js';
import type { Attributes } from '../authz/authorizer.js';
import { parseServiceAccountUser } from './service-account-token.js';
import { ANONYMOUS, AUTHENTICATED_GROUP, type UserInfo } from './user-info.js';

const EXTRA = 'impersonate-extra-';

function values(req: IncomingMessage, name: string): string[] {
  const all = (req as IncomingMessage & { headersDistinct?: Record<string, string[]> }).headersDistinct?.[name];
  if (all) return all.map((v) => v.trim()).filter(Boolean);
  const v = req.headers[name];
  return (Array.isArray(v) ? v : v ? [v] : []).map((x) => x.trim()).filter(Boolean);
}

/** The impersonated user, or the caller when no impersonation headers are present. */
export async function impersonate(req: IncomingMessage, caller: UserInfo, check: (a: Attributes) => Promise<void>): Promise<UserInfo> {
  const user = values(req, 'impersonate-user')[0];
  const groups = values(req, 'impersonate-group');
  const uid = values(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (const h of Object.keys(req.headers)) {
    if (h.startsWith(EXTRA)) extra[decodeURIComponent(h.slice(EXTRA.length))] = values(req, h);
  }
  if (!user) {
    if (groups.length || uid || Object.keys(extra).length) throw newBadRequest(`requested ${JSON.stringify({ groups, uid, extra })} without impersonating a user`);
    return caller;
  }
  const ask = (apiGroup: string, resource: string, name: string, namespace = '', subresource = '') =>
    check({ user: caller, verb: 'impersonate', isResourceRequest: true, namespace, apiGroup, resource, subresource, name, path: '' });
  const sa = parseServiceAccountUser(user);
  if (sa) await ask('', 'serviceaccounts', sa[1], sa[0]);
  else await ask('', 'users', user);
  for (const g of groups) await ask('', 'groups', g);
  if (uid) await ask('authentication.k8s.io', 'uids', uid);
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) await ask('authentication.k8s.io', 'userextras', v, '', k);

  const out: UserInfo = { name: user, uid: uid ?? '', groups: [...groups], ...(Object.keys(extra).length ? { extra } : {}) };
  if (sa && !groups.length) out.groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  if (user === ANONYMOUS.name) { if (!out.groups.includes('system:unauthenticated')) out.groups.push('system:unauthenticated'); } else if (!out.groups.includes(AUTHENTICATED_GROUP)) out.groups.push(AUTHENTICATED_GROUP);
  return out;
}
