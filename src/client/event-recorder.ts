// Records core/v1 Events the way client-go's record package does, without ever blocking
// the caller: events go on a bounded in-memory queue that one sender drains. A repeat of
// an event already sent (same source, object, type, reason and message) is not a new Event
// but a PATCH of the first one's count and lastTimestamp — the correlator's dedup; before
// that, client-go's spam filter and aggregation of similar events (event-correlator.ts).
import os from 'node:os';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/resources/resource-def.js';
import { isNotFound } from './api-status-error.js';
import { EventCorrelator } from './event-correlator.js';
import { type Logger, sleep, stderrLogger } from './backoff.js';
import { formatTime } from './micro-time.js';
import { EVENTS } from './resources.js';
import type { RestClient } from './rest-client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. `default-scheduler`, `kubelet`. */
  component: string;
  /** source.host and reportingInstance; the hostname by default. */
  host?: string;
  /** Events waiting to be sent beyond this are dropped (client-go's broadcaster holds 1000). */
  maxQueued?: number;
  log?: Logger;
}

interface Seen { name: string; namespace: string; count: number; firstTimestamp: string }

/** client-go keeps this many distinct events in its dedup cache. */
const CACHE_SIZE = 4096;
const MAX_TRIES = 3;

export class EventRecorder {
  private readonly queue: Array<{ ev: Event; key: string }> = [];
  private readonly correlator = new EventCorrelator();
  private readonly seen = new Map<string, Seen>();
  private sending?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly host: string;
  private readonly log: Logger;
  dropped = 0;
  /** Events the spam filter dropped (more than 25 about one object in a burst). */
  filtered = 0;

  constructor(readonly client: RestClient, readonly opts: EventRecorderOptions) {
    this.host = opts.host ?? os.hostname();
    this.log = opts.log ?? stderrLogger;
  }

  /** Records an event about `obj` (an object or an ObjectReference); returns at once. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    if (this.queue.length >= (this.opts.maxQueued ?? 1000)) {
      this.dropped++;
      return;
    }
    const c = this.correlator.correlate(this.makeEvent(referenceTo(obj), type, reason, message));
    if (!c) { this.filtered++; return; }
    this.queue.push({ ev: c.event, key: c.key ?? dedupKey(c.event) });
    if (!this.sending) this.sending = this.drain();
  }

  /** Resolves when every event recorded so far has been sent (or given up on). */
  flush(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops accepting events and waits for the queued ones. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private makeEvent(ref: ObjectReference, type: EventType, reason: string, message: string): Event {
    const now = new Date();
    const namespace = ref.namespace || 'default';
    return {
      apiVersion: 'v1', kind: 'Event',
      // client-go names events NAME.<unix nanoseconds in hex>.
      metadata: { name: `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`, namespace },
      involvedObject: ref,
      reason, message, type,
      source: { component: this.opts.component, host: this.host },
      firstTimestamp: formatTime(now), lastTimestamp: formatTime(now), count: 1,
      reportingComponent: this.opts.component, reportingInstance: this.host,
    };
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const { ev, key } = this.queue.shift()!;
      for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
        try {
          await this.send(ev, key);
          break;
        } catch (err) {
          if (attempt === MAX_TRIES) this.log(`events: dropping ${ev.involvedObject.kind} ${ev.involvedObject.namespace ?? ''}/${ev.involvedObject.name} ${ev.reason}: ${(err as Error).message}`);
          else await sleep(200 * attempt);
        }
      }
    }
    this.sending = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async send(ev: Event, key: string): Promise<void> {
    const prior = this.seen.get(key);
    const events = this.client.resource(EVENTS);
    if (prior) {
      const count = prior.count + 1;
      try {
        await this.client.writeOnly('PATCH', events.ref(prior.namespace, prior.name), { count, lastTimestamp: ev.lastTimestamp, message: ev.message }, { patchType: 'strategic' });
        prior.count = count;
        this.touch(key, prior);
        return;
      } catch (err) {
        // The first event expired (event TTL): start a new series.
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    // the server keeps the name, namespace, count and firstTimestamp sent: its answer is not read
    await this.client.writeOnly('POST', events.ref(ev.metadata!.namespace!), ev);
    this.touch(key, { name: ev.metadata!.name!, namespace: ev.metadata!.namespace!, count: ev.count ?? 1, firstTimestamp: ev.firstTimestamp! });
  }

  /** LRU: the most recently used series moves to the end; the oldest is evicted. */
  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
  }
}

function dedupKey(ev: Event): string {
  const o = ev.involvedObject;
  return [ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, ev.type, ev.reason, ev.message].join('\u0000');
}

/** An ObjectReference for an object (kind/apiVersion/namespace/name/uid/resourceVersion). */
export function referenceTo(obj: KubeObject | ObjectReference): ObjectReference {
  if (!('metadata' in obj) || !obj.metadata) return obj as ObjectReference;
  const o = obj as KubeObject;
  const ref: ObjectReference = { kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name, uid: o.metadata?.uid, apiVersion: o.apiVersion, resourceVersion: o.metadata?.resourceVersion };
  for (const k of Object.keys(ref) as (keyof ObjectReference)[]) if (ref[k] === undefined) delete ref[k];
  return ref;
}
