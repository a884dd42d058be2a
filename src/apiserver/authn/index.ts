// Builds the authentication chain from kube-apiserver's flags, and serves the
// authentication.k8s.io endpoints (SelfSubjectReview, TokenReview) and TokenRequest.
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { newNotFound } from '../../api/status/index.js';
import { nodes, pods, secrets, serviceaccounts } from '../../api/resources/core-v1.js';
import type { RequestContext } from '../handlers/request-context.js';
import type { Registry } from '../registry/registry.js';
import { AuthenticationChain, type RequestAuthenticator, type TokenAuthenticator } from './authenticator.js';
import { bearerTokenAuthenticator } from './bearer-token.js';
import { bootstrapTokenAuthenticator } from './bootstrap-token.js';
import type { ObjectLookup } from './object-lookup.js';
import { serveSelfSubjectReview, serveTokenReview } from './reviews.js';
import { loadSigningKey, loadVerificationKeys, type SigningKey } from './service-account-keys.js';
import { serviceAccountTokenAuthenticator } from './service-account-token.js';
import { tokenFileAuthenticator } from './token-file.js';
import { serveTokenRequest } from './token-request.js';
import type { UserInfo } from './user-info.js';

export interface AuthenticationOptions {
  tokenAuthFile?: string;
  anonymousAuth?: boolean;
  serviceAccountKeyFiles?: string[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuers?: string[];
  apiAudiences?: string[];
  enableBootstrapTokenAuth?: boolean;
}

export interface Authentication {
  authenticate(req: IncomingMessage): Promise<UserInfo>;
  /** Serves the request when it is one of ours (reviews, serviceaccounts/token); returns whether it did. */
  serve(ctx: RequestContext): Promise<boolean>;
  signingKey?: SigningKey;
  issuer?: string;
  audiences: string[];
}

export function registryLookup(registry: Registry): ObjectLookup {
  const defs = { secrets, serviceaccounts, pods, nodes };
  return async (resource, ns, name): Promise<KubeObject | undefined> => {
    try {
      return await registry.get(defs[resource], defs[resource].namespaced ? ns : '', name);
    } catch (err) {
      if ((err as { reason?: string }).reason === 'NotFound') return undefined;
      throw err;
    }
  };
}

/**
 * Request authenticators run in order: `before` (client certificates, added by the x509
 * code) first, then bearer tokens. Throws at start on unusable files.
 */
export function buildAuthentication(o: AuthenticationOptions, registry: Registry, log: (msg: string) => void, before: RequestAuthenticator[] = []): Authentication {
  const lookup = registryLookup(registry);
  const tokens: TokenAuthenticator[] = [];
  if (o.tokenAuthFile) tokens.push(tokenFileAuthenticator(o.tokenAuthFile));
  if (o.enableBootstrapTokenAuth) tokens.push(bootstrapTokenAuthenticator(lookup));
  const signingKey = o.serviceAccountSigningKeyFile ? loadSigningKey(o.serviceAccountSigningKeyFile) : undefined;
  const issuers = o.serviceAccountIssuers ?? [];
  if (signingKey && !issuers.length) throw new Error('--service-account-issuer is required with --service-account-signing-key-file');
  const audiences = o.apiAudiences?.length ? o.apiAudiences : issuers;
  const keyFiles = o.serviceAccountKeyFiles?.length ? o.serviceAccountKeyFiles : o.serviceAccountSigningKeyFile ? [o.serviceAccountSigningKeyFile] : [];
  if (keyFiles.length) {
    tokens.push(serviceAccountTokenAuthenticator({ keys: loadVerificationKeys(keyFiles), issuers, audiences, lookup }));
  }
  const chain = new AuthenticationChain([...before, bearerTokenAuthenticator(tokens)], o.anonymousAuth ?? true, log);
  return {
    authenticate: (req) => chain.authenticate(req),
    signingKey, issuer: issuers[0], audiences,
    async serve(ctx) {
      const { info } = ctx;
      if (info.group === 'authentication.k8s.io' && info.verb === 'create') {
        if (info.resource === 'selfsubjectreviews') { await serveSelfSubjectReview(ctx); return true; }
        if (info.resource === 'tokenreviews') { await serveTokenReview(ctx, chain); return true; }
      }
      if (info.group === '' && info.resource === 'serviceaccounts' && info.subresource === 'token') {
        if (!signingKey) throw newNotFound({ group: '', resource: 'serviceaccounts/token' }, info.name);
        await serveTokenRequest(ctx, { signingKey, issuer: issuers[0], audiences, lookup });
        return true;
      }
      return false;
    },
  };
}
