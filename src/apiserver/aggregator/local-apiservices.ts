// Upstream's autoregister and CRD registration controllers: every group/version this server
// serves itself has a Local APIService (spec.service null), named VERSION.GROUP ("v1." for
// the core group), with upstream's group and version priorities. Built-in ones carry
// kube-aggregator.kubernetes.io/automanaged=onstart, those of custom resources =true (and go
// when their CRD does). An APIService without the label is the user's and is left alone —
// so an APIService pointing metrics.k8s.io at a real metrics-server takes that group over.
import type { Catalogue } from '../../api/resources/catalogue.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { apiservices } from '../../api/resources/apiregistration-v1.js';
import type { Registry } from '../registry/registry.js';
import type { APIServiceIndex } from './apiservice-index.js';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

/** kube-apiserver's apiVersionPriorities (group priority minimum, version priority). */
const PRIORITIES: Record<string, [number, number]> = {
  'v1.': [18000, 1], 'v1.apiregistration.k8s.io': [18000, 1],
  'v1.apps': [17800, 15], 'v1.events.k8s.io': [17750, 15], 'v1.authentication.k8s.io': [17700, 15], 'v1.authorization.k8s.io': [17600, 15],
  'v1.autoscaling': [17500, 15], 'v2.autoscaling': [17500, 30], 'v1.batch': [17400, 15], 'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15], 'v1.policy': [17100, 15], 'v1.rbac.authorization.k8s.io': [17000, 15], 'v1.storage.k8s.io': [16800, 15],
  'v1.apiextensions.k8s.io': [16700, 15], 'v1.admissionregistration.k8s.io': [16700, 15], 'v1.scheduling.k8s.io': [16600, 15],
  'v1.coordination.k8s.io': [16500, 15], 'v1.node.k8s.io': [16300, 15], 'v1.discovery.k8s.io': [16200, 15], 'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
  // metrics-server's own APIService manifest
  'v1beta1.metrics.k8s.io': [100, 100],
};

export function desiredLocal(cat: Catalogue): KubeObject[] {
  const out: KubeObject[] = [];
  for (const g of cat.groups()) {
    const custom = cat.inGroupVersion(g.group, g.versions[0]).every((d) => d.custom);
    for (const version of g.versions) {
      const name = `${version}.${g.group}`;
      const [gpm, vp] = PRIORITIES[name] ?? (custom ? [1000, 100] : [1000, 15]);
      out.push({
        apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
        metadata: { name, labels: { [AUTOMANAGED_LABEL]: custom ? 'true' : 'onstart' } },
        // service omitted: Go's omitempty on a nil *ServiceReference
        spec: { group: g.group, version, groupPriorityMinimum: gpm, versionPriority: vp },
      });
    }
  }
  return out;
}

const sameSpec = (a: KubeObject, b: KubeObject) => JSON.stringify(a.spec) === JSON.stringify(b.spec);

/**
 * Whether the controller may rewrite an existing APIService: automanaged, and — as upstream's
 * "onstart" — built-in ones only at start. One a user pointed at a Service is never taken back.
 */
const mine = (cur: KubeObject, atStart: boolean) => {
  const label = cur.metadata?.labels?.[AUTOMANAGED_LABEL];
  return !cur.spec?.service && (label === 'true' || (label === 'onstart' && atStart));
};

/** Creates, updates and removes the automanaged APIServices to match what the catalogue serves. */
export async function syncLocalAPIServices(registry: Registry, cat: Catalogue, index: APIServiceIndex, atStart: boolean): Promise<void> {
  const want = desiredLocal(cat);
  const names = new Set(want.map((o) => o.metadata!.name as string));
  // one write at a time would hold up start-up by a round trip per group
  await Promise.all(want.map(async (o) => {
    const name = o.metadata!.name as string;
    const cur = index.get(name);
    if (!cur) {
      await registry.create(apiservices, '', o, { fieldManager: 'kube-apiserver' }).catch((err) => { if (err?.reason !== 'AlreadyExists') throw err; });
    } else if (mine(cur, atStart) && (!sameSpec(cur, o) || cur.metadata?.labels?.[AUTOMANAGED_LABEL] !== o.metadata!.labels[AUTOMANAGED_LABEL])) {
      await registry.update(apiservices, '', name, (c) => ({ ...c, metadata: { ...c.metadata, labels: { ...c.metadata?.labels, ...o.metadata!.labels } }, spec: o.spec }), { fieldManager: 'kube-apiserver' });
    }
  }));
  // a custom resource group no longer served (its CRD deleted): its automanaged APIService goes too
  for (const s of index.all()) {
    if (s.metadata?.labels?.[AUTOMANAGED_LABEL] === 'true' && !names.has(s.metadata.name)) {
      await registry.delete(apiservices, '', s.metadata.name).catch((err) => { if (err?.reason !== 'NotFound') throw err; });
    }
  }
}
