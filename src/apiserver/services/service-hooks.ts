// Service storage hooks: ClusterIP from --service-cluster-ip-range and NodePorts from
// --service-node-port-range on create, kept on update, released on delete.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { invalid, newInvalid } from '../../api/status/index.js';
import type { StorageHooks } from '../registry/registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type Cidr, hostCount, ipAt, offsetOf, parseCidr } from './cidr.js';
import { AlreadyAllocatedError, RangeAllocator } from './range-allocator.js';

export class ServiceAllocators {
  readonly cidr: Cidr;
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
  constructor(store: ObjectStore, etcdPrefix: string, ipRange: string, readonly portBase: number, portMax: number) {
    this.cidr = parseCidr(ipRange);
    this.ips = new RangeAllocator(store, `${etcdPrefix}/ranges/serviceips`, hostCount(this.cidr), ipRange);
    this.ports = new RangeAllocator(store, `${etcdPrefix}/ranges/servicenodeports`, portMax - portBase + 1, `${portBase}-${portMax}`);
  }
}

const wantsIP = (s: KubeObject) => s.spec?.type !== 'ExternalName' && s.spec?.clusterIP !== 'None';
const wantsNodePorts = (s: KubeObject) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';

export function serviceHooks(a: ServiceAllocators): StorageHooks {
  const fail = (svc: KubeObject, field: string, value: unknown, why: string) => newInvalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', [invalid(field, value, why)]);

  async function allocateIP(svc: KubeObject): Promise<void> {
    const spec = svc.spec;
    if (spec.clusterIP) {
      const off = offsetOf(a.cidr, spec.clusterIP);
      if (off === undefined) throw fail(svc, 'spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${a.cidr.text}`);
      try { await a.ips.allocate(off); } catch (err) {
        if (err instanceof AlreadyAllocatedError) throw fail(svc, 'spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
        throw err;
      }
    } else {
      spec.clusterIP = ipAt(a.cidr, await a.ips.allocate());
    }
    spec.clusterIPs = [spec.clusterIP];
  }

  async function allocatePorts(svc: KubeObject, keep: Map<number, number> = new Map()): Promise<void> {
    for (const [i, p] of (svc.spec.ports ?? []).entries()) {
      if (!p.nodePort && keep.has(p.port)) { p.nodePort = keep.get(p.port); continue; }
      if (p.nodePort && [...keep.values()].includes(p.nodePort)) continue;
      if (p.nodePort) {
        try { await a.ports.allocate(p.nodePort - a.portBase); } catch (err) {
          const why = err instanceof AlreadyAllocatedError ? 'provided port is already allocated' : `provided port is not in the valid range. The range of valid ports is ${a.portBase}-${a.portBase + a.ports.size - 1}`;
          throw fail(svc, `spec.ports[${i}].nodePort`, p.nodePort, why);
        }
      } else {
        p.nodePort = a.portBase + await a.ports.allocate();
      }
    }
  }

  async function release(svc: KubeObject): Promise<void> {
    const off = svc.spec?.clusterIP ? offsetOf(a.cidr, svc.spec.clusterIP) : undefined;
    if (off !== undefined) await a.ips.release(off);
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) await a.ports.release(p.nodePort - a.portBase);
  }

  return {
    async beforeCreate(svc, dryRun) {
      if (dryRun) return;
      if (wantsIP(svc)) await allocateIP(svc);
      if (wantsNodePorts(svc)) {
        try { await allocatePorts(svc); } catch (err) { await release(svc); throw err; }
      }
    },
    createFailed: release,
    async beforeUpdate(next, old, dryRun) {
      if (wantsIP(next) && !next.spec.clusterIP && old.spec?.clusterIP) {
        next.spec.clusterIP = old.spec.clusterIP;
        next.spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
      }
      if (dryRun) return;
      if (wantsIP(next) && !old.spec?.clusterIP) await allocateIP(next);
      if (wantsNodePorts(next)) {
        const keep = new Map<number, number>();
        for (const p of old.spec?.ports ?? []) if (p.nodePort) keep.set(p.port, p.nodePort);
        await allocatePorts(next, keep);
      }
    },
    afterDelete: release,
  };
}
