// The last events (etcd keeps 1000) that a watch with an old waitIndex is answered from.
// Asking for an index older than the oldest kept event is error 401 (event index cleared).
import { Ecode, V2Error } from './v2-error.js';
import type { V2Event } from './v2-event.js';

export const HISTORY_CAPACITY = 1000;

export class V2EventHistory {
  private events: V2Event[] = [];

  /** @param startIndex the oldest index a watch may ask for while the history is empty */
  constructor(
    private startIndex: number,
    private readonly capacity = HISTORY_CAPACITY,
  ) {}

  add(e: V2Event): void {
    this.events.push(e);
    if (this.events.length > this.capacity) this.events.shift();
    this.startIndex = this.events[0].index;
  }

  /** The first event at or after `index` that a watch on `key` would see, or undefined. */
  scan(key: string, recursive: boolean, index: number, storeIndex: number): V2Event | undefined {
    if (index < this.startIndex) {
      throw new V2Error(Ecode.EventIndexCleared, `the requested history has been cleared [${this.startIndex}/${index}]`, storeIndex);
    }
    const prefix = key.endsWith('/') ? key : key + '/';
    for (const e of this.events) {
      if (e.index < index) continue;
      let ok = e.key === key || (recursive && e.key.startsWith(prefix));
      // deleting or expiring a directory ends the watches on keys inside it
      if ((e.action === 'delete' || e.action === 'expire') && e.prevDir) ok = ok || key.startsWith(e.key);
      if (ok) return e;
    }
    return undefined;
  }
}
