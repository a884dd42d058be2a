// authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`) and TokenReview.
import { newBadRequest } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { sendJSON } from '../http/respond.js';
import type { RequestContext } from '../handlers/request-context.js';
import { nowTimestamp } from '../registry/object-meta.js';
import type { AuthenticationChain } from './authenticator.js';
import type { UserInfo } from './user-info.js';

const wireUser = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });

export async function serveSelfSubjectReview(ctx: RequestContext): Promise<void> {
  await readBody(ctx.req);
  sendJSON(ctx.res, 201, {
    kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: nowTimestamp() }, status: { userInfo: wireUser(ctx.user) },
  });
}

export async function serveTokenReview(ctx: RequestContext, chain: AuthenticationChain): Promise<void> {
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  const token = body.spec?.token;
  if (!token) throw newBadRequest('TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value');
  const probe = { headers: { authorization: `Bearer ${token}` } } as unknown as Parameters<AuthenticationChain['authenticate']>[0];
  let status: Record<string, unknown>;
  try {
    const user = await chain.authenticate(probe);
    status = { authenticated: true, user: wireUser(user), audiences: body.spec?.audiences };
  } catch {
    status = { authenticated: false, error: 'invalid bearer token' };
  }
  sendJSON(ctx.res, 201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: nowTimestamp() }, spec: body.spec, status });
}
