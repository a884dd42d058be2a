// Registers the Node and keeps its status current: capacity/allocatable, addresses, labels,
// conditions, nodeInfo, daemon endpoints. Status is recomputed every
// nodeStatusUpdateFrequency and posted when it changed or nodeStatusReportFrequency has
// passed since the last post (upstream's rule since the node Lease carries the heartbeat).
import type { Node, NodeAddress } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound, type Logger, NODES, type RestClient } from '../../client/index.js';
import type { Taint } from '../config/kubelet-config.js';
import { KUBELET_VERSION, type MachineInfo } from './machine-info.js';
import { conditionsKey, type NodeHealth, nodeConditions } from './node-conditions.js';

export interface NodeStatusOptions {
  nodeName: string;
  hostname: string;
  nodeIP: string;
  machine: MachineInfo;
  maxPods: number;
  labels: Record<string, string>;
  taints: Taint[];
  podCIDR: string;
  kubeletPort: number;
  runtimeVersion: string;
  updateFrequencyMs: number;
  reportFrequencyMs: number;
  /** --register-node: create the Node (and again when deleted); false only updates an existing one. */
  registerNode?: boolean;
  health(): NodeHealth;
  log: Logger;
}


export function nodeResources(m: MachineInfo, maxPods: number): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  // allocatable = capacity minus the default hard eviction thresholds (memory.available<100Mi, nodefs.available<10%)
  const memKi = Math.floor(m.memoryBytes / 1024);
  const allocMemKi = Math.max(0, memKi - 100 * 1024);
  return {
    capacity: { cpu: String(m.cpus), memory: `${memKi}Ki`, 'ephemeral-storage': `${Math.floor(m.diskBytes / 1024)}Ki`, pods: String(maxPods), 'hugepages-2Mi': '0' },
    allocatable: { cpu: String(m.cpus), memory: `${allocMemKi}Ki`, 'ephemeral-storage': String(Math.floor(m.diskBytes * 0.9)), pods: String(maxPods), 'hugepages-2Mi': '0' },
  };
}

export class NodeStatusManager {
  /** The node as last read or written. */
  node?: Node;
  private timer?: NodeJS.Timeout;
  private lastPost = 0;
  private lastKey = '';
  private posting = false;
  private onPodCIDR: ((cidr: string) => void)[] = [];

  constructor(private readonly client: RestClient, private readonly o: NodeStatusOptions) {}

  get podCIDR(): string {
    return this.node?.spec?.podCIDR || this.o.podCIDR;
  }

  /** The Node as a watch saw it (nodeipam's podCIDR shows up here first). */
  observe(n: Node): void {
    if (this.node && n.metadata?.uid !== this.node.metadata?.uid) return; // a deleted-and-recreated node: wait for our own registration
    this.setNode(n);
  }

  /** Called when the node's podCIDR becomes known (nodeipam can assign it after registration). */
  watchPodCIDR(fn: (cidr: string) => void): void {
    this.onPodCIDR.push(fn);
  }

  private labels(): Record<string, string> {
    const os = this.o.machine.systemInfo.operatingSystem ?? 'linux';
    const arch = this.o.machine.systemInfo.architecture ?? 'amd64';
    return {
      'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': os,
      'kubernetes.io/arch': arch, 'kubernetes.io/hostname': this.o.hostname, 'kubernetes.io/os': os, ...this.o.labels,
    };
  }

  private addresses(): NodeAddress[] {
    return [{ type: 'InternalIP', address: this.o.nodeIP }, { type: 'Hostname', address: this.o.hostname }];
  }

  private status(): Node['status'] {
    const { capacity, allocatable } = nodeResources(this.o.machine, this.o.maxPods);
    return {
      capacity, allocatable,
      conditions: nodeConditions(this.node?.status?.conditions, this.o.health()),
      addresses: this.addresses(),
      daemonEndpoints: { kubeletEndpoint: { Port: this.o.kubeletPort } },
      nodeInfo: {
        ...this.o.machine.systemInfo, containerRuntimeVersion: this.o.runtimeVersion, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      } as NonNullable<Node['status']>['nodeInfo'],
    };
  }

  /** Creates the Node, or adopts the existing one (labels reconciled). Retries until it works or `signal` aborts. */
  async register(signal: AbortSignal): Promise<void> {
    const nodes = this.client.resource(NODES);
    const want: Node = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: this.o.nodeName, labels: this.labels(),
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.alpha.kubernetes.io/ttl': '0' },
      },
      // spec.podCIDR is nodeipam's to set; a configured podCIDR is only used locally, as upstream
      spec: this.o.taints.length ? { taints: this.o.taints } : {},
      status: this.status(),
    };
    // upstream doubles from 100 ms up to 7 s; here the cap is 250 ms, since `tskube up` starts
    // the kubelets with their API server: a 7 s sleep after it comes up was most of `up`'s wait,
    // and a 1 s one still half a second on average (a refused connection costs next to nothing)
    for (let delay = 100; !signal.aborted; delay = Math.min(delay * 2, 250)) {
      try {
        try {
          this.setNode(await nodes.create('', want));
          this.o.log(`kubelet: successfully registered node ${this.o.nodeName}`);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          this.setNode(await nodes.patch('', this.o.nodeName, 'merge', { metadata: { labels: this.labels() } }));
          this.o.log(`kubelet: node ${this.o.nodeName} was previously registered`);
        }
        await this.post(true);
        return;
      } catch (err) {
        this.o.log(`kubelet: unable to register node ${this.o.nodeName} with API server: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private setNode(n: Node): void {
    const before = this.podCIDR;
    this.node = n;
    if (this.podCIDR && this.podCIDR !== before) for (const fn of this.onPodCIDR) fn(this.podCIDR);
  }

  /** Posts status if it changed (or `force`, or the report period passed). */
  async post(force = false): Promise<void> {
    if (this.posting) return;
    this.posting = true;
    try {
      const status = this.status();
      const key = conditionsKey(status!.conditions) + JSON.stringify(status!.capacity) + JSON.stringify(status!.addresses);
      if (!force && key === this.lastKey && Date.now() - this.lastPost < this.o.reportFrequencyMs) return;
      try {
        this.setNode(await this.client.resource(NODES).patch('', this.o.nodeName, 'merge', { status }, {}, 'status'));
      } catch (err) {
        if (isNotFound(err) && this.o.registerNode !== false) {
          // someone deleted our Node: register again, as upstream's kubelet does
          this.o.log(`kubelet: node ${this.o.nodeName} not found; registering it again`);
          this.node = undefined;
          await this.register(new AbortController().signal);
          return;
        }
        throw err;
      }
      this.lastKey = key;
      this.lastPost = Date.now();
    } finally {
      this.posting = false;
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      this.post().catch((err) => this.o.log(`kubelet: error updating node status: ${(err as Error).message}`));
    }, this.o.updateFrequencyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

