// Node IPAM (the range allocator): with --allocate-node-cidrs, every Node gets
// spec.podCIDR/podCIDRs from --cluster-cidr in /--node-cidr-mask-size pieces, never one
// overlapping --service-cluster-ip-range; a deleted node's range is reused.
import type { Node } from 'kubernetes-types/core/v1.js';
import { NODES, deletedObject, type EventRecorder, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { CIDRSet, formatCIDR, parseCIDR } from './cidr-set.js';

export const NAME = 'nodeipam';

export class NodeIPAMController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly nodes: SharedInformer<Node>;
  private readonly set: CIDRSet;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    const o = ctx.options;
    this.set = new CIDRSet(parseCIDR(o.clusterCIDR!), o.nodeCIDRMaskSize);
    if (o.serviceClusterIPRange) this.set.reserve(parseCIDR(o.serviceClusterIPRange.split(',')[0]));
    this.nodes = ctx.informers.forResource(NODES);
    this.recorder = ctx.recorder('cidrAllocator');
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    this.nodes.addEventHandler({
      onAdd: (n) => { this.occupy(n); this.loop.add(n.metadata!.name!); },
      onUpdate: (_, n) => { this.occupy(n); if (!n.spec?.podCIDR) this.loop.add(n.metadata!.name!); },
      onDelete: (n) => { const node = deletedObject(n); if (node.spec?.podCIDR) this.set.release(parseCIDR(node.spec.podCIDR)); },
    });
  }

  private occupy(n: Node): void {
    for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) {
      try { this.set.occupy(parseCIDR(c)); } catch { /* not ours to parse: ignore */ }
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.nodes]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const node = this.nodes.lister.get(name);
    if (!node || node.spec?.podCIDR) return;
    const cidr = this.set.allocateNext();
    if (!cidr) {
      this.recorder.event(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      return { requeueAfterMs: 30_000 };
    }
    const s = formatCIDR(cidr);
    try {
      await this.ctx.client.resource(NODES).patch('', name, 'merge', { spec: { podCIDR: s, podCIDRs: [s] } });
      this.ctx.log(`nodeipam: set node ${name} PodCIDR to [${s}]`);
    } catch (err) {
      this.set.release(cidr);
      this.recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw err;
    }
  }
}

export function newNodeIPAMController(ctx: ControllerContext): Controller {
  if (!ctx.options.allocateNodeCIDRs) return { name: NAME, run: async () => { ctx.log('nodeipam: --allocate-node-cidrs is false; not allocating'); } };
  return new NodeIPAMController(ctx);
}
