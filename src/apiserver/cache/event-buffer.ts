// The watch cache's ring of recent events: a fixed number of the newest events of one
// resource, oldest first, so a watch can resume from any revision still inside it.
import type { KubeObject } from '../../api/resources/resource-def.js';
import type { CachedObject } from '../storage/object-json.js';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, holding the objects as their JSON (parsed on first use, shared by all readers). */
export class CacheEvent {
  constructor(
    readonly type: CacheEventType,
    readonly key: string,
    /** The object after the event; for DELETED the last state, with the deletion's resourceVersion. */
    readonly entry: CachedObject,
    /** The object before the event (undefined for ADDED). */
    readonly prevEntry: CachedObject | undefined,
    readonly revision: number,
  ) {}

  get obj(): KubeObject { return this.entry.obj; }
  get prev(): KubeObject | undefined { return this.prevEntry?.obj; }
  /** The object's JSON, made once and shared by every watcher that sends it unchanged. */
  get json(): string { return this.entry.json; }

  private lines?: Map<string, Buffer>;
  /** The watch line `{"type":…,"object":…}\n` as UTF-8, encoded once per type for every plain watcher. */
  line(type: string): Buffer {
    this.lines ??= new Map();
    let b = this.lines.get(type);
    if (!b) this.lines.set(type, b = Buffer.from(`{"type":"${type}","object":${this.entry.json}}\n`));
    return b;
  }
}

export class EventBuffer {
  private readonly ring: (CacheEvent | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(Math.max(1, capacity));
  }

  get size(): number { return this.count; }

  /** Appends, returning the event pushed out when full. */
  push(ev: CacheEvent): CacheEvent | undefined {
    const cap = this.ring.length;
    if (this.count < cap) {
      this.ring[(this.start + this.count) % cap] = ev;
      this.count++;
      return undefined;
    }
    const evicted = this.ring[this.start];
    this.ring[this.start] = ev;
    this.start = (this.start + 1) % cap;
    return evicted;
  }

  /** Events with revision > after, oldest first. */
  since(after: number): CacheEvent[] {
    const cap = this.ring.length;
    // Binary search over the ring's logical order: revisions only grow.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.start + mid) % cap]!.revision <= after) lo = mid + 1; else hi = mid;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.count; i++) out.push(this.ring[(this.start + i) % cap]!);
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}
