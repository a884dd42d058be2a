// The Job controller: runs pods until spec.completions succeed (or, without completions,
// until one succeeds and the rest finish), at most spec.parallelism at once; Indexed jobs
// give each pod a completion index. A Job fails when failures exceed backoffLimit, when
// activeDeadlineSeconds passes, or when a podFailurePolicy FailJob rule matches. Failed
// pods are replaced after upstream's exponential backoff (10 s doubling, at most 6 min).
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { JOBS, PODS, deletedObject, objectKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { claimObjects, controllerRef } from '../util/controller-ref.js';
import { addControllerUIDIndex, ownedOrOrphaned } from '../util/controller-uid-index.js';
import { Expectations } from '../util/expectations.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { PodControl, podFromTemplate } from '../util/pod-control.js';
import { deletionOrder, isActive, isReady } from '../util/pod-state.js';
import { statusEqual } from '../util/status-equal.js';
import { formatIndexes } from './completed-indexes.js';
import { evaluate } from './pod-failure-policy.js';

export const NAME = 'job';
export const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;
const now3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const isFinished = (j: Job): boolean => (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const indexOf = (p: Pod): number | undefined => {
  const v = p.metadata?.annotations?.[INDEX_KEY] ?? p.metadata?.labels?.[INDEX_KEY];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};
const finishedAt = (p: Pod): number => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => Date.parse(c.state?.terminated?.finishedAt ?? '') || 0));

