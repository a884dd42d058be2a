// DefaultStorageClass: a claim naming no class gets the one annotated as the default.
import { storageclasses } from '../../../api/resources/cluster-groups.js';
import type { PluginFactory } from '../plugin.js';

export const NAME = 'DefaultStorageClass';
const DEFAULT = 'storageclass.kubernetes.io/is-default-class';

export const newDefaultStorageClass: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (a.operation !== 'CREATE' || a.def.plural !== 'persistentvolumeclaims' || a.subresource || !a.object) return;
    const spec = (a.object.spec ??= {});
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const defaults = (await ctx.list(storageclasses, '')).filter((sc) => sc.metadata?.annotations?.[DEFAULT] === 'true')
      .sort((x, y) => String(y.metadata?.creationTimestamp).localeCompare(String(x.metadata?.creationTimestamp)) || String(x.metadata?.name).localeCompare(String(y.metadata?.name)));
    if (defaults[0]) spec.storageClassName = defaults[0].metadata?.name;
  },
});
