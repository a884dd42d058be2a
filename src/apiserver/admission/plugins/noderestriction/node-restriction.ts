// NodeRestriction (upstream plugin/pkg/admission/noderestriction): what a kubelet
// (system:node:NAME) may write. Its own Node only — never its taints once registered, nor
// reserved labels (see api/labels/kubelet-labels.ts); mirror pods bound to and owned by itself
// (mirror-pod.ts); the status of, evictions of and deletes of pods bound to itself; only the
// status of claims (capacity and conditions); tokens only for pods bound to itself; its own
// Lease in kube-node-lease and its own CSINode.
import { isDeepStrictEqual } from 'node:util';
import { nodes, pods } from '../../../../api/resources/core-v1.js';
import type { KubeObject } from '../../../../api/resources/resource-def.js';
import { newForbidden, newNotFound } from '../../../../api/status/index.js';
import { forbiddenNodeLabels, modifiedLabels } from '../../../../api/labels/kubelet-labels.js';
import { nodeIdentity } from '../../../authz/node/node-authorizer.js';
import type { Attributes, PluginContext, PluginFactory } from '../../plugin.js';
import { mirrorPodRefusal } from './mirror-pod.js';

export const NAME = 'NodeRestriction';
const same = (x: unknown, y: unknown) => isDeepStrictEqual(x, y);

type Refuse = (why: string) => never;

export const newNodeRestriction: PluginFactory = (ctx) => ({
  name: NAME,
  async validate(a) {
    if (!a.user.groups.includes('system:nodes') || !a.user.name.startsWith('system:node:')) return;
    const refuse: Refuse = (why) => { throw newForbidden({ group: a.def.group, resource: a.def.plural }, a.name, why); };
    const node = nodeIdentity(a.user);
    if (!node) refuse(`could not determine node from user ${JSON.stringify(a.user.name)}`);
    const resource = `${a.def.plural}${a.def.group ? `.${a.def.group}` : ''}`;
    switch (resource) {
      case 'pods': return admitPod(ctx, a, node!, refuse);
      case 'nodes': return admitNode(a, node!, refuse);
      case 'persistentvolumeclaims':
        if (a.subresource !== 'status') refuse('may only update PVC status');
        return admitClaimStatus(a, node!, refuse);
      case 'serviceaccounts': return admitTokenRequest(ctx, a, node!, refuse);
      case 'leases.coordination.k8s.io':
        if (a.namespace !== 'kube-node-lease') refuse('can only access leases in the "kube-node-lease" system namespace');
        if (nameOf(a) !== node) refuse('can only access node lease with the same name as the requesting node');
        return;
      case 'csinodes.storage.k8s.io':
        if (nameOf(a) !== node) refuse('can only access CSINode with the same name as the requesting node');
        return;
      default:
    }
  },
});

const nameOf = (a: Attributes) => (a.operation === 'CREATE' ? a.object?.metadata?.name : a.name) ?? a.name;

async function existingPod(ctx: PluginContext, a: Attributes, name: string): Promise<KubeObject> {
  const pod = await ctx.get(pods, a.namespace, name);
  if (!pod) throw newNotFound({ group: '', resource: 'pods' }, name);
  return pod;
}

