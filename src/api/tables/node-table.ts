// kubectl get nodes: NAME STATUS ROLES AGE VERSION (+ addresses, OS image, kernel, runtime).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { TableDef } from './table-def.js';
import { ageColumn, col, nameColumn } from './columns.js';
import { age } from './human-duration.js';

export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: Node): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length)).filter(Boolean);
  const role = node.metadata?.labels?.['kubernetes.io/role'];
  if (role) roles.push(role);
  return roles.length ? roles.sort().join(',') : '<none>';
}

const address = (n: Node, type: string) => (n.status?.addresses ?? []).find((a) => a.type === type)?.address || '<none>';

export const nodeTable: TableDef = {
  columns: [
    nameColumn, col('Status', 'string', 0, 'The status of the node'), col('Roles', 'string', 0, 'The roles of the node'), ageColumn,
    col('Version', 'string', 0, 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 1, 'List of addresses reachable to the node.'), col('External-IP', 'string', 1, 'List of addresses reachable to the node.'),
    col('OS-Image', 'string', 1, 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    col('Kernel-Version', 'string', 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    col('Container-Runtime', 'string', 1, 'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  cells: (o, now) => {
    const n = o as Node;
    const info = n.status?.nodeInfo;
    return [n.metadata?.name, nodeStatus(n), nodeRoles(n), age(n, now), info?.kubeletVersion ?? '',
      address(n, 'InternalIP'), address(n, 'ExternalIP'), info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>'];
  },
};
