// --authorization-mode=Node: a kubelet (user system:node:NAME in group system:nodes) may read
// only the secrets, configmaps, claims and volumes of pods bound to its node, touch only its
// own Lease, and otherwise do what the system:node rules allow. Anyone else: no opinion.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { allow, noOpinion, type Attributes, type Authorizer, type Verdict } from '../authorizer.js';
import { nodeRules } from '../rbac/bootstrap-policy.js';
import { ruleAllows } from '../rbac/rule-matching.js';
import { podReferences } from './pod-references.js';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

export interface NodeGraphSource {
  podsOnNode(node: string): Promise<KubeObject[]>;
  claim(ns: string, name: string): Promise<KubeObject | undefined>;
}

/** The node name of a kubelet's identity, or undefined for anyone else. */
export function nodeIdentity(user: { name: string; groups: string[] }): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length) || undefined;
}

const READ_VERBS = ['get', 'list', 'watch'];
const noRelation = (node: string) => noOpinion(`no relationship found between node '${node}' and this object`);

export class NodeAuthorizer implements Authorizer {
  readonly name = 'Node';
  constructor(private readonly graph: NodeGraphSource) {}

  async authorize(a: Attributes): Promise<Verdict> {
    const node = nodeIdentity(a.user);
    if (!node) return noOpinion();
    if (!a.isResourceRequest) return noOpinion();
    if (a.apiGroup === '' && !a.subresource && ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes'].includes(a.resource)) {
      if (!READ_VERBS.includes(a.verb)) return noOpinion('can only read resources of this type');
      if (!a.name) return noOpinion('No Object name found');
      return (await this.related(node, a)) ? allow() : noRelation(node);
    }
    if (a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') {
      if (a.verb !== 'create') return noOpinion(`can only create tokens for individual service accounts`);
      return (await this.related(node, a)) ? allow() : noRelation(node);
    }
    if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
      if (a.namespace !== 'kube-node-lease' || (a.name && a.name !== node) || !['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) {
        return noOpinion('can only access node lease with the same name as the requesting node');
      }
      return allow();
    }
    return nodeRules.some((r) => ruleAllows(a, r)) ? allow() : noOpinion();
  }

  private async related(node: string, a: Attributes): Promise<boolean> {
    const pods = (await this.graph.podsOnNode(node)).filter((p) => a.resource === 'persistentvolumes' || p.metadata?.namespace === a.namespace);
    for (const pod of pods) {
      const refs = podReferences(pod);
      switch (a.resource) {
        case 'secrets': if (refs.secrets.has(a.name)) return true; break;
        case 'configmaps': if (refs.configmaps.has(a.name)) return true; break;
        case 'persistentvolumeclaims': if (refs.persistentvolumeclaims.has(a.name)) return true; break;
        case 'serviceaccounts': if (refs.serviceaccounts.has(a.name)) return true; break;
        case 'persistentvolumes':
          for (const c of refs.persistentvolumeclaims) if ((await this.graph.claim(pod.metadata?.namespace, c))?.spec?.volumeName === a.name) return true;
          break;
      }
    }
    return false;
  }
}
