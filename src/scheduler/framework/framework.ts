// One profile's plugins wired to their extension points, and the runners the scheduling
// cycle calls (upstream frameworkImpl). The framework also is the plugins' Handle.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Profile, ExtensionPoint } from '../config/types.js';
import type {
  BindPlugin, EnqueueExtensions, FilterPlugin, Handle, NodeScore, Plugin, PostFilterPlugin, PostFilterResult,
  PreBindPlugin, PreFilterPlugin, PreScorePlugin, ReservePlugin, PermitPlugin, ScorePlugin,
} from './interfaces.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { Code, SKIP, SUCCESS, Status, asError, codeName, unschedulable } from './status.js';
import { WILDCARD_EVENTS, type ClusterEvent } from './cluster-event.js';
import { POINT_METHOD, resolvePlugins } from './profile-plugins.js';
import { UNIMPLEMENTED_UPSTREAM_PLUGINS, type Registry } from './registry.js';
import type { FrameworkMetrics } from '../metrics.js';
import type { QueueSortPlugin } from '../plugins/priority-sort/priority-sort.js';
import type { PreEnqueuePlugin } from '../plugins/scheduling-gates/scheduling-gates.js';

/** What the scheduler gives every framework: the shared cache, listers, client. */
export type FrameworkDeps = Omit<Handle, 'runPreFilterAddPod' | 'runPreFilterRemovePod' | 'runFilterPlugins' | 'schedulerName' | 'event'> & {
  /** Records an event as profile `profile` (one recorder per profile, as upstream). */
  event(profile: string, regarding: Pod, related: Pod | undefined, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void;
  metrics?: FrameworkMetrics;
};

const now = () => performance.now();
const secs = (t0: number) => (performance.now() - t0) / 1000;

/** One plugin's normalized scores, index-aligned with the scored nodes. */
export interface PluginScores { plugin: string; weight: number; scores: Float32Array }

export class Framework implements Handle {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly preEnqueue: PreEnqueuePlugin[];
  readonly queueSort: QueueSortPlugin | undefined;
  readonly preFilter: PreFilterPlugin[];
  readonly filters: FilterPlugin[];
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly scorers: Array<{ plugin: ScorePlugin; weight: number }>;
  readonly reserve: ReservePlugin[];
  readonly permit: PermitPlugin[];
  readonly preBind: PreBindPlugin[];
  readonly binders: BindPlugin[];
  private readonly built = new Map<string, Plugin>();
  private events?: Map<string, ClusterEvent[]>;

  constructor(profile: Profile, registry: Registry, private readonly deps: FrameworkDeps, log: (msg: string) => void = () => {}) {
    this.schedulerName = profile.schedulerName ?? 'default-scheduler';
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const args = new Map((profile.pluginConfig ?? []).map((pc) => [pc.name, pc.args]));
    const skipped = new Set<string>();
    const known = (name: string) => {
      if (registry.has(name)) return true;
      if (UNIMPLEMENTED_UPSTREAM_PLUGINS.has(name)) {
        if (!skipped.has(name)) { skipped.add(name); log(`profile ${this.schedulerName}: plugin ${name} is not implemented by tskube; skipped`); }
        return false;
      }
      throw new Error(`${JSON.stringify(name)} does not exist`);
    };
    const build = (name: string): Plugin => {
      let p = this.built.get(name);
      if (!p) {
        p = registry.get(name)!(args.get(name), this);
        this.built.set(name, p);
      }
      return p;
    };
    const impl = (name: string, point: ExtensionPoint) => typeof (build(name) as any)[POINT_METHOD[point]] === 'function';
    const { points } = resolvePlugins(profile.plugins, impl, known);
    for (const name of args.keys()) if (!registry.has(name) && !UNIMPLEMENTED_UPSTREAM_PLUGINS.has(name)) log(`pluginConfig for unknown plugin ${name} ignored`);
    const at = <T>(p: ExtensionPoint) => (points.get(p) ?? []).map((r) => build(r.name) as unknown as T);
    this.preEnqueue = at('preEnqueue');
    this.queueSort = at<QueueSortPlugin>('queueSort')[0];
    this.preFilter = at('preFilter');
    this.filters = at('filter');
    this.postFilter = at('postFilter');
    this.preScore = at('preScore');
    this.scorers = (points.get('score') ?? []).map((r) => ({ plugin: build(r.name) as ScorePlugin, weight: r.weight || 1 }));
    this.reserve = at('reserve');
    this.permit = at('permit');
    this.preBind = at('preBind');
    this.binders = at('bind');
    if (this.binders.length === 0) throw new Error(`profile ${this.schedulerName}: at least one bind plugin is needed`);
  }

  // ---- Handle ----
  nodeInfos(): NodeInfo[] { return this.deps.nodeInfos(); }
  nodeInfo(name: string): NodeInfo | undefined { return this.deps.nodeInfo(name); }
  namespaceLabels(ns: string) { return this.deps.namespaceLabels(ns); }
  nodesWithImage(image: string): number { return this.deps.nodesWithImage(image); }
  nodesWithAffinityPods(): NodeInfo[] { return this.deps.nodesWithAffinityPods(); }
  nodesWithRequiredAntiAffinityPods(): NodeInfo[] { return this.deps.nodesWithRequiredAntiAffinityPods(); }
  get listers() { return this.deps.listers; }
  get client() { return this.deps.client; }
  nominatedPodsForNode(name: string): readonly PodInfo[] { return this.deps.nominatedPodsForNode(name); }
  isPVCUsedByPods(key: string): boolean { return this.deps.isPVCUsedByPods(key); }
  event(regarding: Pod, related: Pod | undefined, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    this.deps.event(this.schedulerName, regarding, related, type, reason, action, note);
  }

  /** scheduler_framework_extension_point_duration_seconds for one run of a point. */
  private point<S extends Status>(point: string, t0: number, st: S): S {
    this.deps.metrics?.extensionPoint(point, codeName(st.code), this.schedulerName, secs(t0));
    return st;
  }

  /** scheduler_plugin_execution_duration_seconds, in sampled cycles only. */
  private timed<T>(state: CycleState, plugin: string, point: string, fn: () => T, code: (r: T) => Code): T {
    if (!state.recordPluginMetrics || !this.deps.metrics) return fn();
    const t0 = now();
    const r = fn();
    this.deps.metrics.plugin(plugin, point, codeName(code(r)), secs(t0));
    return r;
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.addPod?.(state, pod, added, node);
  }
  runPreFilterRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.removePod?.(state, pod, removed, node);
  }

  // ---- runners ----
  /** PreFilter; a rejection stops the cycle. nodeNames narrows the nodes to try. */
  runPreFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { status: Status; nodeNames?: Set<string> } {
    const t0 = now();
    let names: Set<string> | undefined;
    for (const p of this.preFilter) {
      let r;
      try {
        r = this.timed(state, p.name, 'PreFilter', () => p.preFilter(state, pod, nodes), (x) => x.status.code);
      } catch (err) { return { status: this.point('PreFilter', t0, asError(err).withPlugin(p.name)) }; }
      if (r.status.isSkip()) { state.skipFilter.add(p.name); state.filterPlugins = undefined; continue; }
      if (!r.status.isSuccess()) return { status: this.point('PreFilter', t0, new Status(r.status.code, r.status.reasons).withPlugin(p.name)) };
      if (r.result?.nodeNames) names = names ? new Set([...names].filter((n) => r.result!.nodeNames!.has(n))) : r.result.nodeNames;
    }
    if (names && names.size === 0) return { status: this.point('PreFilter', t0, unschedulable('node(s) didn\'t satisfy plugin(s) [PreFilter]')) };
    return { status: this.point('PreFilter', t0, SUCCESS), nodeNames: names };
  }

  /** Filter plugins in order; the first rejection wins. Called per node: no closures unless timed. */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const timing = state.recordPluginMetrics && this.deps.metrics;
    // the plugins PreFilter skipped are left out once per cycle, not looked up per node
    const filters = (state.filterPlugins ??= state.skipFilter.size ? this.filters.filter((p) => !state.skipFilter.has(p.name)) : this.filters) as typeof this.filters;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i];
      let s: Status;
      const t0 = timing ? now() : 0;
      try { s = p.filter(state, pod, node); } catch (err) { s = asError(err); }
      if (timing) timing.plugin(p.name, 'Filter', codeName(s.code), secs(t0));
      // Plugins hand back their own (often shared) rejection: name it rather than copy it per node.
      if (!s.isSuccess()) return s.plugin === p.name || (s.plugin === '' && s !== SKIP) ? s.withPlugin(p.name) : new Status(s.code, s.reasons).withPlugin(p.name);
    }
    return SUCCESS;
  }

  /**
   * Filter with pods nominated to this node (by preemption) of equal or higher priority
   * counted as if already there, so a preemptor's room is not taken by others.
   */
  runFilterWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const all = this.nominatedPodsForNode(node.name);
    if (all.length === 0) return this.runFilterPlugins(state, pod, node);
    const nominated = all.filter((n) => n.key !== pod.key && n.priority >= pod.priority);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, node);
    const s2 = state.clone();
    const n2 = node.clone();
    for (const n of nominated) {
      n2.addPod(n);
      this.runPreFilterAddPod(s2, pod, n, n2);
    }
    const st = this.runFilterPlugins(s2, pod, n2);
    return st.isSuccess() ? this.runFilterPlugins(state, pod, node) : st;
  }

  async runPostFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ status: Status; result?: PostFilterResult }> {
    const t0 = now();
    let last: { status: Status; result?: PostFilterResult } = { status: unschedulable() };
    for (const p of this.postFilter) {
      const t1 = now();
      const r = await p.postFilter(state, pod, statuses);
      if (state.recordPluginMetrics) this.deps.metrics?.plugin(p.name, 'PostFilter', codeName(r.status.code), secs(t1));
      if (r.status.isSuccess() || r.status.code === Code.Error) { this.point('PostFilter', t0, r.status); return r; }
      last = r;
    }
    this.point('PostFilter', t0, last.status);
    return last;
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status {
    const t0 = now();
    for (const p of this.preScore) {
      const s = this.timed(state, p.name, 'PreScore', () => p.preScore(state, pod, nodes), (x) => x.code);
      if (s.isSkip()) { state.skipScore.add(p.name); continue; }
      if (!s.isSuccess()) return this.point('PreScore', t0, new Status(s.code, s.reasons).withPlugin(p.name));
    }
    return this.point('PreScore', t0, SUCCESS);
  }

  /**
   * Weighted, normalized scores per node (index-aligned with `nodes`), and each plugin's
   * share (kept by explain as is, so typed arrays and no per-node objects beyond one
   * NodeScore buffer reused across plugins).
   */
  runScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { totals: Float64Array; perPlugin: PluginScores[] } {
    const t0 = now();
    const n = nodes.length;
    const totals = new Float64Array(n);
    const buf: NodeScore[] = nodes.map((x) => ({ name: x.name, score: 0 }));
    const perPlugin: PluginScores[] = [];
    for (const { plugin, weight } of this.scorers) {
      if (state.skipScore.has(plugin.name)) continue;
      const t1 = now();
      for (let i = 0; i < n; i++) buf[i].score = plugin.score(state, pod, nodes[i]);
      if (state.recordPluginMetrics) this.deps.metrics?.plugin(plugin.name, 'Score', 'Success', secs(t1));
      if (plugin.normalizeScore) this.timed(state, plugin.name, 'ScoreExtensionNormalize', () => plugin.normalizeScore!(state, pod, buf), () => Code.Success);
      const arr = new Float32Array(n);
      for (let i = 0; i < n; i++) { const v = buf[i].score; arr[i] = v; totals[i] += v * weight; }
      perPlugin.push({ plugin: plugin.name, weight, scores: arr });
    }
    this.point('Score', t0, SUCCESS);
    return { totals, perPlugin };
  }

  runReserve(state: CycleState, pod: PodInfo, node: string): Status {
    const t0 = now();
    for (const p of this.reserve) {
      const s = this.timed(state, p.name, 'Reserve', () => p.reserve(state, pod, node), (x) => x.code);
      if (!s.isSuccess()) { this.runUnreserve(state, pod, node); return this.point('Reserve', t0, new Status(s.code, s.reasons).withPlugin(p.name)); }
    }
    return this.point('Reserve', t0, SUCCESS);
  }

  runUnreserve(state: CycleState, pod: PodInfo, node: string): void {
    const t0 = now();
    for (const p of [...this.reserve].reverse()) this.timed(state, p.name, 'Unreserve', () => p.unreserve(state, pod, node), () => Code.Success);
    this.point('Unreserve', t0, SUCCESS);
  }

  /** Permit: success, a rejection, or the longest wait any plugin asked for. */
  runPermit(state: CycleState, pod: PodInfo, node: string): { status: Status; waitMs: number } {
    const t0 = now();
    let waitMs = 0;
    for (const p of this.permit) {
      const r = this.timed(state, p.name, 'Permit', () => p.permit(state, pod, node), (x) => x.status.code);
      if (r.status.code === Code.Wait) { waitMs = Math.max(waitMs, r.timeoutMs ?? 0); continue; }
      if (!r.status.isSuccess()) return { status: this.point('Permit', t0, new Status(r.status.code, r.status.reasons).withPlugin(p.name)), waitMs: 0 };
    }
    return { status: this.point('Permit', t0, waitMs ? new Status(Code.Wait) : SUCCESS), waitMs };
  }

  /** PreBind: each plugin in order (volume binding waits here); the first failure stops binding. */
  async runPreBind(state: CycleState, pod: PodInfo, node: string): Promise<Status> {
    const t0 = now();
    for (const p of this.preBind) {
      const t1 = now();
      let s: Status;
      try { s = await p.preBind(state, pod, node); } catch (err) { s = asError(err); }
      if (state.recordPluginMetrics) this.deps.metrics?.plugin(p.name, 'PreBind', codeName(s.code), secs(t1));
      if (!s.isSuccess()) return this.point('PreBind', t0, new Status(s.code, s.reasons).withPlugin(p.name));
    }
    return this.point('PreBind', t0, SUCCESS);
  }

  async runBind(state: CycleState, pod: PodInfo, node: string): Promise<Status> {
    const t0 = now();
    for (const b of this.binders) {
      const t1 = now();
      const s = await b.bind(state, pod, node);
      if (state.recordPluginMetrics) this.deps.metrics?.plugin(b.name, 'Bind', codeName(s.code), secs(t1));
      if (s.isSkip()) continue;
      return this.point('Bind', t0, s.isSuccess() ? s : new Status(s.code, s.reasons).withPlugin(b.name));
    }
    return this.point('Bind', t0, asError(new Error('no bind plugin bound the pod')));
  }

  /** Events each plugin waits for; a plugin without EnqueueExtensions waits for any. */
  eventsByPlugin(): Map<string, ClusterEvent[]> {
    if (this.events) return this.events;
    const m = this.events = new Map<string, ClusterEvent[]>();
    for (const p of this.built.values()) {
      const ext = p as Partial<EnqueueExtensions>;
      m.set(p.name, typeof ext.eventsToRegister === 'function' ? ext.eventsToRegister() : WILDCARD_EVENTS);
    }
    return m;
  }

  /** Whether a plugin of this name runs in this profile (for tests and explain). */
  has(name: string): boolean { return this.built.has(name); }
}
