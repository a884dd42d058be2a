// The node heartbeat: a Lease kube-node-lease/NODE held by the node, renewed every
// leaseDuration/4 (10 s for upstream's 40 s), owned by the Node so it goes with it.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { formatMicroTime, isAlreadyExists, isConflict, isNotFound, LEASES, type Logger, type RestClient } from '../../client/index.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeLease {
  private timer?: NodeJS.Timeout;
  private lease?: Lease;
  renewals = 0;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly durationSeconds: number,
    private readonly nodeUID: () => string | undefined,
    private readonly log: Logger,
  ) {}

  get intervalMs(): number {
    return (this.durationSeconds * 1000) / 4;
  }

  private fresh(): Lease {
    const uid = this.nodeUID();
    return {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name: this.nodeName, namespace: NODE_LEASE_NAMESPACE,
        ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }] } : {}),
      },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: formatMicroTime() },
    };
  }

  async renew(): Promise<void> {
    const leases = this.client.resource(LEASES);
    try {
      if (!this.lease) {
        try {
          this.lease = await leases.create(NODE_LEASE_NAMESPACE, this.fresh());
          this.renewals++;
          return;
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          this.lease = await leases.get(NODE_LEASE_NAMESPACE, this.nodeName);
        }
      }
      const next: Lease = { ...this.lease, spec: { ...this.lease.spec, holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: formatMicroTime() } };
      this.lease = await leases.update(NODE_LEASE_NAMESPACE, next as Lease & { metadata: object });
      this.renewals++;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) this.lease = undefined;
      this.log(`kubelet: failed to update lease ${NODE_LEASE_NAMESPACE}/${this.nodeName}: ${(err as Error).message}`);
    }
  }

  start(): void {
    void this.renew();
    this.timer = setInterval(() => void this.renew(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
