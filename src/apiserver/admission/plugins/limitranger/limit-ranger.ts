// LimitRanger (upstream plugin/pkg/admission/limitranger): a namespace's LimitRanges give
// containers their default requests and limits (noting what was set in the annotation
// kubernetes.io/limit-ranger) and refuse pods and claims past their bounds — type Container
// (each container and init container), type Pod (the containers' sum) with min, max and
// maxLimitRequestRatio, and type PersistentVolumeClaim (min and max of the requested storage,
// also when a claim grows). Pod updates are not checked (containers' resources are immutable
// here), nor objects being deleted, nor subresources.
import { limitranges } from '../../../../api/resources/core-v1.js';
import type { KubeObject } from '../../../../api/resources/resource-def.js';
import { newForbidden } from '../../../../api/status/index.js';
import type { Attributes, PluginContext, PluginFactory } from '../../plugin.js';
import { aggregate, limitRequestRatioConstraint, maxConstraint, maxRequestConstraint, minConstraint, podTotal } from './limit-constraints.js';

export const NAME = 'LimitRanger';
export const ANNOTATION = 'kubernetes.io/limit-ranger';

function applies(a: Attributes): 'pod' | 'claim' | undefined {
  if (a.subresource || a.def.group !== '' || a.oldObject?.metadata?.deletionTimestamp) return undefined;
  if (a.def.plural === 'pods' && a.operation === 'CREATE') return 'pod';
  if (a.def.plural === 'persistentvolumeclaims' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return 'claim';
  return undefined;
}

const rangesOf = (ctx: PluginContext, ns: string) => ctx.list(limitranges, ns);

/** Fills a container's missing requests and limits from one LimitRange; returns upstream's annotation phrases. */
function defaultContainers(pod: KubeObject, lr: KubeObject): string[] {
  const items = (lr.spec?.limits ?? []).filter((l: any) => l.type === 'Container');
  const limits: Record<string, string> = Object.assign({}, ...items.map((l: any) => l.default ?? {}));
  const requests: Record<string, string> = Object.assign({}, ...items.map((l: any) => l.defaultRequest ?? {}));
  const notes: string[] = [];
  const fill = (c: any, type: string) => {
    const res = (c.resources ??= {});
    const setLimits = Object.keys(limits).filter((k) => res.limits?.[k] === undefined).sort();
    const setRequests = Object.keys(requests).filter((k) => res.requests?.[k] === undefined).sort();
    if (setLimits.length) res.limits = { ...(res.limits ?? {}), ...Object.fromEntries(setLimits.map((k) => [k, limits[k]])) };
    if (setRequests.length) res.requests = { ...(res.requests ?? {}), ...Object.fromEntries(setRequests.map((k) => [k, requests[k]])) };
    if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${type} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${type} ${c.name}`);
  };
  for (const c of pod.spec?.containers ?? []) fill(c, 'container');
  for (const c of pod.spec?.initContainers ?? []) fill(c, 'init container');
  return notes;
}

function podErrors(pod: KubeObject, lr: KubeObject): string[] {
  const errors: string[] = [];
  const check = (type: string, item: any, requests: Record<string, string> | undefined, limits: Record<string, string> | undefined) => {
    for (const [k, v] of Object.entries<string>(item.min ?? {})) { const e = minConstraint(type, k, v, requests, limits); if (e) errors.push(e); }
    for (const [k, v] of Object.entries<string>(item.max ?? {})) { const e = maxConstraint(type, k, v, requests, limits); if (e) errors.push(e); }
    for (const [k, v] of Object.entries<string>(item.maxLimitRequestRatio ?? {})) { const e = limitRequestRatioConstraint(type, k, v, requests, limits); if (e) errors.push(e); }
  };
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) check('Container', item, c.resources?.requests, c.resources?.limits);
    } else if (item.type === 'Pod') {
      check('Pod', item, podTotal(pod, 'requests'), podTotal(pod, 'limits'));
    }
  }
  return errors;
}

function claimErrors(claim: KubeObject, lr: KubeObject): string[] {
  const errors: string[] = [];
  const requests = claim.spec?.resources?.requests;
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries<string>(item.min ?? {})) { const e = minConstraint('PersistentVolumeClaim', k, v, requests, {}); if (e) errors.push(e); }
    for (const [k, v] of Object.entries<string>(item.max ?? {})) { const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests); if (e) errors.push(e); }
  }
  return errors;
}

export const newLimitRanger: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (applies(a) !== 'pod' || !a.object) return;
    for (const lr of await rangesOf(ctx, a.namespace)) {
      const notes = defaultContainers(a.object, lr);
      if (notes.length) {
        const meta = (a.object.metadata ??= {});
        meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
      }
    }
  },
  async validate(a) {
    const kind = applies(a);
    if (!kind || !a.object) return;
    for (const lr of await rangesOf(ctx, a.namespace)) {
      const errors = kind === 'pod' ? podErrors(a.object, lr) : claimErrors(a.object, lr);
      if (errors.length) throw newForbidden({ group: '', resource: a.def.plural }, a.name, aggregate(errors));
    }
  },
});