export class JobController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  private readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.jobs = ctx.informers.forResource(JOBS);
    this.pods = ctx.informers.forResource(PODS);
    addControllerUIDIndex(this.pods);
    this.recorder = ctx.recorder('job-controller');
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'job'), (k) => this.sync(k));
    this.jobs.addEventHandler({ onAdd: (j) => this.loop.add(objectKey(j)), onUpdate: (_, j) => this.loop.add(objectKey(j)), onDelete: (j) => { const k = objectKey(deletedObject(j)); this.expectations.delete(k); } });
    this.pods.addEventHandler({
      onAdd: (p) => { const k = this.ownerKey(p); if (k) { this.expectations.creationObserved(k); this.loop.add(k); } },
      onUpdate: (_, p) => { const k = this.ownerKey(p); if (k) this.loop.add(k); },
      onDelete: (p) => { const pod = deletedObject(p); const k = this.ownerKey(pod); if (k) { this.expectations.deletionObserved(k, objectKey(pod)); this.loop.add(k); } },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.jobs, this.pods]);
  }

  private ownerKey(p: Pod): string | undefined {
    const ref = controllerRef(p);
    if (ref?.kind !== 'Job') return undefined;
    const j = this.jobs.lister.get(`${p.metadata!.namespace}/${ref.name}`);
    return j?.metadata?.uid === ref.uid ? objectKey(j) : undefined;
  }

  private async sync(key: string): Promise<SyncResult> {
    const job = this.jobs.lister.get(key);
    if (!job || isFinished(job)) return;
    const ns = job.metadata!.namespace!;
    const spec = job.spec!;
    const pods = await claimObjects(ownedOrOrphaned(this.pods, job), { owner: job, client: this.ctx.client.resource(PODS), matches: (p) => specMatchesLabels(spec.selector, p.metadata?.labels) });
    const now = Date.now();
    const status: JobStatus = structuredClone(job.status ?? {});
    const conditions: JobCondition[] = status.conditions ?? [];
    if (!status.startTime && !spec.suspend) status.startTime = now3339();
    const active = pods.filter(isActive);
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    let failJob: { reason: string; message: string } | undefined;
    let counted = 0;
    for (const p of failedPods) {
      const v = evaluate(job, p);
      if (v.action === 'FailJob') failJob ??= { reason: 'PodFailurePolicy', message: v.message };
      if (v.action !== 'Ignore') counted++;
    }
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions;
    const succeededIdx = new Set(succeededPods.map(indexOf).filter((i): i is number => i !== undefined && completions !== undefined && completions !== null && i < completions));
    status.succeeded = indexed ? succeededIdx.size : succeededPods.length;
    status.failed = counted;
    if (indexed) status.completedIndexes = formatIndexes(succeededIdx);
    if (!failJob && counted > (spec.backoffLimit ?? 6)) failJob = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    const deadline = spec.activeDeadlineSeconds && status.startTime ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
    if (!failJob && deadline !== undefined && now >= deadline) failJob = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

    const setCond = (type: string, reason: string, message: string) => {
      const i = conditions.findIndex((c) => c.type === type);
      const c: JobCondition = { type, status: 'True', reason, message, lastProbeTime: now3339(), lastTransitionTime: now3339() };
      if (i >= 0) conditions[i] = c; else conditions.push(c);
    };
    let requeue: number | undefined;
    const done = indexed ? succeededIdx.size >= (completions ?? 0)
      : completions === undefined || completions === null ? succeededPods.length > 0 && active.length === 0 : succeededPods.length >= completions;
    if (failJob) {
      await this.deletePods(job, active);
      setCond('FailureTarget', failJob.reason, failJob.message);
      setCond('Failed', failJob.reason, failJob.message);
      this.recorder.event(job, 'Warning', failJob.reason, failJob.message);
    } else if (done) {
      if (completions !== undefined && completions !== null) await this.deletePods(job, active);
      setCond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
      setCond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
      status.completionTime = now3339();
      this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else if (spec.suspend) {
      await this.deletePods(job, active);
      if (!conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
        setCond('Suspended', 'JobSuspended', 'Job suspended');
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      const wasSuspended = conditions.findIndex((c) => c.type === 'Suspended' && c.status === 'True');
      if (wasSuspended >= 0) {
        conditions[wasSuspended] = { ...conditions[wasSuspended], status: 'False', reason: 'JobResumed', message: 'Job resumed', lastTransitionTime: now3339() };
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      if (this.expectations.satisfied(key)) requeue = await this.manage(job, active, succeededPods, succeededIdx, failedPods, counted, now);
    }
    const activeNow = failJob || done || spec.suspend ? 0 : active.length;
    status.active = activeNow;
    status.ready = active.filter(isReady).length;
    status.terminating = pods.filter((p) => p.metadata?.deletionTimestamp && !(p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')).length;
    status.conditions = conditions.length ? conditions : undefined;
    if (!statusEqual(status, job.status)) await this.ctx.client.resource(JOBS).updateStatus(ns, { ...job, status });
    if (deadline !== undefined && !failJob && !done) requeue = Math.min(requeue ?? Infinity, deadline - now + 50);
    return requeue !== undefined && Number.isFinite(requeue) ? { requeueAfterMs: Math.max(50, requeue) } : undefined;
  }

  private async deletePods(job: Job, pods: Pod[]): Promise<void> {
    if (!pods.length) return;
    this.expectations.expectDeletions(objectKey(job), pods.map((p) => objectKey(p)));
    await Promise.all(pods.map((p) => this.podControl.delete(job, p).catch(() => this.expectations.deletionObserved(objectKey(job), objectKey(p)))));
  }

  /** Creates or deletes pods toward the wanted active count; returns a backoff wait if one applies. */
  private async manage(job: Job, active: Pod[], succeeded: Pod[], succeededIdx: Set<number>, failed: Pod[], counted: number, now: number): Promise<number | undefined> {
    const spec = job.spec!;
    const key = objectKey(job);
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions;
    let want: number;
    let indexes: number[] = [];
    if (spec.completionMode === 'Indexed') {
      const busy = new Set(active.map(indexOf));
      const pending = Array.from({ length: completions ?? 0 }, (_, i) => i).filter((i) => !succeededIdx.has(i));
      want = Math.min(parallelism, pending.length);
      indexes = pending.filter((i) => !busy.has(i));
    } else if (completions === undefined || completions === null) {
      want = succeeded.length > 0 ? 0 : parallelism;
    } else {
      want = Math.min(parallelism, completions - succeeded.length);
    }
    if (active.length > want) {
      await this.deletePods(job, [...active].sort(deletionOrder).slice(0, active.length - want));
      return undefined;
    }
    let n = want - active.length;
    if (n <= 0) return undefined;
    if (counted > 0) {
      const last = Math.max(0, ...failed.map(finishedAt));
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (counted - 1));
      if (last + backoff > now) return last + backoff - now;
    }
    if (spec.completionMode === 'Indexed') n = Math.min(n, indexes.length);
    this.expectations.expectCreations(key, n);
    let made = 0;
    try {
      for (let i = 0; i < n; i++) {
        await this.podControl.create(job, this.podFor(job, spec.completionMode === 'Indexed' ? indexes[i] : undefined));
        made++;
      }
    } finally {
      for (let i = made; i < n; i++) this.expectations.creationObserved(key);
    }
    return undefined;
  }

  private podFor(job: Job, index: number | undefined): Pod {
    const name = job.metadata!.name!;
    if (index === undefined) return podFromTemplate(job.spec!.template, job, `${name}-`);
    const idx = String(index);
    const pod = podFromTemplate(job.spec!.template, job, `${name}-${idx}-`, { labels: { [INDEX_KEY]: idx }, annotations: { [INDEX_KEY]: idx } });
    pod.spec!.hostname ??= `${name}-${idx}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${INDEX_KEY}']` } } };
    for (const c of [...(pod.spec!.containers ?? []), ...(pod.spec!.initContainers ?? [])]) c.env = [...(c.env ?? []).filter((e) => e.name !== env.name), env];
    return pod;
  }
}

export const newJobController = (ctx: ControllerContext): Controller => new JobController(ctx);
