// LimitRanger: containers get the default requests and limits of the namespace's
// LimitRanges (type Container), and are refused past their min and max.
import { limitranges } from '../../../api/resources/core-v1.js';
import { Quantity } from '../../../api/quantity/index.js';
import { newForbidden } from '../../../api/status/index.js';
import { isPod, type PluginFactory } from '../plugin.js';

export const NAME = 'LimitRanger';

export const newLimitRanger: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
    const limits = (await ctx.list(limitranges, a.namespace)).flatMap((lr) => lr.spec?.limits ?? []).filter((l: any) => l.type === 'Container');
    for (const c of [...(a.object.spec?.initContainers ?? []), ...(a.object.spec?.containers ?? [])]) {
      for (const l of limits) {
        const res = (c.resources ??= {});
        for (const [k, v] of Object.entries(l.default ?? {})) { res.limits ??= {}; res.limits[k] ??= v; }
        for (const [k, v] of Object.entries(l.defaultRequest ?? {})) { res.requests ??= {}; if (res.requests[k] === undefined) res.requests[k] = res.limits?.[k] ?? v; }
      }
    }
  },
  async validate(a) {
    if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
    const limits = (await ctx.list(limitranges, a.namespace)).flatMap((lr) => lr.spec?.limits ?? []).filter((l: any) => l.type === 'Container');
    const errors: string[] = [];
    for (const c of [...(a.object.spec?.initContainers ?? []), ...(a.object.spec?.containers ?? [])]) {
      for (const l of limits) {
        for (const [k, max] of Object.entries<string>(l.max ?? {})) {
          const lim = c.resources?.limits?.[k];
          if (lim === undefined) errors.push(`maximum ${k} usage per Container is ${max}.  No limit is specified`);
          else if (Quantity.parse(lim).cmp(Quantity.parse(max)) > 0) errors.push(`maximum ${k} usage per Container is ${max}, but limit is ${lim}`);
        }
        for (const [k, min] of Object.entries<string>(l.min ?? {})) {
          const req = c.resources?.requests?.[k];
          if (req === undefined) errors.push(`minimum ${k} usage per Container is ${min}.  No request is specified`);
          else if (Quantity.parse(req).cmp(Quantity.parse(min)) < 0) errors.push(`minimum ${k} usage per Container is ${min}, but request is ${req}`);
        }
      }
    }
    if (errors.length) throw newForbidden({ group: '', resource: 'pods' }, a.name, errors.join(', '));
  },
});
