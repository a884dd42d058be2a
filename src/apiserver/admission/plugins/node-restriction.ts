// NodeRestriction: a kubelet may change only its own Node, may create only mirror pods
// bound to itself, and may update the status of (or delete) only pods bound to itself.
import { newForbidden } from '../../../api/status/index.js';
import { nodeIdentity } from '../../authz/node/node-authorizer.js';
import type { PluginFactory } from '../plugin.js';

export const NAME = 'NodeRestriction';
const MIRROR = 'kubernetes.io/config.mirror';

export const newNodeRestriction: PluginFactory = () => ({
  name: NAME,
  async validate(a) {
    const node = nodeIdentity(a.user);
    if (!node || a.def.group !== '') return;
    const refuse = (resource: string, why: string) => { throw newForbidden({ group: '', resource }, a.name, why); };
    if (a.def.plural === 'nodes') {
      const target = a.object?.metadata?.name ?? a.name;
      if (target !== node) refuse('nodes', `node "${node}" is not allowed to modify node "${target}"`);
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
