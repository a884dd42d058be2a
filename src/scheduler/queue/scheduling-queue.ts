// The scheduling queue (upstream PriorityQueue): activeQ ordered by the QueueSort plugin
// (priority, then age); backoffQ for pods waiting out 1s, 2s, 4s ... up to 10s after a
// failure; unschedulable pods parked until a cluster event one of their rejecting plugins
// cares about (or 5 minutes pass); gated pods held by PreEnqueue (scheduling gates).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodInfo, podKey } from '../framework/pod-info.js';
import { eventMatches, type ClusterEvent } from '../framework/cluster-event.js';
import { KeyedHeap } from './heap.js';
import type { QueuedPod } from './queued-pod.js';

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest a pod stays unschedulable before another try (upstream podMaxInUnschedulablePodsDuration). */
  maxUnschedulableMs?: number;
  less?: (a: QueuedPod, b: QueuedPod) => boolean;
  /** PreEnqueue: why a pod may not enter the active queue yet. */
  preEnqueue?: (pod: Pod) => string | undefined;
  /** Plugins' registered events, by plugin name. */
  eventsFor?: (pod: Pod, plugin: string) => ClusterEvent[];
  now?: () => number;
  /** A pod entered a sub-queue because of `event` (scheduler_queue_incoming_pods_total). */
  onIncoming?: (queue: 'active' | 'backoff' | 'unschedulable' | 'gated', event: string) => void;
}

const keyOf = (q: QueuedPod) => q.info.key;
const byPriorityThenAge = (a: QueuedPod, b: QueuedPod) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp);

export class SchedulingQueue {
  private readonly active: KeyedHeap<QueuedPod>;
  private readonly backoff: KeyedHeap<QueuedPod>;
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly gated = new Map<string, QueuedPod>();
  /** Pods handed out by pop and not yet back or done. */
  private readonly inFlight = new Set<string>();
  private waiters: Array<(q: QueuedPod | undefined) => void> = [];
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  /** Counts pops; a move request during a cycle sends that cycle's failures to backoff instead of parking them. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.active = new KeyedHeap(keyOf, opts.less ?? byPriorityThenAge);
    this.backoff = new KeyedHeap(keyOf, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the flush timers: backoffQ every second, long-parked unschedulable pods every 30s. */
  run(): void {
    this.timers.push(setInterval(() => this.flushBackoff(), 1000).unref());
    this.timers.push(setInterval(() => this.flushUnschedulableLeftovers(), 30_000).unref());
  }

  close(): void {
    this.closed = true;
    this.timers.forEach(clearInterval);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  counts(): { active: number; backoff: number; unschedulable: number; gated: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, gated: this.gated.size };
  }

  backoffDuration(q: QueuedPod): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  backoffExpiry(q: QueuedPod): number { return q.timestamp + this.backoffDuration(q); }

  /** A new pending pod. */
  add(pod: Pod): void {
    const info = new PodInfo(pod);
    const now = this.now();
    const q: QueuedPod = { info, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() };
    this.remove(info.key);
    this.toActiveOrGated(q, 'PodAdd');
  }

  private toActiveOrGated(q: QueuedPod, event: string): void {
    const reason = this.opts.preEnqueue?.(q.info.pod);
    if (reason) { q.gatedReason = reason; this.gated.set(q.info.key, q); this.opts.onIncoming?.('gated', event); return; }
    q.gatedReason = undefined;
    this.active.push(q);
    this.opts.onIncoming?.('active', event);
    this.wake();
  }

  /** A pending pod changed: refresh its copy; a parked pod gets another try. */
  update(pod: Pod): void {
    const key = podKey(pod);
    const info = new PodInfo(pod);
    for (const heap of [this.active, this.backoff]) {
      const q = heap.get(key);
      if (q) { heap.push({ ...q, info }); return; }
    }
    const parked = this.unschedulable.get(key) ?? this.gated.get(key);
    if (parked) {
      this.unschedulable.delete(key);
      this.gated.delete(key);
      const q = { ...parked, info };
      if (q.attempts > 0 && this.backoffExpiry(q) > this.now()) { this.backoff.push(q); this.opts.onIncoming?.('backoff', 'PodUpdate'); } else this.toActiveOrGated(q, 'PodUpdate');
      return;
    }
    if (!this.inFlight.has(key)) this.add(pod);
  }

