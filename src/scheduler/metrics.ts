// The scheduler's Prometheus metrics, with upstream's names and labels.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly pendingPods: Gauge<'queue'>;
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly podSchedulingDuration: Histogram<'attempts'>;
  readonly preemptionAttempts: Counter;
  readonly preemptionVictims: Histogram;
  readonly queueIncoming: Counter<'queue' | 'event'>;
  readonly cacheSize: Gauge<'type'>;

  constructor(pending: () => Record<string, number>, cache: () => Record<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type.', labelNames: ['queue'], registers,
      collect() { for (const [q, n] of Object.entries(pending())) this.set({ queue: q }, n); },
    });
    this.cacheSize = new Gauge({
      name: 'scheduler_cache_size', help: 'Number of nodes, pods, and assumed (bound) pods in the scheduler cache.', labelNames: ['type'], registers,
      collect() { for (const [t, n] of Object.entries(cache())) this.set({ type: t }, n); },
    });
    this.scheduleAttempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result.', labelNames: ['result', 'profile'], registers });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'], buckets: latencyBuckets, registers,
    });
    this.podSchedulingDuration = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds', help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.',
      labelNames: ['attempts'], buckets: latencyBuckets, registers,
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers });
    this.preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims', buckets: [1, 2, 4, 8, 16, 32, 64], registers });
    this.queueIncoming = new Counter({ name: 'scheduler_queue_incoming_pods_total', help: 'Number of pods added to scheduling queues by event and queue type.', labelNames: ['queue', 'event'], registers });
  }
}
