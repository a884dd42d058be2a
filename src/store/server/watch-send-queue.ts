// The send side of one Watch stream. grpc-js hands a stream's messages to HTTP/2 one at a
// time, the next only once the previous one's write has completed — about one message per
// event-loop turn. When the loop is busy (the API server, its clients and this store in one
// process: upstream scheduler_perf's setup), a turn serves hundreds of writes, each a
// revision with its own watch message, so watchers fell thousands of revisions behind while
// the messages waited in grpc-js's buffer. Here at most one message is in flight; events that
// arrive meanwhile for a watcher are merged into its message still waiting to go, so one
// message carries every revision of the turn — as etcd itself sends a catching-up watcher
// the events of many revisions in one response. Messages keep their order per watcher.
import type { Wire } from './wire.js';

/** etcd's watchBatchMaxRevs bounds a catch-up response; events per merged message stay under it. */
const MAX_MERGED_EVENTS = 1000;
/** Keeps a merged message well under the stream's fragment limit (values' bytes counted). */
const MAX_MERGED_BYTES = 1 << 20;

interface Pending { resp: Wire; bytes: number; open: boolean }

export class WatchSendQueue {
  private readonly queue: Pending[] = [];
  /** Per watch id, its queued events message that more events may still join. */
  private readonly openFor = new Map<string, Pending>();
  private inFlight = false;

  /** write: sends one message and calls done once it has been handed to HTTP/2. */
  constructor(private readonly write: (resp: Wire, done: () => void) => void) {}

  /** Queues a message with events of one watcher (merged into that watcher's waiting one when it can). */
  events(resp: Wire): void {
    const id = String(resp.watch_id);
    const bytes = eventBytes(resp.events);
    const open = this.openFor.get(id);
    if (open && open.open && open.resp.events.length + resp.events.length <= MAX_MERGED_EVENTS && open.bytes + bytes <= MAX_MERGED_BYTES) {
      open.resp = { ...open.resp, header: resp.header, events: open.resp.events.concat(resp.events) };
      open.bytes += bytes;
      return;
    }
    const p: Pending = { resp, bytes, open: true };
    this.openFor.set(id, p);
    this.push(p);
  }

  /** Queues any other message (created, canceled, progress): later events of its watcher go after it. */
  other(resp: Wire): void {
    const id = String(resp.watch_id);
    const open = this.openFor.get(id);
    if (open) { open.open = false; this.openFor.delete(id); }
    this.push({ resp, bytes: 0, open: false });
  }

  private push(p: Pending): void {
    this.queue.push(p);
    if (!this.inFlight) this.next();
  }

  private next(): void {
    const p = this.queue.shift();
    if (!p) return;
    if (p.open) {
      p.open = false;
      const id = String(p.resp.watch_id);
      if (this.openFor.get(id) === p) this.openFor.delete(id);
    }
    this.inFlight = true;
    this.write(p.resp, () => {
      this.inFlight = false;
      this.next();
    });
  }

  /** Messages waiting (not counting the one in flight). */
  get waiting(): number { return this.queue.length; }
}

function eventBytes(events: Wire[]): number {
  let n = 0;
  for (const e of events) n += 64 + (e.kv?.key?.length ?? 0) + (e.kv?.value?.length ?? 0) + (e.prev_kv?.value?.length ?? 0);
  return n;
}
