// The loop every controller runs: wait for its informers to sync, then `workers` workers
// take keys from a rate-limited queue and reconcile them. A reconcile may ask to be run
// again after some time (status that depends on the clock: minReadySeconds, deadlines).
import { WorkQueue, runWorkers, type SharedInformer } from '../../client/index.js';
import type { ControllerContext } from '../manager/controller.js';

export type SyncResult = void | { requeueAfterMs?: number };

export class KeyedLoop {
  readonly queue: WorkQueue<string>;

  constructor(private readonly ctx: ControllerContext, readonly name: string, private readonly workers: number, private readonly sync: (key: string) => Promise<SyncResult>) {
    this.queue = new WorkQueue<string>(undefined, name);
    ctx.metrics.trackQueue(name, () => this.queue.len());
  }

  add = (key: string): void => this.queue.add(key);
  addAfter = (key: string, ms: number): void => this.queue.addAfter(key, ms);

  async run(signal: AbortSignal, informers: SharedInformer<any>[]): Promise<void> {
    const onAbort = () => this.queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(informers.map((i) => i.waitForSync(signal)));
    } catch {
      return;
    }
    if (signal.aborted) return;
    const { metrics } = this.ctx;
    await runWorkers(this.queue, this.workers, async (key) => {
      const end = metrics.syncSeconds.startTimer({ controller: this.name });
      try {
        const r = await this.sync(key);
        metrics.syncs.inc({ controller: this.name, result: 'success' });
        if (r && r.requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(1, r.requeueAfterMs));
      } catch (err) {
        metrics.syncs.inc({ controller: this.name, result: 'error' });
        throw err;
      } finally {
        end();
      }
    }, { log: (m) => this.ctx.log(m) });
  }
}
