// The node's CNI network: a Linux bridge with host-local IPAM on the node's pod CIDR
// (Debian's containernetworking-plugins), plus portmap for hostPort. containerd calls the
// loopback plugin itself.

export interface CniBridgeOptions {
  /** The node's pod CIDR, or containerd's template placeholder. */
  podCIDR: string;
  bridge?: string;
  /** Network name (default tskube); host-local keeps leases under ipamDataDir/NAME. */
  name?: string;
  /** Where host-local keeps its leases (default /var/lib/cni/networks). */
  ipamDataDir?: string;
  /** Masquerade traffic leaving the pod network (off in tests: nothing leaves the machine). */
  ipMasq?: boolean;
}

export const CNI_NETWORK_NAME = 'tskube';

export function bridgeConflist(o: CniBridgeOptions): string {
  const conf = {
    cniVersion: '1.0.0',
    name: o.name ?? CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: o.bridge ?? 'tskube0',
        isGateway: true,
        ipMasq: o.ipMasq ?? false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: o.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          ...(o.ipamDataDir ? { dataDir: o.ipamDataDir } : {}),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

/** containerd renders conf_template with Go's text/template when it learns the pod CIDR. */
export const POD_CIDR_PLACEHOLDER = '{{.PodCIDR}}';
