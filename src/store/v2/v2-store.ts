// The v2 keyspace of `tskube etcd`: the in-memory tree, its durable copy, TTL expiry and
// watchers. Every write is applied to the tree at once (so the next request sees it and
// indexes stay in order), committed to disk, and only then acknowledged and shown to
// watchers. Reads wait for the writes they observed to be durable before answering.
import { V2Backend } from './v2-backend.js';
import { V2Error } from './v2-error.js';
import type { V2Event } from './v2-event.js';
import { V2Stats } from './v2-stats.js';
import { cleanPath, V2Tree, type V2Change } from './v2-tree.js';
import { V2WatcherHub, type V2Watcher } from './v2-watcher-hub.js';

/** etcd's leader checks for expired keys on each SYNC, every 500 ms. */
const EXPIRY_TICK_MS = 500;

export interface V2WriteOptions {
  /** absolute expiry in ms since the epoch; undefined: permanent */
  expireTime?: number;
  refresh?: boolean;
}

export class V2Store {
  readonly stats = new V2Stats();
  private tail: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly tree: V2Tree,
    private readonly backend: V2Backend,
    readonly hub: V2WatcherHub,
    private readonly log: (line: string) => void,
    private readonly now: () => number,
  ) {}

  /** Open (or create) the v2 keyspace under <dataDir>/member/v2. */
  static async open(opts: { dataDir: string; log?: (line: string) => void; now?: () => number }): Promise<V2Store> {
    const backend = V2Backend.open(opts.dataDir);
    const tree = new V2Tree();
    const { nodes, index } = backend.load();
    tree.load(nodes, index);
    // history is not kept across restarts: a watch from before it gets 401, as after etcd compacts
    const store = new V2Store(tree, backend, new V2WatcherHub(index + 1), opts.log ?? (() => {}), opts.now ?? Date.now);
    store.schedule();
    return store;
  }

  get index(): number {
    return this.tree.index;
  }

  /** Resolves once every write applied so far is on disk. */
  durable(): Promise<void> {
    return this.tail;
  }

  async get(p: string, recursive: boolean, sorted: boolean): Promise<V2Event> {
    let e: V2Event;
    try {
      e = this.tree.get(p, recursive, sorted, this.now());
      this.stats.count('gets', true);
    } catch (err) {
      this.stats.count('gets', false);
      throw err;
    }
    await this.tail;
    return e;
  }

  set(p: string, dir: boolean, value: string, o: V2WriteOptions = {}): Promise<V2Event> {
    return this.write('sets', () => this.tree.set(p, dir, value, o.expireTime, !!o.refresh, this.now()));
  }

  create(p: string, dir: boolean, value: string, unique: boolean, o: V2WriteOptions = {}): Promise<V2Event> {
    return this.write('create', () => this.tree.create(p, dir, value, unique, o.expireTime, this.now()));
  }

  update(p: string, value: string, o: V2WriteOptions = {}): Promise<V2Event> {
    return this.write('update', () => this.tree.update(p, value, o.expireTime, !!o.refresh, this.now()));
  }

  compareAndSwap(p: string, prevValue: string, prevIndex: number, value: string, o: V2WriteOptions = {}): Promise<V2Event> {
    return this.write('compareAndSwap', () => this.tree.compareAndSwap(p, prevValue, prevIndex, value, o.expireTime, !!o.refresh, this.now()));
  }

  delete(p: string, dir: boolean, recursive: boolean): Promise<V2Event> {
    return this.write('delete', () => this.tree.delete(p, dir, recursive, this.now()));
  }

  compareAndDelete(p: string, prevValue: string, prevIndex: number): Promise<V2Event> {
    return this.write('compareAndDelete', () => this.tree.compareAndDelete(p, prevValue, prevIndex, this.now()));
  }

  /** Watch a key (or a subtree); sinceIndex 0 means from the next change. Throws 401 if too old. */
  watch(p: string, recursive: boolean, stream: boolean, sinceIndex: number): V2Watcher {
    const since = sinceIndex === 0 ? this.tree.index + 1 : sinceIndex;
    return this.hub.watch(cleanPath(p), recursive, stream, since, this.tree.index);
  }

  private async write(op: Parameters<V2Stats['count']>[0], apply: () => V2Change): Promise<V2Event> {
    if (this.closed) throw new V2Error(300, 'store is closed', this.tree.index);
    let c: V2Change;
    try {
      c = apply();
      this.stats.count(op, true);
    } catch (err) {
      this.stats.count(op, false);
      throw err;
    }
    await this.persist(c);
    this.schedule();
    return c.event;
  }

  /** Commit in apply order; watchers see the change only after it is durable. */
  private persist(c: V2Change): Promise<void> {
    const index = this.tree.index;
    const commit = this.backend.commit(index, c.puts, c.dels);
    const done = this.tail.then(() => commit).then(() => this.hub.notify(c.event, c.dels));
    // a failed commit must not wedge later writes; the failing request still sees its error
    this.tail = done.catch((err) => this.log(`etcd v2: commit of index ${index} failed: ${String(err)}`));
    return done;
  }

  /** Keep a tick running while any key has a TTL. */
  private schedule(): void {
    if (this.timer || this.closed || this.tree.ttlNodes.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const c of this.tree.expire(this.now())) {
        this.stats.expireCount++;
        void this.persist(c).catch(() => {});
      }
      this.schedule();
    }, EXPIRY_TICK_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.hub.closeAll();
    await this.tail;
    await this.backend.close();
  }
}
