// Which address of a Node the API server dials its kubelet at (--kubelet-preferred-address-types,
// upstream's default order Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP), and the
// port from status.daemonEndpoints.kubeletEndpoint.
import type { Node } from 'kubernetes-types/core/v1.js';

export const DEFAULT_PREFERRED_ADDRESS_TYPES = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'];
const KNOWN_TYPES = new Set(DEFAULT_PREFERRED_ADDRESS_TYPES);

export function parseAddressTypes(v: string): string[] {
  const types = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of types) if (!KNOWN_TYPES.has(t)) throw new Error(`--kubelet-preferred-address-types: unknown address type ${JSON.stringify(t)} (want ${DEFAULT_PREFERRED_ADDRESS_TYPES.join(', ')})`);
  return types;
}

/** host:port of the node's kubelet, or an error message as upstream words it. */
export function kubeletEndpoint(node: Node, preferred: string[]): { host: string; port: number } | { error: string } {
  const addresses = node.status?.addresses ?? [];
  for (const type of preferred) {
    const a = addresses.find((x) => x.type === type && x.address);
    if (a) {
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250;
      return { host: a.address, port };
    }
  }
  return { error: `no preferred addresses found; known addresses: ${JSON.stringify(addresses)}` };
}