async function admitPod(ctx: PluginContext, a: Attributes, node: string, refuse: Refuse): Promise<void> {
  const q = JSON.stringify(node);
  switch (a.subresource ?? '') {
    case '':
      if (a.operation === 'CREATE') {
        const nodeObj = await ctx.get(nodes, '', node);
        const owner = a.object?.metadata?.ownerReferences?.[0];
        if (a.object?.metadata?.ownerReferences?.length === 1 && owner?.apiVersion === 'v1' && owner.kind === 'Node' && owner.name === node && !nodeObj) {
          throw newNotFound({ group: '', resource: 'nodes' }, node);
        }
        const why = mirrorPodRefusal(a.object ?? {}, node, nodeObj?.metadata?.uid);
        if (why) refuse(why);
        return;
      }
      if (a.operation === 'DELETE') {
        if (a.oldObject?.spec?.nodeName !== node) refuse(`node ${q} can only delete pods with spec.nodeName set to itself`);
        return;
      }
      return refuse(`unexpected operation "${a.operation}", node ${q} can only create and delete mirror pods`);
    case 'status':
      if (a.operation !== 'UPDATE') refuse(`unexpected operation "${a.operation}"`);
      if (a.oldObject?.spec?.nodeName !== node) refuse(`node ${q} can only update pod status for pods with spec.nodeName set to itself`);
      if (!same(a.object?.metadata?.labels ?? {}, a.oldObject?.metadata?.labels ?? {})) refuse(`node ${q} cannot update labels through pod status`);
      return;
    case 'eviction': {
      if (a.operation !== 'CREATE') refuse(`unexpected operation ${a.operation}`);
      const name = a.name || a.object?.metadata?.name;
      if (!name) refuse('could not determine pod from request data');
      if ((await existingPod(ctx, a, name)).spec?.nodeName !== node) refuse(`node ${node} can only evict pods with spec.nodeName set to itself`);
      return;
    }
    default:
      refuse(`unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
  }
}

function admitNode(a: Attributes, node: string, refuse: Refuse): void {
  const q = JSON.stringify(node);
  const target = nameOf(a);
  if (target !== node) refuse(`node ${q} is not allowed to modify node ${JSON.stringify(target)}`);
  const now = a.object;
  if (a.operation === 'CREATE' && now) {
    if (now.spec?.configSource) refuse(`node ${q} is not allowed to create pods with a non-nil configSource`);
    const bad = forbiddenNodeLabels(modifiedLabels(now.metadata?.labels));
    if (bad.length) refuse(`node ${q} is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (a.operation === 'UPDATE' && now && a.oldObject) {
    const old = a.oldObject;
    if (now.spec?.configSource && !same(now.spec.configSource, old.spec?.configSource)) refuse(`node ${q} is not allowed to update configSource to a new non-nil configSource`);
    if (!same(now.spec?.taints ?? [], old.spec?.taints ?? [])) refuse(`node ${q} is not allowed to modify taints`);
    const bad = forbiddenNodeLabels(modifiedLabels(now.metadata?.labels, old.metadata?.labels));
    if (bad.length) refuse(`is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

/** A node may write a claim's status.capacity and status.conditions (and allocated resources), nothing else. */
function admitClaimStatus(a: Attributes, node: string, refuse: Refuse): void {
  if (a.operation !== 'UPDATE') refuse(`unexpected operation "${a.operation}"`);
  const strip = (o: KubeObject | undefined) => {
    const c = structuredClone(o ?? {});
    if (c.metadata) { delete c.metadata.resourceVersion; delete c.metadata.managedFields; }
    if (c.status) { for (const k of ['capacity', 'conditions', 'allocatedResources', 'allocatedResourceStatuses']) delete c.status[k]; }
    return c;
  };
  const before = strip(a.oldObject);
  const after = strip(a.object);
  if (!same(before, after)) {
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
    refuse(`node ${JSON.stringify(node)} is not allowed to update fields other than status.capacity and status.conditions: changed ${changed.join(', ')}`);
  }
}

/** TokenRequests from a node must be bound to a pod scheduled on that node. */
async function admitTokenRequest(ctx: PluginContext, a: Attributes, node: string, refuse: Refuse): Promise<void> {
  if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
  const ref = a.object?.spec?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) refuse('node requested token not bound to a pod');
  if (!ref.uid) refuse('node requested token with a pod binding without a uid');
  const pod = await existingPod(ctx, a, ref.name);
  if (ref.uid !== pod.metadata?.uid) refuse(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  if (pod.spec?.nodeName !== node) refuse('node requested token bound to a pod scheduled on a different node');
}
