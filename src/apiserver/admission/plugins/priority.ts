// Priority: spec.priorityClassName → spec.priority (and preemptionPolicy) from the
// PriorityClass; pods naming none get the global default class, else priority 0.
import { priorityclasses } from '../../../api/resources/scheduling-v1.js';
import { newForbidden } from '../../../api/status/index.js';
import { isPod, type PluginFactory } from '../plugin.js';

export const NAME = 'Priority';

export const newPriority: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
    const spec = (a.object.spec ??= {});
    let value = 0;
    let policy: string | undefined;
    if (spec.priorityClassName) {
      const pc = await ctx.get(priorityclasses, '', spec.priorityClassName);
      if (!pc) throw newForbidden({ group: '', resource: 'pods' }, a.name, `no PriorityClass with name ${spec.priorityClassName} was found`);
      value = pc.value ?? 0;
      policy = pc.preemptionPolicy;
    } else {
      const def = (await ctx.list(priorityclasses, '')).filter((pc) => pc.globalDefault).sort((x, y) => (x.value ?? 0) - (y.value ?? 0))[0];
      if (def) { spec.priorityClassName = def.metadata?.name; value = def.value ?? 0; policy = def.preemptionPolicy; }
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
      throw newForbidden({ group: '', resource: 'pods' }, a.name,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
    }
    spec.priority = value;
    spec.preemptionPolicy ??= policy ?? 'PreemptLowerPriority';
  },
});
