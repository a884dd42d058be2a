// What exists before the first client call: the four system namespaces, and the
// `kubernetes` Service in default (first IP of the range) with Endpoints to this server.
import { endpoints, namespaces, services } from '../api/resources/core-v1.js';
import type { KubeObject } from '../api/resources/resource-def.js';
import type { Registry } from './registry/registry.js';
import { ipAt, type Cidr } from './services/cidr.js';

async function ensure(fn: () => Promise<unknown>): Promise<void> {
  try { await fn(); } catch (err: any) { if (err?.reason !== 'AlreadyExists') throw err; }
}

export async function bootstrap(registry: Registry, cidr: Cidr, advertise: string, port: number): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(() => registry.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: ipAt(cidr, 0), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  };
  await ensure(() => registry.create(services, 'default', svc));
  const ep: KubeObject = {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: advertise }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  await ensure(() => registry.create(endpoints, 'default', ep));
}
