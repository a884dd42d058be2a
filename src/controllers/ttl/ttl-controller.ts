// The ttl controller: annotates every Node with node.alpha.kubernetes.io/ttl, how long a
// kubelet may cache Secrets and ConfigMaps, growing with the cluster's size. Boundaries
// overlap (hysteresis) so a cluster hovering around a size does not flap.
import type { Node } from 'kubernetes-types/core/v1.js';
import { NODES, deletedObject, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';

export const NAME = 'ttl';
export const TTL_ANNOTATION = 'node.alpha.kubernetes.io/ttl';

export const TTL_BOUNDARIES = [
  { sizeMin: 0, sizeMax: 100, ttlSeconds: 0 },
  { sizeMin: 90, sizeMax: 500, ttlSeconds: 15 },
  { sizeMin: 450, sizeMax: 1000, ttlSeconds: 30 },
  { sizeMin: 900, sizeMax: 2000, ttlSeconds: 60 },
  { sizeMin: 1800, sizeMax: Number.MAX_SAFE_INTEGER, ttlSeconds: 300 },
];

/** The boundary step for `count` nodes, moving at most as far as needed from `step`. */
export function nextStep(step: number, count: number): number {
  while (step < TTL_BOUNDARIES.length - 1 && count > TTL_BOUNDARIES[step].sizeMax) step++;
  while (step > 0 && count < TTL_BOUNDARIES[step].sizeMin) step--;
  return step;
}

export class TTLController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly nodes: SharedInformer<Node>;
  private step = 0;
  private count = 0;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.forResource(NODES);
    this.loop = new KeyedLoop(ctx, NAME, 5, (k) => this.sync(k));
    const resize = (delta: number) => {
      this.count += delta;
      const step = nextStep(this.step, this.count);
      if (step !== this.step) { this.step = step; for (const n of this.nodes.lister.list()) this.loop.add(n.metadata!.name!); }
    };
    this.nodes.addEventHandler({
      onAdd: (n) => { resize(1); this.loop.add(n.metadata!.name!); },
      onUpdate: (_, n) => this.loop.add(n.metadata!.name!),
      onDelete: (n) => { deletedObject(n); resize(-1); },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.nodes]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const node = this.nodes.lister.get(name);
    if (!node) return;
    const want = String(TTL_BOUNDARIES[this.step].ttlSeconds);
    if (node.metadata?.annotations?.[TTL_ANNOTATION] === want) return;
    try {
      await this.ctx.client.resource(NODES).patch('', name, 'merge', { metadata: { annotations: { [TTL_ANNOTATION]: want } } });
    } catch (err) { if (!isNotFound(err)) throw err; }
  }
}

export const newTTLController = (ctx: ControllerContext): Controller => new TTLController(ctx);
