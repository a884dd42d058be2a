// autoscaling/v1 HorizontalPodAutoscaler ↔ the stored autoscaling/v2 form, as upstream's
// pkg/apis/autoscaling/v1/conversion.go does it: targetCPUUtilizationPercentage is the CPU
// Utilization metric; whatever v1 has no field for (other metrics, behavior, current
// metrics, conditions) rides in autoscaling.alpha.kubernetes.io/* annotations as JSON, in
// v1's older metric shape, and those annotations never reach the stored object.
import type { KubeObject } from './resource-def.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

type Obj = Record<string, any>;
const isCPUUtilization = (m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization !== undefined;
const prune = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const ref = (r: Obj | undefined) => r && prune({ kind: r.kind, name: r.name, apiVersion: r.apiVersion });

/** A v2 MetricSpec in v1's shape (targetAverageUtilization, targetValue, …). */
function specToV1(m: Obj): Obj {
  const t = (x: Obj | undefined) => x?.target ?? {};
  switch (m.type) {
    case 'Object': return { type: m.type, object: prune({ target: ref(m.object?.describedObject), metricName: m.object?.metric?.name, targetValue: t(m.object).value ?? '0', selector: m.object?.metric?.selector, averageValue: t(m.object).averageValue }) };
    case 'Pods': return { type: m.type, pods: prune({ metricName: m.pods?.metric?.name, targetAverageValue: t(m.pods).averageValue ?? '0', selector: m.pods?.metric?.selector }) };
    case 'Resource': return { type: m.type, resource: prune({ name: m.resource?.name, targetAverageUtilization: t(m.resource).averageUtilization, targetAverageValue: t(m.resource).averageValue }) };
    case 'ContainerResource': return { type: m.type, containerResource: prune({ name: m.containerResource?.name, targetAverageUtilization: t(m.containerResource).averageUtilization, targetAverageValue: t(m.containerResource).averageValue, container: m.containerResource?.container }) };
    case 'External': return { type: m.type, external: prune({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, targetValue: t(m.external).value, targetAverageValue: t(m.external).averageValue }) };
    default: return { type: m.type };
  }
}

function specFromV1(m: Obj): Obj {
  const metric = (name: string | undefined, selector: Obj | undefined) => prune({ name, selector });
  switch (m.type) {
    case 'Object': {
      const o = m.object ?? {};
      return { type: m.type, object: { describedObject: ref(o.target) ?? {}, metric: metric(o.metricName, o.selector),
        target: prune({ type: o.averageValue === undefined ? 'Value' : 'AverageValue', value: o.targetValue ?? '0', averageValue: o.averageValue }) } };
    }
    case 'Pods': {
      const p = m.pods ?? {};
      return { type: m.type, pods: { metric: metric(p.metricName, p.selector), target: { type: 'AverageValue', averageValue: p.targetAverageValue ?? '0' } } };
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const r = m[key] ?? {};
      return { type: m.type, [key]: prune({ name: r.name, container: r.container,
        target: prune({ type: r.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization', averageValue: r.targetAverageValue, averageUtilization: r.targetAverageUtilization }) }) };
    }
    case 'External': {
      const e = m.external ?? {};
      return { type: m.type, external: { metric: metric(e.metricName, e.metricSelector),
        target: prune({ type: e.targetValue === undefined ? 'AverageValue' : 'Value', value: e.targetValue, averageValue: e.targetAverageValue }) } };
    }
    default: return { type: m.type };
  }
}

function statusToV1(m: Obj): Obj {
  const c = (x: Obj | undefined) => x?.current ?? {};
  switch (m.type) {
    case 'Object': return { type: m.type, object: prune({ target: ref(m.object?.describedObject), metricName: m.object?.metric?.name, currentValue: c(m.object).value ?? '0', selector: m.object?.metric?.selector, averageValue: c(m.object).averageValue }) };
    case 'Pods': return { type: m.type, pods: prune({ metricName: m.pods?.metric?.name, currentAverageValue: c(m.pods).averageValue ?? '0', selector: m.pods?.metric?.selector }) };
    case 'Resource': return { type: m.type, resource: prune({ name: m.resource?.name, currentAverageUtilization: c(m.resource).averageUtilization, currentAverageValue: c(m.resource).averageValue ?? '0' }) };
    case 'ContainerResource': return { type: m.type, containerResource: prune({ name: m.containerResource?.name, currentAverageUtilization: c(m.containerResource).averageUtilization, currentAverageValue: c(m.containerResource).averageValue ?? '0', container: m.containerResource?.container }) };
    case 'External': return { type: m.type, external: prune({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, currentValue: c(m.external).value ?? '0', currentAverageValue: c(m.external).averageValue }) };
    default: return { type: m.type };
  }
}

function statusFromV1(m: Obj): Obj {
  const metric = (name: string | undefined, selector: Obj | undefined) => prune({ name, selector });
  switch (m.type) {
    case 'Object': { const o = m.object ?? {}; return { type: m.type, object: { describedObject: ref(o.target) ?? {}, metric: metric(o.metricName, o.selector), current: prune({ value: o.currentValue ?? '0', averageValue: o.averageValue }) } }; }
    case 'Pods': { const p = m.pods ?? {}; return { type: m.type, pods: { metric: metric(p.metricName, p.selector), current: { averageValue: p.currentAverageValue ?? '0' } } }; }
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const r = m[key] ?? {};
      return { type: m.type, [key]: prune({ name: r.name, container: r.container, current: prune({ averageValue: r.currentAverageValue ?? '0', averageUtilization: r.currentAverageUtilization }) }) };
    }
    case 'External': { const e = m.external ?? {}; return { type: m.type, external: { metric: metric(e.metricName, e.metricSelector), current: prune({ value: e.currentValue ?? '0', averageValue: e.currentAverageValue }) } }; }
    default: return { type: m.type };
  }
}

const conditionV1 = (c: Obj): Obj => prune({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message });

/** The stored autoscaling/v2 object as autoscaling/v1 serves it (a new object). */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const spec: Obj = v2.spec ?? {};
  const status: Obj = v2.status ?? {};
  const metrics: Obj[] = spec.metrics ?? [];
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => !isCPUUtilization(m)).map(specToV1);
  const current: Obj[] = status.currentMetrics ?? [];
  const currentCPU = current.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization !== undefined);
  const annotations: Record<string, string> = { ...(v2.metadata?.annotations ?? {}) };
  if (others.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  if (current.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(current.map(statusToV1));
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  if (status.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions.map(conditionV1));
  const metadata = { ...(v2.metadata ?? {}) };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata,
    spec: prune({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource.target.averageUtilization }),
    status: prune({ observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCPU?.resource.current.averageUtilization }),
  };
}

/** Parses a round-trip annotation; a malformed one is ignored rather than failing every read. */
function annotationJSON(annotations: Record<string, string>, key: string): any {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}

/** An autoscaling/v1 object in the stored autoscaling/v2 form (a new object). */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const spec: Obj = v1.spec ?? {};
  const status: Obj | undefined = v1.status;
  const annotations: Record<string, string> = { ...(v1.metadata?.annotations ?? {}) };
  const cpu = spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null
    ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }] : [];
  const others = annotationJSON(annotations, METRIC_SPECS_ANNOTATION);
  let metrics: Obj[] = [...(Array.isArray(others) ? others.map(specFromV1) : []), ...cpu];
  // v1 had the 80% CPU default in the controller; with every metric known it is applied here
  if (!metrics.length) metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  const behavior = annotationJSON(annotations, BEHAVIOR_ANNOTATION);
  const out: KubeObject = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { ...(v1.metadata ?? {}) },
    spec: prune({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics,
      behavior: behavior && typeof behavior === 'object' ? behavior : undefined }),
  };
  if (status) {
    let currentMetrics: Obj[] | undefined;
    if (typeof status.currentCPUUtilizationPercentage === 'number') {
      currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    const cm = annotationJSON(annotations, METRIC_STATUSES_ANNOTATION);
    if (Array.isArray(cm)) currentMetrics = cm.map(statusFromV1);
    const conditions = annotationJSON(annotations, CONDITIONS_ANNOTATION);
    out.status = prune({ observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas, desiredReplicas: status.desiredReplicas, currentMetrics,
      conditions: Array.isArray(conditions) ? conditions.map(conditionV1) : undefined });
  }
  for (const k of ROUND_TRIP) delete annotations[k];
  if (Object.keys(annotations).length) out.metadata!.annotations = annotations;
  else delete out.metadata!.annotations;
  return out;
}
