// /metrics for the manager: per-controller sync counts and durations and queue depth, in
// Prometheus text (prom-client), plus the process's CPU and memory.
import client from 'prom-client';

export class ControllerMetrics {
  readonly registry = new client.Registry();
  readonly syncs: client.Counter<'controller' | 'result'>;
  readonly syncSeconds: client.Histogram<'controller'>;
  readonly depth: client.Gauge<'name'>;
  readonly leader: client.Gauge<'name'>;
  private readonly depthFns = new Map<string, () => number>();

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
    this.syncs = new client.Counter({ name: 'controller_sync_total', help: 'Reconciles per controller and result', labelNames: ['controller', 'result'], registers: [this.registry] });
    this.syncSeconds = new client.Histogram({ name: 'controller_sync_duration_seconds', help: 'Reconcile duration', labelNames: ['controller'], registers: [this.registry], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
    const fns = this.depthFns;
    this.depth = new client.Gauge({
      name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [this.registry],
      collect() { for (const [name, fn] of fns) this.set({ name }, fn()); },
    });
    this.leader = new client.Gauge({ name: 'leader_election_master_status', help: '1 while this process leads', labelNames: ['name'], registers: [this.registry] });
  }

  trackQueue(name: string, len: () => number): void {
    this.depthFns.set(name, len);
  }
}
