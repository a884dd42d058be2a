// client-go's EventCorrelator for core/v1 Events, before they reach the API server:
// - the spam filter: a token bucket per source and involved object (burst 25, one more
//   token every 5 minutes); an event without a token is dropped;
// - the aggregator: once 10 events of the same source, object, type and reason but
//   different messages came within 10 minutes, the next ones become a single
//   "(combined from similar events): …" event, whose repeats are counted, not created.
// What remains identical (same message too) is the recorder's dedup: a count PATCH.
import type { Event } from 'kubernetes-types/core/v1.js';

export const SPAM_BURST = 25;
export const SPAM_REFILL_MS = 300_000;
export const MAX_SIMILAR = 10;
export const AGGREGATE_WINDOW_MS = 600_000;
const CACHE_SIZE = 4096;

/** A least-recently-used map of at most CACHE_SIZE entries (client-go's lru caches). */
class Lru<V> {
  private readonly m = new Map<string, V>();
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > CACHE_SIZE) this.m.delete(this.m.keys().next().value!);
  }
}

const ref = (ev: Event) => {
  const o = ev.involvedObject;
  return [ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
};

export class EventCorrelator {
  private readonly buckets = new Lru<{ tokens: number; at: number }>();
  private readonly similar = new Lru<{ messages: Set<string>; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The event to record (possibly the aggregate in its place) with the key its repeats are
   * counted under (for an aggregate: its kind, whatever the message), or undefined when the
   * spam filter drops it.
   */
  correlate(ev: Event): { event: Event; key?: string } | undefined {
    const out = this.aggregate(ev);
    return this.allow(out.event) ? out : undefined;
  }

  private aggregate(ev: Event): { event: Event; key?: string } {
    const key = [...ref(ev), ev.type, ev.reason, ev.reportingComponent, ev.reportingInstance].join('\u0000');
    const t = this.now();
    let rec = this.similar.get(key);
    if (!rec || t - rec.last > AGGREGATE_WINDOW_MS) rec = { messages: new Set(), last: t };
    rec.messages.add(ev.message ?? '');
    rec.last = t;
    this.similar.set(key, rec);
    if (rec.messages.size < MAX_SIMILAR) return { event: ev };
    // Keep the set at the threshold, as client-go pops one.
    rec.messages.delete(rec.messages.values().next().value!);
    // One message for every further event of this kind: the recorder's dedup counts them on one Event.
    return { event: { ...ev, message: `(combined from similar events): ${ev.message ?? ''}` }, key };
  }

  private allow(ev: Event): boolean {
    const key = ref(ev).join('\u0000');
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: SPAM_BURST, at: t };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (t - b.at) / SPAM_REFILL_MS);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    return ok;
  }
}
