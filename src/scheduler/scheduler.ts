// tskube scheduler: watches pods and nodes, keeps the scheduler cache, pops pending pods
// from the queue one at a time, decides synchronously (so the cache is never stale within
// a decision), assumes the pod onto its node, and binds in the background (up to 64
// bindings in flight). Events go through one events.k8s.io broadcaster with a recorder per
// profile, so each profile's events name its schedulerName.
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { CSINode, StorageClass } from 'kubernetes-types/storage/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { RestClient } from '../client/rest-client.js';
import { SharedInformerFactory } from '../client/informer-factory.js';
import type { SharedInformer } from '../client/informer.js';
import { deletedObject } from '../client/informer.js';
import { NAMESPACES, NODES, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODDISRUPTIONBUDGETS, PODS, REPLICASETS, SERVICES, STATEFULSETS } from '../client/resources.js';
import type { ResourceType } from '../client/resource-ref.js';
import { EventBroadcasterV1, type EventRecorderV1, NOTE_LENGTH_LIMIT } from '../client/events-v1-broadcaster.js';
import type { KubeSchedulerConfiguration } from './config/types.js';
import { defaultConfig } from './config/load-config.js';
import { Framework, type FrameworkDeps } from './framework/framework.js';
import { inTreeRegistry, type Registry } from './framework/registry.js';
import { PodInfo, podKey } from './framework/pod-info.js';
import { WILDCARD_EVENTS, clusterEvent } from './framework/cluster-event.js';
import { Code } from './framework/status.js';
import { fitErrorMessage } from './framework/fit-error.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import type { QueuedPod } from './queue/queued-pod.js';
import { Nominator } from './queue/nominator.js';
import { Scheduler1, type Decision } from './schedule-one.js';
import { PLUGIN_METRICS_SAMPLE_PERCENT, SchedulerMetrics } from './metrics.js';
import { ExplainStore, explainNote, summarize } from './explain.js';
import { ApiWriter } from './api-writer.js';
import { nodeUpdateEvents } from './node-events.js';
import { Semaphore } from './util/semaphore.js';
import { jsonEqual } from '../api/json/json-equal.js';

export interface SchedulerOptions {
  client: RestClient;
  /** Client for events (upstream gives events their own client, so they never hold up bindings); `client` when absent. */
  eventClient?: RestClient;
  config?: KubeSchedulerConfiguration;
  registry?: Registry;
  log?: (msg: string) => void;
  /** Verbosity (--v): 2 logs every binding. */
  verbosity?: number;
}

const STORAGECLASSES: ResourceType<StorageClass> = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false };
const CSINODES: ResourceType<CSINode> = { group: 'storage.k8s.io', version: 'v1', resource: 'csinodes', kind: 'CSINode', namespaced: false };

const isAssigned = (p: Pod) => !!p.spec?.nodeName;
const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Cached objects drop metadata.managedFields, which the scheduler never reads (upstream trims them too). */
function trimManagedFields<T extends { metadata?: { managedFields?: unknown } }>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

/**
 * ReplicaSets and StatefulSets indexed by one label their selector requires (the first
 * matchLabels key), or "*" when it requires none: the default spreading constraints look
 * for the sets selecting each pod, and scanning every set of the namespace was 1,000 selector
 * matches per pod at 1,000 ReplicaSets.
 */
