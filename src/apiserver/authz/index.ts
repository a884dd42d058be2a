// Builds the authorizer chain from --authorization-mode (AlwaysAllow, AlwaysDeny, RBAC,
// Node, in the order given), keeps RBAC's caches and default policy, and serves the
// authorization.k8s.io reviews.
import { persistentvolumeclaims, pods } from '../../api/resources/core-v1.js';
import type { UserInfo } from '../authn/user-info.js';
import type { RequestContext } from '../handlers/request-context.js';
import type { Registry } from '../registry/registry.js';
import type { RequestInfo } from '../request-info.js';
import type { ObjectStore } from '../storage/object-store.js';
import { alwaysAllow, alwaysDeny } from './always.js';
import { REVIEW_RESOURCES, serveAccessReview } from './access-reviews.js';
import { requestAttributes, type Attributes, type Authorizer } from './authorizer.js';
import { NodeAuthorizer } from './node/node-authorizer.js';
import { runAggregation } from './rbac/aggregation.js';
import { RbacCaches } from './rbac/rbac-caches.js';
import { RbacAuthorizer } from './rbac/rbac-authorizer.js';
import { reconcileDefaultPolicy } from './rbac/reconcile.js';
import { AuthorizerUnion } from './union.js';

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'RBAC', 'Node'];

export interface Authorization {
  union: AuthorizerUnion;
  /**
   * Fills caches and reconciles the default RBAC policy; call before serving. The namespaced
   * defaults (in kube-system and kube-public) wait for `namespacesReady`; the cluster-wide
   * ones go in meanwhile.
   */
  start(namespacesReady?: Promise<void>): Promise<void>;
  stop(): void;
  /** 403 unless the request may proceed. */
  checkRequest(user: UserInfo, info: RequestInfo, url: URL): Promise<void>;
  check(a: Attributes): Promise<void>;
  serve(ctx: RequestContext): Promise<boolean>;
}

/** A list or watch narrowed to one name by `fieldSelector=metadata.name=X` authorizes as that name. */
export function fieldSelectorName(url: URL): string | undefined {
  const fs = url.searchParams.get('fieldSelector');
  const m = fs && /^metadata\.name==?([^,]+)$/.exec(fs.trim());
  return m ? m[1] : undefined;
}

export function validateModes(modes: string[]): void {
  if (!modes.length) throw new Error('--authorization-mode: at least one authorization mode must be passed');
  for (const m of modes) if (!AUTHORIZATION_MODES.includes(m)) throw new Error(`--authorization-mode: authorization mode "${m}" is not a valid mode (supported: ${AUTHORIZATION_MODES.join(', ')})`);
  const dup = modes.find((m, i) => modes.indexOf(m) !== i);
  if (dup) throw new Error(`--authorization-mode: "${dup}" is specified more than once`);
}

export function buildAuthorization(modes: string[], registry: Registry, store: ObjectStore, log: (msg: string) => void): Authorization {
  validateModes(modes);
  let caches: RbacCaches | undefined;
  let aggregation: ReturnType<typeof runAggregation> | undefined;
  const list: Authorizer[] = modes.map((m) => {
    switch (m) {
      case 'AlwaysAllow': return alwaysAllow;
      case 'AlwaysDeny': return alwaysDeny;
      case 'RBAC': return new RbacAuthorizer(caches ??= new RbacCaches(store, registry.etcdPrefix));
      default: return new NodeAuthorizer({
        podsOnNode: async (node) => (await registry.lookupList(pods, '')).filter((p) => p.spec?.nodeName === node),
        claim: async (ns, name) => registry.lookup(persistentvolumeclaims, ns, name).catch(() => undefined),
      });
    }
  });
  const union = new AuthorizerUnion(list);
  return {
    union,
    async start(namespacesReady) {
      if (!caches) { await namespacesReady; return; }
      await reconcileDefaultPolicy(registry, log, namespacesReady);
      await caches.start();
      aggregation = runAggregation(caches.clusterRoles, registry, log);
      await aggregation.sync();
    },
    stop() { caches?.stop(); aggregation?.stop(); },
    checkRequest: (user, info, url) => union.check(requestAttributes(user, info, info.verb === 'list' || info.verb === 'watch' ? fieldSelectorName(url) : undefined)),
    check: (a) => union.check(a),
    async serve(ctx) {
      if (ctx.info.group !== 'authorization.k8s.io' || !REVIEW_RESOURCES.includes(ctx.info.resource)) return false;
      await serveAccessReview(ctx, union);
      return true;
    },
  };
}
