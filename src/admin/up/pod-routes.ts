// Routes between nodes' pod networks, as kind's kindnetd (or flannel's host-gw) adds them:
// in every node's network namespace, each other node's podCIDR via that node's address.
// Pod CIDRs come from the controller manager's node IPAM, so the routes follow Node objects
// through an informer and are replaced or deleted as nodes get, change or lose their CIDRs.
import { spawnSync } from 'node:child_process';
import type { Node } from 'kubernetes-types/core/v1.js';
import { NODES, RestClient, SharedInformerFactory, type ClientConfig } from '../../client/index.js';
import type { NodeNetworkPlan } from './node-network.js';

export interface Route { cidr: string; via: string }

/** Routes one node needs: every other node's podCIDR(s) via its address on the node network. */
export function routesFor(self: string, plan: NodeNetworkPlan, nodes: Node[]): Route[] {
  const ipOf = new Map(plan.nodes.map((n) => [n.name, n.ip]));
  const out: Route[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const via = ipOf.get(name);
    if (!via || name === self) continue;
    const cidrs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
    for (const cidr of cidrs) if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) out.push({ cidr, via });
  }
  return out.sort((a, b) => (a.cidr < b.cidr ? -1 : 1));
}

/** Keeps the routes of every node in line with the Nodes; stop() leaves them (the network's removal takes them). */
export class PodRoutes {
  /** netns ('' for the host) → cidr → via, as last written. */
  private readonly written = new Map<string, Map<string, string>>();
  private factory: SharedInformerFactory | undefined;

  constructor(readonly plan: NodeNetworkPlan, readonly log: (l: string) => void) {}

  private readonly aborted = new AbortController();

  /** Starts watching Nodes (the informer retries until the API server answers); returns at once. */
  start(config: ClientConfig): void {
    this.factory = new SharedInformerFactory(new RestClient({ ...config, userAgent: 'tskube-up/pod-routes' }));
    const nodes = this.factory.forResource(NODES);
    const sync = (): void => this.sync(nodes.lister.list());
    nodes.addEventHandler({ onAdd: sync, onUpdate: sync, onDelete: sync });
    this.factory.start();
    this.factory.waitForCacheSync(this.aborted.signal).then(sync, () => { /* stopped first */ });
  }

  sync(nodes: Node[]): void {
    for (const n of this.plan.nodes) {
      const ns = n.netns ?? '';
      const had = this.written.get(ns) ?? new Map<string, string>();
      const want = new Map(routesFor(n.name, this.plan, nodes).map((r) => [r.cidr, r.via]));
      const cmd = (args: string[]) => spawnSync('ip', ns ? ['-n', ns, ...args] : args, { encoding: 'utf8' });
      for (const [cidr, via] of want) {
        if (had.get(cidr) === via) continue;
        const r = cmd(['route', 'replace', cidr, 'via', via]);
        if (r.status === 0) this.log(`pod-routes: ${n.name}: ${cidr} via ${via}`);
        else { this.log(`pod-routes: ${n.name}: ip route replace ${cidr} via ${via}: ${r.stderr.trim()}`); want.delete(cidr); }
      }
      for (const [cidr, via] of had) if (!want.has(cidr)) cmd(['route', 'del', cidr, 'via', via]);
      this.written.set(ns, want);
    }
  }

  async stop(): Promise<void> {
    this.aborted.abort();
    await this.factory?.shutdown();
  }
}