  /** Drops a pod from every sub-queue. */
  remove(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.gated.delete(key);
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.gated.has(key) || this.inFlight.has(key);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.active.pop();
    if (q) return Promise.resolve(this.handOut(q));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pops without waiting (for batch loops). */
  tryPop(): QueuedPod | undefined {
    const q = this.active.pop();
    return q ? this.handOut(q) : undefined;
  }

  private handOut(q: QueuedPod): QueuedPod {
    q.attempts++;
    this.schedulingCycle++;
    this.inFlight.add(q.info.key);
    return q;
  }

  private wake(): void {
    while (this.waiters.length && this.active.size) {
      const w = this.waiters.shift()!;
      w(this.handOut(this.active.pop()!));
    }
  }

  /** The pod was bound, deleted, or otherwise needs no more scheduling. */
  done(key: string): void { this.inFlight.delete(key); }

  /**
   * A failed attempt: to backoffQ when something moved while it was being tried (or it
   * failed with an error), else parked as unschedulable.
   */
  requeueFailed(q: QueuedPod, cycle: number, unschedulableBy: Set<string> | undefined): void {
    const key = q.info.key;
    if (!this.inFlight.delete(key)) return; // deleted meanwhile
    if (this.has(key)) return;
    q.timestamp = this.now();
    q.unschedulablePlugins = unschedulableBy ?? new Set();
    if (!unschedulableBy || unschedulableBy.size === 0 || this.moveRequestCycle >= cycle) {
      this.backoff.push(q);
      this.opts.onIncoming?.('backoff', 'ScheduleAttemptFailure');
    } else {
      this.unschedulable.set(key, q);
      this.opts.onIncoming?.('unschedulable', 'ScheduleAttemptFailure');
    }
  }

  /** A cluster event: parked pods whose rejecting plugins registered for it get another try. */
  onEvent(event: ClusterEvent, podFilter?: (q: QueuedPod) => boolean): number {
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (podFilter && !podFilter(q)) continue;
      if (!this.caresAbout(q, event)) continue;
      this.unschedulable.delete(key);
      this.toBackoffOrActive(q, event.label);
      moved++;
    }
    this.moveRequestCycle = this.schedulingCycle;
    return moved;
  }

  private caresAbout(q: QueuedPod, event: ClusterEvent): boolean {
    if (q.unschedulablePlugins.size === 0 || !this.opts.eventsFor) return true;
    for (const plugin of q.unschedulablePlugins) {
      if (this.opts.eventsFor(q.info.pod, plugin).some((e) => eventMatches(e, event))) return true;
    }
    return false;
  }

  private toBackoffOrActive(q: QueuedPod, event: string): void {
    if (this.backoffExpiry(q) > this.now()) { this.backoff.push(q); this.opts.onIncoming?.('backoff', event); } else this.toActiveOrGated(q, event);
  }

  flushBackoff(): void {
    const now = this.now();
    while (this.backoff.size && this.backoffExpiry(this.backoff.peek()!) <= now) this.toActiveOrGated(this.backoff.pop()!, 'BackoffComplete');
  }

  flushUnschedulableLeftovers(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.timestamp < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.toBackoffOrActive(q, 'UnschedulableTimeout');
    }
  }

  /** Every pod waiting, with the sub-queue it is in. */
  pending(): Array<{ key: string; queue: string; pod: QueuedPod }> {
    return [
      ...this.active.values().map((pod) => ({ key: pod.info.key, queue: 'active', pod })),
      ...this.backoff.values().map((pod) => ({ key: pod.info.key, queue: 'backoff', pod })),
      ...[...this.unschedulable.values()].map((pod) => ({ key: pod.info.key, queue: 'unschedulable', pod })),
      ...[...this.gated.values()].map((pod) => ({ key: pod.info.key, queue: 'gated', pod })),
    ];
  }
}
