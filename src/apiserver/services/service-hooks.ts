// Service storage hooks: ClusterIP from --service-cluster-ip-range and NodePorts from
// --service-node-port-range on create, kept on update, released after an update that no
// longer uses them (a type change) and on delete. A dry run answers with the addresses a
// real create would get, without taking them (upstream's allocator DryRun).
import type { KubeObject } from '../../api/resources/resource-def.js';
import { invalid, newInternalError, newInvalid } from '../../api/status/index.js';
import { needsClusterIP, needsNodePorts } from '../../api/defaults/service-type-change.js';
import type { StorageHooks } from '../registry/registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type Cidr, hostCount, ipAt, offsetOf, parseCidr } from './cidr.js';
import { AlreadyAllocatedError, RangeAllocator, RangeFullError } from './range-allocator.js';

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

const wantsIP = (s: KubeObject) => needsClusterIP(s) && s.spec?.clusterIP !== 'None';
/** The IP offset a service holds in the range, if any. */
const heldIP = (a: ServiceAllocators, s: KubeObject) => (s.spec?.clusterIP && s.spec.clusterIP !== 'None' ? offsetOf(a.cidr, s.spec.clusterIP) : undefined);
const heldPorts = (s: KubeObject): number[] => (s.spec?.ports ?? []).map((p: any) => p.nodePort).filter((n: unknown): n is number => typeof n === 'number' && n > 0);

export function serviceHooks(a: ServiceAllocators): StorageHooks {
  const fail = (svc: KubeObject, field: string, value: unknown, why: string) => newInvalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', [invalid(field, value, why)]);
  const portRange = `${a.portBase}-${a.portBase + a.ports.size - 1}`;

  async function allocateIP(svc: KubeObject, dryRun: boolean): Promise<void> {
    const spec = svc.spec;
    if (spec.clusterIP) {
      const off = offsetOf(a.cidr, spec.clusterIP);
      if (off === undefined) throw fail(svc, 'spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${a.cidr.text}`);
      try { await (dryRun ? a.ips.check(off) : a.ips.allocate(off)); } catch (err) {
        if (err instanceof AlreadyAllocatedError) throw fail(svc, 'spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
        throw err;
      }
    } else {
      try {
        spec.clusterIP = ipAt(a.cidr, await (dryRun ? a.ips.peek() : a.ips.allocate()));
      } catch (err) {
        if (err instanceof RangeFullError) throw newInternalError(`failed to allocate a serviceIP: ${err.message}`);
        throw err;
      }
    }
    spec.clusterIPs = [spec.clusterIP];
  }

  /** NodePorts for every port that lacks one (a port number keeps its old nodePort); returns what it took. */
  async function allocatePorts(svc: KubeObject, dryRun: boolean, keep: Map<number, number> = new Map()): Promise<number[]> {
    const taken: number[] = [];
    const kept = new Set(keep.values());
    const picked = new Set<number>();
    try {
      for (const [i, p] of (svc.spec.ports ?? []).entries()) {
        if (!p.nodePort && keep.has(p.port)) { p.nodePort = keep.get(p.port); continue; }
        if (p.nodePort && kept.has(p.nodePort)) continue;
        if (p.nodePort) {
          try {
            const off = p.nodePort - a.portBase;
            await (dryRun ? a.ports.check(off) : a.ports.allocate(off));
          } catch (err) {
            const why = err instanceof AlreadyAllocatedError ? 'provided port is already allocated' : `provided port is not in the valid range. The range of valid ports is ${portRange}`;
            throw fail(svc, `spec.ports[${i}].nodePort`, p.nodePort, why);
          }
        } else {
          try {
            p.nodePort = a.portBase + await (dryRun ? a.ports.peek(picked) : a.ports.allocate());
          } catch (err) {
            if (err instanceof RangeFullError) throw newInternalError(`failed to allocate a nodePort: ${err.message}`);
            throw err;
          }
        }
        picked.add(p.nodePort - a.portBase);
        if (!dryRun) taken.push(p.nodePort);
      }
    } catch (err) {
      for (const port of taken) await a.ports.release(port - a.portBase);
      throw err;
    }
    return taken;
  }

  async function releaseIP(off: number | undefined): Promise<void> { if (off !== undefined) await a.ips.release(off); }
  async function releasePorts(ports: number[]): Promise<void> { for (const p of ports) await a.ports.release(p - a.portBase); }

  async function release(svc: KubeObject): Promise<void> {
    await releaseIP(heldIP(a, svc));
    await releasePorts(heldPorts(svc));
  }

  return {
    async beforeCreate(svc, dryRun) {
      if (wantsIP(svc)) await allocateIP(svc, dryRun);
      if (needsNodePorts(svc)) {
        try { await allocatePorts(svc, dryRun); } catch (err) { if (!dryRun) await releaseIP(heldIP(a, svc)); throw err; }
      }
    },
    createFailed: release,
    async beforeUpdate(next, old, dryRun) {
      if (wantsIP(next) && !next.spec.clusterIP && old.spec?.clusterIP && old.spec.clusterIP !== 'None') {
        next.spec.clusterIP = old.spec.clusterIP;
        next.spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
      }
      const ipWasHeld = heldIP(a, old) !== undefined && heldIP(a, old) === heldIP(a, next);
      if (wantsIP(next) && !ipWasHeld) await allocateIP(next, dryRun);
      if (needsNodePorts(next)) {
        const keep = new Map<number, number>();
        for (const p of old.spec?.ports ?? []) if (p.nodePort) keep.set(p.port, p.nodePort);
        try { await allocatePorts(next, dryRun, keep); } catch (err) {
          if (!dryRun && !ipWasHeld) await releaseIP(heldIP(a, next));
          throw err;
        }
      }
    },
    /** Releases what beforeUpdate took: what next holds and old did not. */
    async updateFailed(next, old) {
      const oldIP = heldIP(a, old);
      const newIP = heldIP(a, next);
      if (newIP !== undefined && newIP !== oldIP) await releaseIP(newIP);
      const oldPorts = new Set(heldPorts(old));
      await releasePorts(heldPorts(next).filter((p) => !oldPorts.has(p)));
    },
    /** Releases what old held and next does not (a type change, a removed port). */
    async afterUpdate(next, old) {
      const oldIP = heldIP(a, old);
      if (oldIP !== undefined && oldIP !== heldIP(a, next)) await releaseIP(oldIP);
      const newPorts = new Set(heldPorts(next));
      await releasePorts(heldPorts(old).filter((p) => !newPorts.has(p)));
    },
    afterDelete: release,
  };
}
