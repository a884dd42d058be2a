// A live copy of every object under one etcd prefix (list, then watch from the list's
// revision), so authorization never reads the store on the request path.
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { decode, type ObjectStore } from '../../storage/object-store.js';

export class ObjectCache {
  readonly objects = new Map<string, KubeObject>();
  private stopWatch = () => {};
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private listeners: Array<() => void> = [];

  constructor(private readonly store: ObjectStore, readonly prefix: string) {}

  onChange(fn: () => void): void { this.listeners.push(fn); }

  async start(): Promise<void> {
    const objects = new Map<string, KubeObject>();
    let start = '';
    let revision = 0;
    for (;;) {
      const page = await this.store.list(this.prefix, { revision, startKey: start || undefined, limit: 500 });
      revision ||= page.revision;
      for (const s of page.items) objects.set(s.key, s.obj);
      if (!page.more || !page.items.length) break;
      start = page.items[page.items.length - 1].key + '\u0000';
    }
    this.objects.clear();
    for (const [k, v] of objects) this.objects.set(k, v);
    this.changed();
    this.stopWatch = this.store.watch(this.prefix, revision + 1, (events) => {
      for (const ev of events) {
        const key = ev.kv.key.toString('utf8');
        if (ev.type === 'DELETE') this.objects.delete(key);
        else {
          try { this.objects.set(key, decode(ev.kv).obj); } catch { this.objects.delete(key); }
        }
      }
      this.changed();
    }, () => this.restartLater());
  }

  private changed(): void { for (const fn of this.listeners) fn(); }

  private restartLater(): void {
    this.stopWatch();
    if (this.stopped) return;
    this.retry = setTimeout(() => { this.start().catch(() => this.restartLater()); }, 1000);
  }

  values(): KubeObject[] { return [...this.objects.values()]; }

  stop(): void { this.stopped = true; clearTimeout(this.retry); this.stopWatch(); }
}
