// ttl-after-finished: a finished Job with spec.ttlSecondsAfterFinished is deleted (in the
// foreground, so its pods go first) that many seconds after it completed or failed.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { JOBS, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { isFinished } from '../job/job-controller.js';

export const NAME = 'ttl-after-finished';

export function finishTime(j: Job): number | undefined {
  const c = (j.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  const t = Date.parse(c?.lastTransitionTime ?? j.status?.completionTime ?? '');
  return Number.isFinite(t) ? t : undefined;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly jobs: SharedInformer<Job>;

  constructor(private readonly ctx: ControllerContext) {
    this.jobs = ctx.informers.forResource(JOBS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'ttl-after-finished'), (k) => this.sync(k));
    const add = (j: Job) => { if (j.spec?.ttlSecondsAfterFinished !== undefined && !j.metadata?.deletionTimestamp && isFinished(j)) this.loop.add(objectKey(j)); };
    this.jobs.addEventHandler({ onAdd: add, onUpdate: (_, j) => add(j) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.jobs]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const j = this.jobs.lister.get(key);
    if (!j || j.metadata?.deletionTimestamp || j.spec?.ttlSecondsAfterFinished === undefined || !isFinished(j)) return;
    const at = (finishTime(j) ?? Date.now()) + j.spec.ttlSecondsAfterFinished * 1000;
    const wait = at - Date.now();
    if (wait > 0) return { requeueAfterMs: wait + 10 };
    try {
      // The uid and resourceVersion preconditions make sure the TTL we judged is still the one set.
      await this.ctx.client.resource(JOBS).delete(j.metadata!.namespace!, j.metadata!.name!, { propagationPolicy: 'Foreground', preconditions: { uid: j.metadata!.uid, resourceVersion: j.metadata!.resourceVersion } });
      this.ctx.log(`ttl-after-finished: deleted job ${key}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export const newTTLAfterFinishedController = (ctx: ControllerContext): Controller => new TTLAfterFinishedController(ctx);
