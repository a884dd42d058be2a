// The CronJob controller (upstream's v2): at each scheduled time it creates a Job from the
// template named NAME-<minutes since epoch>, honouring suspend, startingDeadlineSeconds,
// concurrencyPolicy (Allow, Forbid, Replace) and the history limits, keeping status.active,
// lastScheduleTime and lastSuccessfulTime, and waking up at the next scheduled time.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { CRONJOBS, JOBS, deletedObject, isAlreadyExists, isNotFound, objectKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { controllerRef, newControllerRef } from '../util/controller-ref.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { statusEqual } from '../util/status-equal.js';
import { isFinished } from '../job/job-controller.js';
import { nextAfter, parseSchedule } from './cron-schedule.js';

export const NAME = 'cronjob';
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const jobFailed = (j: Job) => (j.status?.conditions ?? []).some((c) => c.type === 'Failed' && c.status === 'True');

export class CronJobController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly cronjobs: SharedInformer<CronJob>;
  private readonly jobs: SharedInformer<Job>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.cronjobs = ctx.informers.forResource(CRONJOBS);
    this.jobs = ctx.informers.forResource(JOBS);
    this.recorder = ctx.recorder('cronjob-controller');
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'cron-job'), (k) => this.sync(k));
    this.cronjobs.addEventHandler({ onAdd: (c) => this.loop.add(objectKey(c)), onUpdate: (_, c) => this.loop.add(objectKey(c)) });
    const job = (j: Job) => { const r = controllerRef(j); if (r?.kind === 'CronJob') this.loop.add(`${j.metadata!.namespace}/${r.name}`); };
    this.jobs.addEventHandler({ onAdd: job, onUpdate: (_, j) => job(j), onDelete: (j) => job(deletedObject(j)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.cronjobs, this.jobs]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const cj = this.cronjobs.lister.get(key);
    if (!cj || cj.metadata?.deletionTimestamp) return;
    const ns = cj.metadata!.namespace!;
    const spec = cj.spec!;
    const status = structuredClone(cj.status ?? {});
    const owned = this.jobs.lister.namespace(ns).list().filter((j) => controllerRef(j)?.uid === cj.metadata!.uid);
    // Track active jobs; note finished ones.
    const active: ObjectReference[] = [];
    for (const j of owned) {
      if (!isFinished(j)) { active.push({ kind: 'Job', namespace: ns, name: j.metadata!.name, uid: j.metadata!.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata!.resourceVersion }); continue; }
      const wasActive = (status.active ?? []).some((a) => a.uid === j.metadata!.uid);
      if (wasActive) this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata!.name}, condition: ${jobFailed(j) ? 'Failed' : 'Complete'}`);
      if (!jobFailed(j) && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = j.status.completionTime;
    }
    status.active = active;
    await this.cleanupHistory(cj, owned);

    let sched;
    try {
      sched = parseSchedule(spec.schedule, spec.timeZone ?? undefined);
    } catch (err) {
      this.recorder.event(cj, 'Warning', spec.timeZone && err instanceof RangeError ? 'UnknownTimeZone' : 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(err as Error).message}`);
      await this.writeStatus(cj, status);
      return;
    }
    const now = Date.now();
    let requeue: number | undefined;
    if (!spec.suspend) {
      // The most recent missed time since the last run (or creation), counting missed runs like upstream.
      const earliest = Date.parse(status.lastScheduleTime ?? cj.metadata!.creationTimestamp!);
      const from = spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null ? Math.max(earliest, now - spec.startingDeadlineSeconds * 1000) : earliest;
      let t = nextAfter(sched, from);
      let missed: number | undefined;
      let count = 0;
      while (t !== undefined && t <= now) { missed = t; count++; if (count > 100) break; t = nextAfter(sched, t); }
      if (count > 100) this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      if (missed !== undefined) await this.runAt(cj, missed, status, active, now);
      const next = nextAfter(sched, now);
      if (next !== undefined) requeue = next - now + 100;
    }
    await this.writeStatus(cj, status);
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  }

  private async runAt(cj: CronJob, at: number, status: NonNullable<CronJob['status']>, active: ObjectReference[], now: number): Promise<void> {
    const spec = cj.spec!;
    const ns = cj.metadata!.namespace!;
    const name = `${cj.metadata!.name}-${Math.floor(at / 60_000)}`;
    if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && at + spec.startingDeadlineSeconds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${iso(at)}`);
      return;
    }
    if (active.some((a) => a.name === name) || this.jobs.lister.get(`${ns}/${name}`)) return; // already ran this one
    if (spec.concurrencyPolicy === 'Forbid' && active.length) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return;
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const a of active.splice(0)) {
        try {
          await this.ctx.client.resource(JOBS).delete(ns, a.name!, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${a.name}`);
        } catch (err) { if (!isNotFound(err)) throw err; }
      }
    }
    const tpl = spec.jobTemplate;
    const job: Job = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name, namespace: ns, labels: { ...(tpl.metadata?.labels ?? {}) },
        annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: iso(at) },
        ownerReferences: [newControllerRef(cj)],
      },
      spec: structuredClone(tpl.spec),
    };
    try {
      const created = await this.ctx.client.resource(JOBS).create(ns, job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      active.push({ kind: 'Job', namespace: ns, name, uid: created.metadata!.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata!.resourceVersion });
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
    }
    status.lastScheduleTime = iso(at);
  }

  private async cleanupHistory(cj: CronJob, owned: Job[]): Promise<void> {
    const finished = owned.filter(isFinished).sort((a, b) => Date.parse(a.status?.startTime ?? a.metadata!.creationTimestamp!) - Date.parse(b.status?.startTime ?? b.metadata!.creationTimestamp!));
    const ok = finished.filter((j) => !jobFailed(j));
    const bad = finished.filter(jobFailed);
    const limits: [Job[], number | undefined][] = [[ok, cj.spec!.successfulJobsHistoryLimit ?? 3], [bad, cj.spec!.failedJobsHistoryLimit ?? 1]];
    for (const [jobs, limit] of limits) {
      if (limit === undefined || jobs.length <= limit) continue;
      for (const j of jobs.slice(0, jobs.length - limit)) {
        if (j.metadata?.deletionTimestamp) continue;
        try {
          await this.ctx.client.resource(JOBS).delete(j.metadata!.namespace!, j.metadata!.name!, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata!.name}`);
        } catch (err) { if (!isNotFound(err)) throw err; }
      }
    }
  }

  private async writeStatus(cj: CronJob, status: NonNullable<CronJob['status']>): Promise<void> {
    const clean = (s: any) => ({ ...s, active: (s.active ?? []).map((a: ObjectReference) => a.uid).sort() });
    if (statusEqual(clean(status), clean(cj.status ?? {}))) return;
    if (!status.active?.length) delete status.active;
    await this.ctx.client.resource(CRONJOBS).updateStatus(cj.metadata!.namespace!, { ...cj, status });
  }
}

export const newCronJobController = (ctx: ControllerContext): Controller => new CronJobController(ctx);
