// What exists before the first client call: the four system namespaces, and the
// `kubernetes` Service in default (first IP of the range) with Endpoints and an EndpointSlice to this server,
// and the two system priority classes.
import { endpoints, namespaces, services } from '../api/resources/core-v1.js';
import { priorityclasses } from '../api/resources/scheduling-v1.js';
import { endpointslices } from '../api/resources/cluster-groups.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/validation/cluster-validation.js';
import type { KubeObject, ResourceDef } from '../api/resources/resource-def.js';
import type { Registry } from './registry/registry.js';
import { ipAt, type Cidr } from './services/cidr.js';

/** Creates unless present: checked first so a restart allocates nothing twice. */
async function ensure(registry: Registry, def: ResourceDef, obj: KubeObject): Promise<void> {
  const ns = obj.metadata?.namespace ?? '';
  try { await registry.get(def, ns, obj.metadata!.name); return; } catch (err: any) { if (err?.reason !== 'NotFound') throw err; }
  try { await registry.create(def, ns, obj); } catch (err: any) { if (err?.reason !== 'AlreadyExists') throw err; }
}

/** The four system namespaces; made before the default RBAC roles, some of which live in them. */
export async function ensureSystemNamespaces(registry: Registry): Promise<void> {
  await Promise.all(['default', 'kube-system', 'kube-public', 'kube-node-lease']
    .map((name) => ensure(registry, namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
}

export async function bootstrap(registry: Registry, cidr: Cidr, advertise: string, port: number): Promise<void> {
  await ensureSystemNamespaces(registry);
  const descriptions: Record<string, string> = {
    'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
    'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  };
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: ipAt(cidr, 0), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  };
  const ep: KubeObject = {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: advertise }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  // kube-proxy follows EndpointSlices only, so the API server writes this one too, as upstream's reconciler does
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [advertise], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  // independent objects: written at once, so they share the store's syncs
  await Promise.all([
    ...Object.entries(SYSTEM_PRIORITY_CLASSES).map(([name, value]) =>
      ensure(registry, priorityclasses, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description: descriptions[name] })),
    ensure(registry, services, svc),
    ensure(registry, endpoints, ep),
    ensure(registry, endpointslices, slice),
  ]);
}
