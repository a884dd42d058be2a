// NodeRestriction: a kubelet may change only its own Node — never its taints once
// registered, nor reserved labels (node-role.kubernetes.io/…, node-restriction.kubernetes.io/…,
// see api/labels/kubelet-labels.ts) — may create only mirror pods bound to itself, and may
// update the status of (or delete) only pods bound to itself.
import { isDeepStrictEqual } from 'node:util';
import { newForbidden } from '../../../api/status/index.js';
import { nodeIdentity } from '../../authz/node/node-authorizer.js';
import type { PluginFactory } from '../plugin.js';
import { forbiddenNodeLabels, modifiedLabels } from '../../../api/labels/kubelet-labels.js';

export const NAME = 'NodeRestriction';
const MIRROR = 'kubernetes.io/config.mirror';
const same = (x: unknown, y: unknown) => isDeepStrictEqual(x, y);

export const newNodeRestriction: PluginFactory = () => ({
  name: NAME,
  async validate(a) {
    const node = nodeIdentity(a.user);
    if (!node || a.def.group !== '') return;
    const refuse = (resource: string, why: string) => { throw newForbidden({ group: '', resource }, a.name, why); };
    if (a.def.plural === 'nodes') {
      const target = a.object?.metadata?.name ?? a.name;
      if (target !== node) refuse('nodes', `node "${node}" is not allowed to modify node "${target}"`);
      const now = a.object;
      if (a.operation === 'CREATE' && now) {
        if (now.spec?.configSource) refuse('nodes', `node "${node}" is not allowed to create pods with a non-nil configSource`);
        const bad = forbiddenNodeLabels(modifiedLabels(now.metadata?.labels));
        if (bad.length) refuse('nodes', `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
      }
      if (a.operation === 'UPDATE' && now && a.oldObject) {
        const old = a.oldObject;
        if (now.spec?.configSource && !same(now.spec.configSource, old.spec?.configSource)) refuse('nodes', `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
        if (!same(now.spec?.taints ?? [], old.spec?.taints ?? [])) refuse('nodes', `node "${node}" is not allowed to modify taints`);
        const bad = forbiddenNodeLabels(modifiedLabels(now.metadata?.labels, old.metadata?.labels));
        if (bad.length) refuse('nodes', `is not allowed to modify labels: ${bad.join(', ')}`);
      }
      return;
    }
    if (a.def.plural !== 'pods') return;
    const pod = a.object ?? a.oldObject;
    const boundHere = (p: typeof pod) => p?.spec?.nodeName === node;
    if (!a.subresource && a.operation === 'CREATE') {
      if (pod?.metadata?.annotations?.[MIRROR] === undefined) refuse('pods', `pod does not have "${MIRROR}" annotation, node "${node}" can only create mirror pods`);
      if (!boundHere(pod)) refuse('pods', `node "${node}" can only create pods with spec.nodeName set to itself`);
    } else if (a.subresource === 'status') {
      if (!boundHere(a.oldObject)) refuse('pods', `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    } else if (a.operation === 'DELETE') {
      if (!boundHere(a.oldObject)) refuse('pods', `node "${node}" can only delete pods with spec.nodeName set to itself`);
    } else if (a.operation === 'UPDATE' && !a.subresource) {
      refuse('pods', `node "${node}" is not allowed to update pods`);
    }
  },
});
