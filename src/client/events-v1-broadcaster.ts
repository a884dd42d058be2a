// events.k8s.io/v1 Events the way client-go's tools/events package writes them (what
// kube-scheduler uses): recorders per reporting controller share one broadcaster that never
// blocks the caller. An event "isomorphic" to one already written (same regarding object,
// related object, action, reason and reporting controller; the note does not count) is not
// a new object: the second one patches `series` {count: 2, lastObservedTime} onto the first,
// later ones only count in memory and are written every 30 minutes or when the series ends
// (6 minutes without a repeat) — so a pod failing to schedule again and again costs at most
// a couple of writes, not one per attempt.
import os from 'node:os';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/resources/resource-def.js';
import { isNotFound } from './api-status-error.js';
import { type Logger, sleep, stderrLogger } from './backoff.js';
import { referenceTo } from './event-recorder.js';
import { formatMicroTime } from './micro-time.js';
import type { ResourceType } from './resource-ref.js';
import type { RestClient } from './rest-client.js';

export const EVENTS_V1: ResourceType<EventV1> = { group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', namespaced: true };

export interface EventV1 extends KubeObject {
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type: 'Normal' | 'Warning';
}

/** events.k8s.io/v1 refuses notes over 1 KiB (validation.NoteLengthLimit). */
export const NOTE_LENGTH_LIMIT = 1024;

export interface BroadcasterOptions {
  /** Events waiting to be written beyond this are dropped (client-go's queue holds 1000). */
  maxQueued?: number;
  /** Writes in flight at once (client-go starts one goroutine per event; this bounds them). */
  concurrency?: number;
  log?: Logger;
  /** How often series counts are flushed / finished series forgotten (client-go: 30 min / 6 min). */
  refreshMs?: number;
  finishMs?: number;
  now?: () => number;
}

const MAX_TRIES = 3;
const CACHE_SIZE = 4096;

interface Cached { event: EventV1; lastObserved: number; dirty: boolean }

export class EventBroadcasterV1 {
  private readonly queue: EventV1[] = [];
  private readonly cache = new Map<string, Cached>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;
  private readonly now: () => number;
  /** Events dropped because the queue was full. */
  dropped = 0;
  /** Objects created and series patches sent (tests and benchmarks read these). */
  writes = { create: 0, patch: 0 };

  constructor(readonly client: RestClient, readonly opts: BroadcasterOptions = {}) {
    this.log = opts.log ?? stderrLogger;
    this.now = opts.now ?? Date.now;
    this.timers.push(setInterval(() => this.refreshSeries(), opts.refreshMs ?? 30 * 60_000).unref());
    this.timers.push(setInterval(() => this.finishSeries(), opts.finishMs ?? 6 * 60_000).unref());
  }

  /** A recorder whose events say `reportingController` (e.g. a scheduler profile's name). */
  newRecorder(reportingController: string, reportingInstance = `${reportingController}-${os.hostname()}`): EventRecorderV1 {
    return new EventRecorderV1(this, reportingController, reportingInstance);
  }

  /** Queues an event, or folds it into the series of an isomorphic one. Never blocks. */
  record(ev: EventV1): void {
    if (this.closed) return;
    const key = isomorphicKey(ev);
    const prior = this.cache.get(key);
    if (prior) {
      prior.lastObserved = this.now();
      if (prior.event.series) {
        prior.event.series = { count: prior.event.series.count + 1, lastObservedTime: formatMicroTime(new Date(prior.lastObserved)) };
        prior.dirty = true;
        return;
      }
      prior.event.series = { count: 2, lastObservedTime: formatMicroTime(new Date(prior.lastObserved)) };
      this.enqueue({ ...prior.event });
      return;
    }
    this.cache.set(key, { event: ev, lastObserved: this.now(), dirty: false });
    // Bounded, oldest first (client-go prunes only every 6 minutes; 10,000 pods scheduled in a
    // minute would keep 10,000 events).
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.enqueue({ ...ev });
  }

  private enqueue(ev: EventV1): void {
    if (this.queue.length >= (this.opts.maxQueued ?? 1000)) { this.dropped++; return; }
    this.queue.push(ev);
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 16;
    while (this.inFlight < limit && this.queue.length) {
      const ev = this.queue.shift()!;
      this.inFlight++;
      void this.write(ev).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async write(ev: EventV1): Promise<void> {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      try {
        await this.send(ev);
        return;
      } catch (err) {
        if (attempt === MAX_TRIES) this.log(`events: dropping ${ev.regarding.kind} ${ev.regarding.namespace ?? ''}/${ev.regarding.name} ${ev.reason}: ${(err as Error).message}`);
        else await sleep(200 * attempt);
      }
    }
  }

  /** A series patches the first event's object; a missing object (expired by the event TTL) is created again. */
  private async send(ev: EventV1): Promise<void> {
    const events = this.client.resource(EVENTS_V1);
    const ns = ev.metadata!.namespace!;
    if (ev.series) {
      try {
        await this.client.writeOnly('PATCH', events.ref(ns, ev.metadata!.name!), { series: ev.series }, { patchType: 'strategic' });
        this.writes.patch++;
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.client.writeOnly('POST', events.ref(ns), { ...ev, metadata: { name: ev.metadata!.name, namespace: ns } });
    this.writes.create++;
  }

  /** Writes the counts of series that grew since their last write (client-go: every 30 minutes). */
  refreshSeries(): void {
    for (const c of this.cache.values()) {
      if (!c.dirty || !c.event.series) continue;
      c.dirty = false;
      this.enqueue({ ...c.event });
    }
  }

  /** Series without a repeat for finishMs are written a last time and forgotten; so are single events that old. */
  finishSeries(): void {
    const cutoff = this.now() - (this.opts.finishMs ?? 6 * 60_000);
    for (const [key, c] of this.cache) {
      if (c.lastObserved >= cutoff) continue;
      if (c.dirty && c.event.series) this.enqueue({ ...c.event });
      this.cache.delete(key);
    }
  }

  /** Resolves when every queued event has been written (or given up on). */
  flush(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops accepting events and waits for the queued ones. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.timers.forEach(clearInterval);
    await this.flush();
  }

  /** Isomorphic events remembered (for series). */
  get cached(): number { return this.cache.size; }
}

export class EventRecorderV1 {
  constructor(private readonly b: EventBroadcasterV1, readonly reportingController: string, readonly reportingInstance: string) {}

  /** Records an event about `regarding` (and optionally `related`); returns at once. */
  eventf(regarding: KubeObject | ObjectReference, related: KubeObject | ObjectReference | undefined, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    const ref = referenceTo(regarding);
    const now = new Date();
    const namespace = ref.namespace || 'default';
    this.b.record({
      apiVersion: 'events.k8s.io/v1', kind: 'Event',
      // client-go names events REGARDING.<unix nanoseconds in hex>.
      metadata: { name: `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`, namespace },
      eventTime: formatMicroTime(now),
      reportingController: this.reportingController, reportingInstance: this.reportingInstance,
      action, reason, regarding: ref, related: related ? referenceTo(related) : undefined, note: truncateNote(note), type,
    });
  }
}

/** Notes longer than the API allows end in " ..." (upstream's truncateMessage). */
export function truncateNote(note: string, limit = NOTE_LENGTH_LIMIT): string {
  if (Buffer.byteLength(note) <= limit) return note;
  let cut = note.slice(0, limit - 4);
  while (Buffer.byteLength(cut) > limit - 4) cut = cut.slice(0, -1);
  return `${cut} ...`;
}

function isomorphicKey(ev: EventV1): string {
  const r = (o?: ObjectReference) => (o ? [o.kind, o.namespace, o.name, o.uid, o.apiVersion, o.resourceVersion, o.fieldPath].join('\u0001') : '');
  return [ev.action, ev.reason, ev.reportingController, r(ev.regarding), r(ev.related)].join('\u0000');
}
