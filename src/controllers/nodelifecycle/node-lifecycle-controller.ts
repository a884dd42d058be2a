// The node lifecycle controller: every --node-monitor-period it checks each node's last
// heartbeat (Ready condition or kube-node-lease Lease). A node silent for longer than
// --node-monitor-grace-period gets its conditions set to Unknown ("Kubelet stopped posting
// node status."), its pods marked not ready, and the unreachable taints; a node reporting
// Ready=False gets the not-ready ones. NoExecute taints are added at a rate-limited pace per
// zone (--node-eviction-rate; --secondary-node-eviction-rate when the zone is mostly down;
// none when every zone is fully down), like upstream's tainting queues.
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { LEASES, NODES, PODS, deletedObject, isNotFound, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { DISK_PRESSURE, MEMORY_PRESSURE, NOT_READY, PID_PRESSURE, UNREACHABLE, UNSCHEDULABLE } from './taints.js';

export const NAME = 'nodelifecycle';
const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const now3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

interface Health { probeAt: number; heartbeat?: string; leaseRenew?: string }
type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export const zoneOf = (n: Node): string => {
  const l = n.metadata?.labels ?? {};
  return `${l['topology.kubernetes.io/region'] ?? ''}:\u0000:${l['topology.kubernetes.io/zone'] ?? ''}`;
};

export class NodeLifecycleController implements Controller {
  readonly name = NAME;
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<Lease>;
  private readonly pods: SharedInformer<Pod>;
  private readonly health = new Map<string, Health>();
  private readonly lastTaint = new Map<string, number>();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.forResource(NODES);
    this.leases = ctx.informers.forResource(LEASES, { namespace: 'kube-node-lease' });
    this.pods = ctx.informers.forResource(PODS, { indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.recorder = ctx.recorder('node-controller');
    this.nodes.addEventHandler({ onDelete: (n) => { this.health.delete(deletedObject(n).metadata!.name!); } });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([this.nodes, this.leases, this.pods].map((i) => i.waitForSync(signal)));
    } catch { return; }
    while (!signal.aborted) {
      try { await this.monitor(); } catch (err) { this.ctx.log(`nodelifecycle: ${(err as Error).message}`); }
      await new Promise<void>((r) => { const t = setTimeout(r, this.ctx.options.nodeMonitorPeriodMs); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    }
  }

  private async monitor(): Promise<void> {
    const o = this.ctx.options;
    const now = Date.now();
    const readiness = new Map<string, string>();
    const nodes = this.nodes.lister.list();
    for (const cached of nodes) {
      const name = cached.metadata!.name!;
      const ready = cached.status?.conditions?.find((c) => c.type === 'Ready');
      const lease = this.leases.lister.get(`kube-node-lease/${name}`);
      let h = this.health.get(name);
      if (!h) this.health.set(name, (h = { probeAt: now, heartbeat: ready?.lastHeartbeatTime, leaseRenew: lease?.spec?.renewTime }));
      if (ready?.lastHeartbeatTime !== h.heartbeat) { h.heartbeat = ready?.lastHeartbeatTime; h.probeAt = now; }
      if (lease?.spec?.renewTime && lease.spec.renewTime !== h.leaseRenew) { h.leaseRenew = lease.spec.renewTime; h.probeAt = now; }
      let node = cached;
      if (now - h.probeAt > o.nodeMonitorGracePeriodMs) node = await this.markUnknown(cached);
      const status = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      readiness.set(name, status);
      if (status !== 'True' && (ready?.status ?? 'Unknown') === 'True') await this.markPodsNotReady(name);
    }
    const zones = this.zoneStates(nodes, readiness);
    const allFull = zones.size > 0 && [...zones.values()].every((z) => z === 'FullDisruption');
    for (const node of nodes) await this.reconcileTaints(node, readiness.get(node.metadata!.name!) ?? 'Unknown', zones.get(zoneOf(node)) ?? 'Normal', allFull, now);
  }

  private zoneStates(nodes: Node[], readiness: Map<string, string>): Map<string, ZoneState> {
    const counts = new Map<string, { ready: number; notReady: number }>();
    for (const n of nodes) {
      const z = zoneOf(n);
      const c = counts.get(z) ?? { ready: 0, notReady: 0 };
      if (readiness.get(n.metadata!.name!) === 'True') c.ready++; else c.notReady++;
      counts.set(z, c);
    }
    const out = new Map<string, ZoneState>();
    for (const [z, c] of counts) {
      const state: ZoneState = c.ready === 0 && c.notReady > 0 ? 'FullDisruption'
        : c.notReady > 2 && c.notReady / (c.ready + c.notReady) >= this.ctx.options.unhealthyZoneThreshold ? 'PartialDisruption' : 'Normal';
      out.set(z, state);
    }
    return out;
  }

  private async markUnknown(node: Node): Promise<Node> {
    const now = now3339();
    const conds: NodeCondition[] = structuredClone(node.status?.conditions ?? []);
    let changed = false;
    for (const type of WATCHED_CONDITIONS) {
      const c = conds.find((x) => x.type === type);
      if (!c) {
        conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: now });
        changed = true;
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now });
        changed = true;
      }
    }
    if (!changed) return node;
    this.ctx.log(`nodelifecycle: node ${node.metadata!.name} hasn't been updated for more than ${this.ctx.options.nodeMonitorGracePeriodMs / 1000}s; marking it Unknown`);
    this.recorder.event({ kind: 'Node', name: node.metadata!.name, uid: node.metadata!.name, apiVersion: 'v1' }, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
    return this.ctx.client.resource(NODES).updateStatus('', { ...node, status: { ...node.status, conditions: conds } });
  }

  /** Upstream's MarkPodsNotReady: pods on a node that stopped being Ready are no longer Ready. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of this.pods.lister.byIndex('nodeName', nodeName)) {
      const conds = pod.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const now = now3339();
      const next = conds.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: now } : c));
      try {
        await this.ctx.client.resource(PODS).patch(pod.metadata!.namespace!, pod.metadata!.name!, 'merge', { status: { conditions: next } }, {}, 'status');
      } catch (err) { if (!isNotFound(err)) throw err; }
    }
  }

  private evictionRate(state: ZoneState, zoneSize: number): number {
    const o = this.ctx.options;
    if (state === 'PartialDisruption') return zoneSize <= o.largeClusterSizeThreshold ? 0 : o.secondaryNodeEvictionRate;
    return o.nodeEvictionRate;
  }

  private async reconcileTaints(node: Node, ready: string, zone: ZoneState, allFull: boolean, now: number): Promise<void> {
    const name = node.metadata!.name!;
    const taints: Taint[] = node.spec?.taints ?? [];
    const has = (key: string, effect: string) => taints.some((t) => t.key === key && t.effect === effect);
    const cond = (type: string) => node.status?.conditions?.find((c) => c.type === type)?.status;
    // NoSchedule taints follow conditions at once (TaintNodesByCondition).
    const wantNoSchedule = new Set<string>();
    if (ready === 'False') wantNoSchedule.add(NOT_READY);
    if (ready === 'Unknown') wantNoSchedule.add(UNREACHABLE);
    if (node.spec?.unschedulable) wantNoSchedule.add(UNSCHEDULABLE);
    if (cond('MemoryPressure') === 'True') wantNoSchedule.add(MEMORY_PRESSURE);
    if (cond('DiskPressure') === 'True') wantNoSchedule.add(DISK_PRESSURE);
    if (cond('PIDPressure') === 'True') wantNoSchedule.add(PID_PRESSURE);
    const managedNoSchedule = [NOT_READY, UNREACHABLE, UNSCHEDULABLE, MEMORY_PRESSURE, DISK_PRESSURE, PID_PRESSURE];
    let next = taints.filter((t) => !(t.effect === 'NoSchedule' && managedNoSchedule.includes(t.key) && !wantNoSchedule.has(t.key)));
    for (const key of wantNoSchedule) if (!has(key, 'NoSchedule')) next.push({ key, effect: 'NoSchedule' });
    // NoExecute taints: rate-limited per zone; lifted when every zone is down (likely a network partition of the control plane).
    const wantNoExecute = ready === 'False' ? NOT_READY : ready === 'Unknown' ? UNREACHABLE : undefined;
    const other = wantNoExecute === NOT_READY ? UNREACHABLE : NOT_READY;
    if (!wantNoExecute || allFull) {
      next = next.filter((t) => !(t.effect === 'NoExecute' && (t.key === NOT_READY || t.key === UNREACHABLE)));
    } else if (!has(wantNoExecute, 'NoExecute')) {
      const z = zoneOf(node);
      const size = this.nodes.lister.list().filter((n) => zoneOf(n) === z).length;
      const rate = this.evictionRate(zone, size);
      const last = this.lastTaint.get(z) ?? -Infinity;
      if (rate > 0 && now - last >= 1000 / rate) {
        this.lastTaint.set(z, now);
        next = next.filter((t) => !(t.effect === 'NoExecute' && t.key === other));
        next.push({ key: wantNoExecute, effect: 'NoExecute', timeAdded: now3339() });
      }
    } else {
      next = next.filter((t) => !(t.effect === 'NoExecute' && t.key === other));
    }
    if (JSON.stringify(next) === JSON.stringify(taints)) return;
    try {
      await this.ctx.client.resource(NODES).patch('', name, 'merge', { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints: next.length ? next : null } });
    } catch (err) {
      if (!isNotFound(err)) this.ctx.log(`nodelifecycle: updating taints of ${name}: ${(err as Error).message}`);
    }
  }
}

export const newNodeLifecycleController = (ctx: ControllerContext): Controller => new NodeLifecycleController(ctx);
