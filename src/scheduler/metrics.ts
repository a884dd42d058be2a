// The scheduler's Prometheus metrics, with upstream's names, labels and buckets
// (pkg/scheduler/metrics). Per-plugin durations are recorded for a sample of scheduling
// cycles only (upstream's pluginMetricsSamplePercent), so the timing costs little.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const exponential = (start: number, factor: number, count: number) => Array.from({ length: count }, (_, i) => start * factor ** i);

/** Share of scheduling cycles whose plugin executions are timed (upstream: 10 %). */
export const PLUGIN_METRICS_SAMPLE_PERCENT = 10;

/** Timing hooks the framework calls; absent in unit tests. */
export interface FrameworkMetrics {
  extensionPoint(point: string, status: string, profile: string, seconds: number): void;
  plugin(plugin: string, point: string, status: string, seconds: number): void;
}

export class SchedulerMetrics implements FrameworkMetrics {
  readonly registry = new Registry();
  readonly pendingPods: Gauge<'queue'>;
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly algorithmDuration: Histogram;
  readonly podSchedulingDuration: Histogram<'attempts'>;
  readonly podSchedulingAttempts: Histogram;
  readonly extensionPointDuration: Histogram<'extension_point' | 'status' | 'profile'>;
  readonly pluginDuration: Histogram<'plugin' | 'extension_point' | 'status'>;
  readonly preemptionAttempts: Counter;
  readonly preemptionVictims: Histogram;
  readonly queueIncoming: Counter<'queue' | 'event'>;
  readonly cacheSize: Gauge<'type'>;
  private readonly pointChildren = new Map<string, { observe(v: number): void }>();
  private readonly pluginChildren = new Map<string, { observe(v: number): void }>();

  constructor(pending: () => Record<string, number>, cache: () => Record<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.',
      labelNames: ['queue'], registers,
      collect() { for (const [q, n] of Object.entries(pending())) this.set({ queue: q }, n); },
    });
    this.cacheSize = new Gauge({
      name: 'scheduler_cache_size', help: 'Number of nodes, pods, and assumed (bound) pods in the scheduler cache.', labelNames: ['type'], registers,
      collect() { for (const [t, n] of Object.entries(cache())) this.set({ type: t }, n); },
    });
    this.scheduleAttempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', labelNames: ['result', 'profile'], registers });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'], buckets: exponential(0.001, 2, 15), registers,
    });
    this.algorithmDuration = new Histogram({
      name: 'scheduler_scheduling_algorithm_duration_seconds', help: 'Scheduling algorithm latency in seconds', buckets: exponential(0.001, 2, 15), registers,
    });
    this.podSchedulingDuration = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds', help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      labelNames: ['attempts'], buckets: exponential(0.01, 2, 20), registers,
    });
    this.podSchedulingAttempts = new Histogram({
      name: 'scheduler_pod_scheduling_attempts', help: 'Number of attempts to successfully schedule a pod.', buckets: exponential(1, 2, 5), registers,
    });
    this.extensionPointDuration = new Histogram({
      name: 'scheduler_framework_extension_point_duration_seconds', help: 'Latency for running all plugins of a specific extension point.',
      labelNames: ['extension_point', 'status', 'profile'], buckets: exponential(0.0001, 2, 12), registers,
    });
    this.pluginDuration = new Histogram({
      name: 'scheduler_plugin_execution_duration_seconds', help: 'Duration for running a plugin at a specific extension point.',
      labelNames: ['plugin', 'extension_point', 'status'], buckets: exponential(0.00001, 1.5, 20), registers,
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers });
    this.preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims', buckets: exponential(1, 2, 7), registers });
    this.queueIncoming = new Counter({ name: 'scheduler_queue_incoming_pods_total', help: 'Number of pods added to scheduling queues by event and queue type.', labelNames: ['queue', 'event'], registers });
  }

  extensionPoint(point: string, status: string, profile: string, seconds: number): void {
    const k = `${point}\u0000${status}\u0000${profile}`;
    let c = this.pointChildren.get(k);
    if (!c) this.pointChildren.set(k, c = this.extensionPointDuration.labels(point, status, profile));
    c.observe(seconds);
  }

  plugin(plugin: string, point: string, status: string, seconds: number): void {
    const k = `${plugin}\u0000${point}\u0000${status}`;
    let c = this.pluginChildren.get(k);
    if (!c) this.pluginChildren.set(k, c = this.pluginDuration.labels(plugin, point, status));
    c.observe(seconds);
  }
}
