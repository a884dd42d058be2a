// NamespaceLifecycle: nothing is created in a namespace that does not exist or is being
// terminated, and the system namespaces may not be deleted.
import { namespaces } from '../../../api/resources/core-v1.js';
import { newForbidden, newNotFound } from '../../../api/status/index.js';
import type { PluginFactory } from '../plugin.js';

export const NAME = 'NamespaceLifecycle';
const IMMORTAL = ['default', 'kube-system', 'kube-public'];

export const newNamespaceLifecycle: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (a.operation !== 'CREATE' || !a.def.namespaced || !a.namespace) return;
    const ns = await ctx.get(namespaces, '', a.namespace);
    if (!ns) throw newNotFound({ group: '', resource: 'namespaces' }, a.namespace);
    if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') {
      throw newForbidden({ group: a.def.group, resource: a.def.plural }, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
    }
  },
  async validate(a) {
    if (a.operation === 'DELETE' && a.def.group === '' && a.def.plural === 'namespaces' && IMMORTAL.includes(a.name)) {
      throw newForbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
    }
  },
});
