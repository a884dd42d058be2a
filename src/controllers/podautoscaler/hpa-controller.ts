// horizontalpodautoscaling: every --horizontal-pod-autoscaler-sync-period, each
// autoscaling/v2 HorizontalPodAutoscaler reads its target's scale subresource and its
// pods' resource usage (metrics.k8s.io PodMetrics), computes the replicas each Resource
// metric asks for (Utilization of requests or AverageValue), takes the largest, applies
// the behavior's stabilization window and policies and min/max, writes the scale, and
// reports upstream's conditions (AbleToScale, ScalingActive, ScalingLimited) and events.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { Quantity } from '../../api/quantity/index.js';
import { parseLabelSelector } from '../../api/selectors/index.js';
import { PODS, deletedObject, isConflict, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { HPAS } from '../util/resource-types.js';
import { defaultBehavior, scaleDownLimit, scaleUpLimit, stabilize, type Recommendation, type ScaleEvent } from './behavior.js';
import { podMetrics } from './metrics-client.js';
import { calculateReplicas } from './replica-calculator.js';

export const NAME = 'horizontalpodautoscaling';
const COMPONENT = 'horizontal-pod-autoscaler';

interface Scale { metadata: { resourceVersion?: string }; spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } }

const now8601 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The REST path of a scaleTargetRef's scale subresource (apps and core kinds; others by lower-cased plural guess). */
function scalePath(ns: string, ref: { apiVersion?: string; kind: string; name: string }): string {
  const [group, version] = (ref.apiVersion ?? 'apps/v1').includes('/') ? (ref.apiVersion ?? 'apps/v1').split('/') : ['', ref.apiVersion ?? 'v1'];
  const plural = ref.kind === 'ReplicationController' ? 'replicationcontrollers' : `${ref.kind.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${base}/namespaces/${encodeURIComponent(ns)}/${plural}/${encodeURIComponent(ref.name)}/scale`;
}

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly hpas: SharedInformer<HorizontalPodAutoscaler>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly ctx: ControllerContext) {
    this.hpas = ctx.informers.forResource(HPAS);
    this.pods = ctx.informers.forResource(PODS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'horizontal-pod-autoscaler'), (k) => this.sync(k));
    this.hpas.addEventHandler({
      onAdd: (h) => this.loop.add(objectKey(h)),
      onUpdate: (o, h) => { if (o.metadata?.generation !== h.metadata?.generation) this.loop.add(objectKey(h)); },
      onDelete: (h) => { const k = objectKey(deletedObject(h)); this.recommendations.delete(k); this.scaleEvents.delete(k); },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.hpas, this.pods]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const hpa = this.hpas.lister.get(key);
    if (!hpa?.spec) return;
    const period = { requeueAfterMs: this.ctx.options.hpaSyncPeriodMs };
    const ns = hpa.metadata!.namespace!;
    const rec = this.ctx.recorder(COMPONENT);
    const spec = hpa.spec;
    const ref = spec.scaleTargetRef;
    const conditions = new Map<string, HorizontalPodAutoscalerCondition>();
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => conditions.set(type, { type, status, reason, message });
    let scale: Scale;
    try {
      scale = await this.ctx.client.request<Scale>({ method: 'GET', path: scalePath(ns, ref) });
    } catch (err) {
      rec.event(hpa, 'Warning', 'FailedGetScale', (err as Error).message);
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`);
      await this.writeStatus(hpa, { currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0 }, conditions);
      return period;
    }
    const current = scale.spec?.replicas ?? 0;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = current;
    const metricStatuses: MetricStatus[] = [];
    let reasonText = '';
    if (current === 0 && min !== 0) {
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else {
      const selector = scale.status?.selector ?? '';
      const pods = selector ? this.pods.lister.namespace(ns).list(parseLabelSelector(selector)) : [];
      let best = -1; let failed: string | undefined;
      for (const m of hpa.spec.metrics ?? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]) {
        if (m.type !== 'Resource' || !m.resource) {
          failed ??= `metric type ${m.type} is not supported by tskube (only Resource metrics from metrics.k8s.io)`;
          continue;
        }
        const r = m.resource;
        try {
          const metrics = await podMetrics(this.ctx.client, ns, selector, r.name);
          const target = r.target.type === 'Utilization' ? { utilization: r.target.averageUtilization ?? 80 } : { averageMilli: Quantity.parse(r.target.averageValue ?? r.target.value ?? '0').milliValue() };
          const calc = calculateReplicas(current, pods, metrics, r.name, target, {
            tolerance: this.ctx.options.hpaTolerance, cpuInitializationPeriodMs: this.ctx.options.hpaCPUInitializationPeriodMs, initialReadinessDelayMs: this.ctx.options.hpaInitialReadinessDelayMs, now: Date.now(),
          });
          metricStatuses.push({ type: 'Resource', resource: { name: r.name, current: { averageValue: Quantity.fromMilli(Math.round(calc.averageMilli), r.name === 'memory' ? 'BinarySI' : 'DecimalSI').toString(), ...(calc.utilization !== undefined ? { averageUtilization: calc.utilization } : {}) } } });
          if (calc.replicas > best) {
            best = calc.replicas;
            reasonText = `${r.name} resource${r.target.type === 'Utilization' ? ' utilization (percentage of request)' : ''}`;
          }
        } catch (err) {
          failed ??= `the HPA was unable to compute the replica count: failed to get ${r.name} utilization: ${(err as Error).message}`;
          rec.event(hpa, 'Warning', 'FailedGetResourceMetric', `failed to get ${r.name} utilization: ${(err as Error).message}`);
          rec.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (1 invalid out of 1), first error is: failed to get ${r.name} resource metric value: ${(err as Error).message}`);
        }
      }
      if (best < 0) {
        cond('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
        cond('ScalingActive', 'False', 'FailedGetResourceMetric', failed ?? 'no metrics');
        await this.writeStatus(hpa, { currentReplicas: scale.status?.replicas ?? current, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: metricStatuses }, conditions);
        return period;
      }
      cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${reasonText}`);
      // Behavior: stabilization, then policies, then the min/max bounds.
      const now = Date.now();
      const behavior = defaultBehavior(hpa.spec.behavior, this.ctx.options.hpaDownscaleStabilizationMs / 1000);
      const history = this.recommendations.get(key) ?? [];
      this.recommendations.set(key, history);
      const events = this.scaleEvents.get(key) ?? [];
      this.scaleEvents.set(key, events);
      const stable = stabilize(history, best, current, behavior, now);
      desired = stable;
      let limited: [string, string] | undefined;
      if (desired > current) {
        const up = scaleUpLimit(current, events, behavior.scaleUp, now);
        if (desired > up) { desired = up; limited = ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']; }
      } else if (desired < current) {
        const down = scaleDownLimit(current, events, behavior.scaleDown, now);
        if (desired < down) { desired = down; limited = ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']; }
      }
      if (desired > max) { desired = max; limited = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count']; }
      if (desired < min) { desired = min; limited = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count']; }
      if (limited) cond('ScalingLimited', 'True', limited[0], limited[1]);
      else cond('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
      if (stable !== best && desired === stable) reasonText = 'stabilized';
    }
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (desired !== current) {
      try {
        await this.ctx.client.request({ method: 'PUT', path: scalePath(ns, ref), body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: ref.name, namespace: ns, resourceVersion: scale.metadata.resourceVersion }, spec: { replicas: desired } } });
      } catch (err) {
        rec.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reasonText}; error: ${(err as Error).message}`);
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${(err as Error).message}`);
        // as upstream: a failed rescale reports the current replicas and metrics, not the unreached desired count
        await this.writeStatus(hpa, { currentReplicas: current, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: metricStatuses, lastScaleTime }, conditions);
        return period;
      }
      this.scaleEvents.get(key)?.push({ at: Date.now(), change: desired - current });
      const why = desired > current ? `${reasonText} above target` : 'All metrics below target';
      rec.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${why}`);
      this.ctx.log(`${NAME}: ${key}: scaled ${ref.kind}/${ref.name} from ${current} to ${desired} (${why})`);
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      lastScaleTime = now8601();
    } else {
      cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    await this.writeStatus(hpa, { currentReplicas: scale.status?.replicas ?? current, desiredReplicas: desired, currentMetrics: metricStatuses.length ? metricStatuses : undefined, lastScaleTime }, conditions);
    return period;
  }

  private async writeStatus(hpa: HorizontalPodAutoscaler, s: NonNullable<HorizontalPodAutoscaler['status']>, conds: Map<string, HorizontalPodAutoscalerCondition>): Promise<void> {
    const old = new Map((hpa.status?.conditions ?? []).map((c) => [c.type, c]));
    const conditions: HorizontalPodAutoscalerCondition[] = [...conds.values()].map((c) => {
      const o = old.get(c.type);
      return { ...c, lastTransitionTime: o && o.status === c.status ? o.lastTransitionTime : now8601() };
    });
    for (const [t, c] of old) if (!conds.has(t)) conditions.push(c);
    const status = { ...s, observedGeneration: hpa.metadata?.generation, conditions };
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    try {
      await this.ctx.client.resource(HPAS).updateStatus(hpa.metadata!.namespace!, { ...hpa, status });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // the next period writes it
      throw err;
    }
  }
}

export const newHorizontalPodAutoscalerController = (ctx: ControllerContext): Controller => new HorizontalPodAutoscalerController(ctx);