const SELECTOR_LABEL = 'selectorLabel';
function selectorLabelIndex(o: { metadata?: { namespace?: string }; spec?: { selector?: { matchLabels?: Record<string, string> } } }): string[] {
  const ns = o.metadata?.namespace ?? '';
  const ml = o.spec?.selector?.matchLabels ?? {};
  const keys = Object.keys(ml).sort();
  return [keys.length ? `${ns}/${keys[0]}=${ml[keys[0]]}` : `${ns}/*`];
}
function selecting<T extends ReplicaSet | StatefulSet>(inf: SharedInformer<T>, ns: string, labels: Record<string, string>): T[] {
  const out = inf.lister.byIndex(SELECTOR_LABEL, `${ns}/*`);
  for (const k in labels) for (const o of inf.lister.byIndex(SELECTOR_LABEL, `${ns}/${k}=${labels[k]}`)) out.push(o);
  return out;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly nominator = new Nominator();
  readonly queue: SchedulingQueue;
  readonly frameworks = new Map<string, Framework>();
  readonly metrics: SchedulerMetrics;
  readonly explain = new ExplainStore(() => this.cache.nodeInfos().map((n) => n.name));
  readonly writer: ApiWriter;
  readonly events: EventBroadcasterV1;
  /** One event recorder per profile (reportingController = its schedulerName). */
  readonly recorders = new Map<string, EventRecorderV1>();
  private readonly factory: SharedInformerFactory;
  private readonly algorithm: Scheduler1;
  private readonly log: (msg: string) => void;
  private readonly v: number;
  private readonly inf: {
    pods: SharedInformer<Pod>; nodes: SharedInformer<Node>; namespaces: SharedInformer<Namespace>; services: SharedInformer<Service>;
    replicaSets: SharedInformer<ReplicaSet>; statefulSets: SharedInformer<StatefulSet>; pdbs: SharedInformer<PodDisruptionBudget>;
    pvcs: SharedInformer<PersistentVolumeClaim>; pvs: SharedInformer<PersistentVolume>; storageClasses: SharedInformer<StorageClass>;
    csiNodes: SharedInformer<CSINode>;
  };
  private stopped = false;
  private loopDone?: Promise<void>;
  private readonly binding = new Set<Promise<void>>();
  /** At most this many bindings in flight (FIFO beyond). */
  private readonly bindSlots = new Semaphore(64);
  /** Scheduled pods counted since start (benchmarks read it). */
  scheduledCount = 0;

  constructor(private readonly opts: SchedulerOptions) {
    const config = opts.config ?? defaultConfig();
    this.log = opts.log ?? ((m) => process.stderr.write(`scheduler: ${m}\n`));
    this.v = opts.verbosity ?? 0;
    this.writer = new ApiWriter(opts.client);
    this.events = new EventBroadcasterV1(opts.eventClient ?? opts.client, { log: (m) => this.log(m) });
    this.factory = new SharedInformerFactory(opts.client, { log: (m: string) => this.log(m) });
    this.inf = {
      pods: this.factory.forResource(PODS, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', transform: trimManagedFields }),
      nodes: this.factory.forResource(NODES, { transform: trimManagedFields }),
      namespaces: this.factory.forResource(NAMESPACES),
      services: this.factory.forResource(SERVICES),
      replicaSets: this.factory.forResource(REPLICASETS, { indexers: { [SELECTOR_LABEL]: selectorLabelIndex } }),
      statefulSets: this.factory.forResource(STATEFULSETS, { indexers: { [SELECTOR_LABEL]: selectorLabelIndex } }),
      pdbs: this.factory.forResource(PODDISRUPTIONBUDGETS),
      pvcs: this.factory.forResource(PERSISTENTVOLUMECLAIMS, { transform: trimManagedFields }),
      pvs: this.factory.forResource(PERSISTENTVOLUMES, { transform: trimManagedFields }),
      storageClasses: this.factory.forResource(STORAGECLASSES),
      csiNodes: this.factory.forResource(CSINODES, { transform: trimManagedFields }),
    };
    const deps: FrameworkDeps = {
      nodeInfos: () => this.cache.nodeInfos(),
      nodeInfo: (n) => this.cache.nodeInfo(n),
      nodesWithImage: (i) => this.cache.nodesWithImage(i),
      nodesWithAffinityPods: () => this.cache.nodesWithAffinityPods(),
      nodesWithRequiredAntiAffinityPods: () => this.cache.nodesWithRequiredAntiAffinityPods(),
      namespaceLabels: (ns) => this.inf.namespaces.lister.get(ns)?.metadata?.labels,
      listers: {
        pdbs: () => this.inf.pdbs.lister.list(),
        services: (ns) => this.inf.services.lister.namespace(ns).list(),
        replicaSets: (ns, labels) => (labels ? selecting(this.inf.replicaSets, ns, labels) : this.inf.replicaSets.lister.namespace(ns).list()),
        statefulSets: (ns, labels) => (labels ? selecting(this.inf.statefulSets, ns, labels) : this.inf.statefulSets.lister.namespace(ns).list()),
        namespace: (n) => this.inf.namespaces.lister.get(n),
        pod: (ns, n) => this.inf.pods.lister.get(`${ns}/${n}`),
        pvc: (ns, n) => this.inf.pvcs.lister.get(`${ns}/${n}`),
        pv: (n) => this.inf.pvs.lister.get(n),
        pvs: () => this.inf.pvs.lister.list(),
        storageClass: (n) => this.inf.storageClasses.lister.get(n),
        csiNode: (n) => this.inf.csiNodes.lister.get(n),
      },
      isPVCUsedByPods: (k) => this.cache.isPVCUsedByPods(k),
      client: this.writer,
      nominatedPodsForNode: (n) => this.nominator.forNode(n),
      event: (profile, regarding, related, type, reason, action, note) => this.recorderFor(profile).eventf(regarding as any, related as any, type, reason, action, note),
    };
    const registry = opts.registry ?? inTreeRegistry();
    this.metrics = new SchedulerMetrics(
      () => this.queue.counts(),
      () => ({ nodes: this.cache.nodeCount, pods: this.cache.podCount }),
    );
    deps.metrics = this.metrics;
    for (const p of config.profiles ?? [{ schedulerName: 'default-scheduler' }]) {
      this.frameworks.set(p.schedulerName!, new Framework(p, registry, deps, this.log));
      this.recorders.set(p.schedulerName!, this.events.newRecorder(p.schedulerName!));
    }
    const first = [...this.frameworks.values()][0];
    this.queue = new SchedulingQueue({
      initialBackoffMs: (config.podInitialBackoffSeconds ?? 1) * 1000,
      maxBackoffMs: (config.podMaxBackoffSeconds ?? 10) * 1000,
      less: first.queueSort ? (a, b) => first.queueSort!.less({ priority: a.info.priority, timestamp: a.timestamp }, { priority: b.info.priority, timestamp: b.timestamp }) : undefined,
      preEnqueue: (pod) => {
        for (const p of this.frameworkFor(pod)?.preEnqueue ?? []) {
          const why = p.preEnqueue(pod);
          if (why) return why;
        }
        return undefined;
      },
      eventsFor: (pod, plugin) => this.frameworkFor(pod)?.eventsByPlugin().get(plugin) ?? WILDCARD_EVENTS,
      onIncoming: (queue, event) => this.metrics.queueIncoming.labels(queue, event).inc(),
    });
    this.algorithm = new Scheduler1(() => this.cache.nodeInfos(), () => config.percentageOfNodesToScore);
  }

  private recorderFor(profile: string): EventRecorderV1 {
    let r = this.recorders.get(profile);
    if (!r) this.recorders.set(profile, r = this.events.newRecorder(profile));
    return r;
  }

  private frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec?.schedulerName || 'default-scheduler');
  }

  /**
   * The pod as scheduled: its priority is what the Priority admission plugin wrote into
   * spec.priority (upstream's scheduler reads no PriorityClasses, and system:kube-scheduler
   * may not list them).
   */
  private resolve(pod: Pod): Pod {
    return pod;
  }

  /** Starts informers and waits for them to sync (done before leading, like upstream). */
  async startInformers(signal?: AbortSignal): Promise<void> {
    this.factory.start();
    await this.factory.waitForCacheSync(signal);
    this.registerHandlers();
  }

  private registerHandlers(): void {
    this.inf.nodes.addEventHandler({
      onAdd: (n) => { this.cache.addNode(n); this.queue.onEvent(clusterEvent('Node', 'Add')); },
      onUpdate: (o, n) => {
        this.cache.updateNode(n);
        for (const e of nodeUpdateEvents(o, n)) this.queue.onEvent(e);
      },
      onDelete: (d) => { this.cache.removeNode(deletedObject(d).metadata!.name!); },
    });
    this.inf.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (d) => this.podDeleted(deletedObject(d)),
    });
    const pdbChanged = () => this.queue.onEvent(clusterEvent('PodDisruptionBudget', 'Update'));
    this.inf.pdbs.addEventHandler({ onAdd: pdbChanged, onUpdate: pdbChanged });
    // Volume plugins wait for claims, volumes and classes to appear or change.
    const volumeEvents = (r: 'PersistentVolumeClaim' | 'PersistentVolume' | 'StorageClass' | 'CSINode') => ({
      onAdd: () => { this.queue.onEvent(clusterEvent(r, 'Add')); },
      onUpdate: () => { this.queue.onEvent(clusterEvent(r, 'Update')); },
    });
    this.inf.pvcs.addEventHandler(volumeEvents('PersistentVolumeClaim'));
    this.inf.pvs.addEventHandler(volumeEvents('PersistentVolume'));
    this.inf.storageClasses.addEventHandler(volumeEvents('StorageClass'));
    this.inf.csiNodes.addEventHandler(volumeEvents('CSINode'));
  }

  private responsibleFor(pod: Pod): boolean { return this.frameworks.has(pod.spec?.schedulerName || 'default-scheduler'); }

  private podAdded(raw: Pod): void {
    const pod = this.resolve(raw);
    if (isAssigned(pod)) {
      this.cache.addOrUpdatePod(pod);
      this.queue.remove(podKey(pod));
      this.nominator.delete(podKey(pod));
      this.queue.onEvent(clusterEvent('AssignedPod', 'Add'), (q) => q.info.hasAffinity() || !!q.info.pod.spec?.topologySpreadConstraints?.length);
      return;
    }
    if (!this.responsibleFor(pod) || isTerminal(pod) || pod.metadata?.deletionTimestamp) return;
    this.nominator.set(pod, pod.status?.nominatedNodeName);
    this.queue.add(pod);
  }

  private podUpdated(oldRaw: Pod, raw: Pod): void {
    const pod = this.resolve(raw);
    const key = podKey(pod);
    if (isAssigned(pod)) {
      const wasAssigned = isAssigned(oldRaw);
      this.cache.addOrUpdatePod(pod);
      this.queue.remove(key);
      this.nominator.delete(key);
      if (!wasAssigned) return;
      const labelsChanged = !jsonEqual(oldRaw.metadata?.labels ?? {}, raw.metadata?.labels ?? {});
      if (labelsChanged) this.queue.onEvent(clusterEvent('AssignedPod', 'UpdatePodLabel'));
      if (isTerminal(pod)) this.queue.onEvent(clusterEvent('AssignedPod', 'Delete'));
      return;
    }
    if (!this.responsibleFor(pod)) return;
    if (isTerminal(pod) || pod.metadata?.deletionTimestamp) { this.queue.remove(key); this.nominator.delete(key); return; }
    this.nominator.set(pod, pod.status?.nominatedNodeName);
    // Our own status writes (conditions, nomination) must not retrigger scheduling.
    if (jsonEqual(oldRaw.spec, raw.spec) && jsonEqual(oldRaw.metadata?.labels, raw.metadata?.labels)) return;
    this.queue.update(pod);
  }

  private podDeleted(pod: Pod): void {
    const key = podKey(pod);
    this.nominator.delete(key);
    this.explain.forget(key);
    if (this.cache.podNode(key) !== undefined) {
      this.cache.removePod(key);
      this.queue.onEvent(clusterEvent('AssignedPod', 'Delete'));
    }
    this.queue.remove(key);
    this.queue.done(key);
  }

  /** Runs the scheduling loop until stop(). */
  run(): void {
    this.queue.run();
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const q = await this.queue.pop();
      if (!q) break;
      try {
        this.scheduleOne(q);
      } catch (err) {
        this.log(`error scheduling ${q.info.key}: ${(err as Error).stack ?? err}`);
        this.queue.requeueFailed(q, this.queue.schedulingCycle, undefined);
      }
      // Let I/O (watch events, binding responses) in between decisions.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** One pod: decide, assume, then bind in the background. */
  scheduleOne(q: QueuedPod): void {
    const start = performance.now();
    const cycle = this.queue.schedulingCycle;
    // Use the informer's latest copy; the pod may have been bound or deleted since it was queued.
    const latest = this.inf.pods.lister.get(q.info.key);
    if (!latest || isAssigned(latest) || latest.metadata?.deletionTimestamp) { this.queue.done(q.info.key); return; }
    const pod = this.resolve(latest);
    const fw = this.frameworkFor(pod);
    if (!fw) { this.queue.done(q.info.key); return; }
    const pi = pod === q.info.pod ? q.info : new PodInfo(pod);
    q.info = pi;
    const decision = this.algorithm.schedule(fw, pi, Math.random() * 100 < PLUGIN_METRICS_SAMPLE_PERCENT);
    this.metrics.algorithmDuration.observe((performance.now() - start) / 1000);
    if (!decision.node) {
      void this.handleUnschedulable(fw, q, decision, cycle, start);
      return;
    }
    const node = decision.node;
    this.explain.record(pi.key, summarize(decision, fw.schedulerName, 'Scheduled'));
    const assumed = pi.onNode(node);
    this.cache.assume(assumed, node);
    const rs = fw.runReserve(decision.state, pi, node);
    if (!rs.isSuccess()) {
      this.cache.forget(pi.key);
      void this.handleError(fw, q, cycle, start, `running Reserve plugin ${rs.plugin}: ${rs.message()}`);
      return;
    }
    const p = this.bindingCycle(fw, q, decision, node, cycle, start);
    this.binding.add(p);
    void p.finally(() => this.binding.delete(p));
  }

  private async bindingCycle(fw: Framework, q: QueuedPod, d: Decision, node: string, cycle: number, start: number): Promise<void> {
    const pi = q.info;
    const permit = fw.runPermit(d.state, pi, node);
    if (permit.waitMs) await new Promise((r) => setTimeout(r, permit.waitMs));
    const st = permit.status.isRejected() ? permit.status : await this.bindSlots.run(async () => {
      const pre = await fw.runPreBind(d.state, pi, node);
      return pre.isSuccess() ? fw.runBind(d.state, pi, node) : pre;
    });
    if (!st.isSuccess() && st.code !== Code.Wait) {
      this.cache.forget(pi.key);
      fw.runUnreserve(d.state, pi, node);
      await this.handleError(fw, q, cycle, start, `binding rejected: ${st.message()}`);
      return;
    }
    this.queue.done(pi.key);
    this.nominator.delete(pi.key);
    this.scheduledCount++;
    const secs = (performance.now() - start) / 1000;
    this.metrics.scheduleAttempts.labels('scheduled', fw.schedulerName).inc();
    this.metrics.attemptDuration.labels('scheduled', fw.schedulerName).observe(secs);
    this.metrics.podSchedulingDuration.labels(String(Math.min(q.attempts, 16))).observe((Date.now() - q.initialAttemptTimestamp) / 1000);
    this.metrics.podSchedulingAttempts.observe(q.attempts);
    const msg = `Successfully assigned ${pi.namespace}/${pi.name} to ${node}`;
    if (this.v >= 2) this.log(msg);
    fw.event(pi.pod, undefined, 'Normal', 'Scheduled', 'Binding', msg);
  }

  private async handleUnschedulable(fw: Framework, q: QueuedPod, d: Decision, cycle: number, start: number): Promise<void> {
    const pi = q.info;
    let postFilterMsg: string | undefined;
    let nominated: string | undefined;
    if (d.numNodes > 0) {
      this.metrics.preemptionAttempts.inc();
      try {
        const r = await fw.runPostFilter(d.state, pi, d.statuses);
        if (r.result?.nominatedNodeName) {
          nominated = r.result.nominatedNodeName;
          this.nominator.set({ ...pi.pod, status: { ...pi.pod.status, nominatedNodeName: nominated } }, nominated);
        } else if (r.status.message()) postFilterMsg = r.status.message();
      } catch (err) {
        postFilterMsg = `preemption: ${(err as Error).message}`;
      }
    }
    const message = d.numNodes === 0 ? 'no nodes available to schedule pods'
      : fitErrorMessage(d.numNodes, d.preFilterStatus ? new Map() : d.statuses, { preFilterMsg: d.preFilterStatus?.message(), postFilterMsg });
    const summary = summarize(d, fw.schedulerName, 'Unschedulable', message);
    this.explain.record(pi.key, summary);
    this.metrics.scheduleAttempts.labels('unschedulable', fw.schedulerName).inc();
    this.metrics.attemptDuration.labels('unschedulable', fw.schedulerName).observe((performance.now() - start) / 1000);
    if (this.v >= 2) this.log(`unable to schedule pod ${pi.key}: ${message}`);
    fw.event(pi.pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', failureNote(message, summary));
    this.queue.requeueFailed(q, cycle, d.rejectors.size ? d.rejectors : new Set(['*']));
    try {
      await this.writer.markUnschedulable(pi.pod, 'Unschedulable', message, nominated);
    } catch (err) {
      this.log(`updating status of pod ${pi.key}: ${(err as Error).message}`);
    }
  }

  private async handleError(fw: Framework, q: QueuedPod, cycle: number, start: number, message: string): Promise<void> {
    const pi = q.info;
    this.metrics.scheduleAttempts.labels('error', fw.schedulerName).inc();
    this.metrics.attemptDuration.labels('error', fw.schedulerName).observe((performance.now() - start) / 1000);
    this.log(`error scheduling pod ${pi.key}: ${message}`);
    fw.event(pi.pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', message);
    this.queue.requeueFailed(q, cycle, undefined);
    try {
      await this.writer.markUnschedulable(pi.pod, 'SchedulerError', message);
    } catch { /* best effort */ }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await this.loopDone;
    await Promise.allSettled([...this.binding]);
    await this.events.shutdown();
    await this.factory.shutdown();
  }
}

/**
 * The FailedScheduling note: upstream's message unchanged, then — in what room the 1 KiB
 * note limit leaves — which plugin rejected which nodes (the full answer is at
 * /debug/explain). A message already over the limit is cut as upstream cuts it.
 */
function failureNote(message: string, summary: ReturnType<typeof summarize>): string {
  const room = NOTE_LENGTH_LIMIT - Buffer.byteLength(message) - 1;
  const extra = room > 0 ? explainNote(summary, room) : '';
  return extra ? `${message} ${extra}` : message;
}
