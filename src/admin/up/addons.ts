// The add-ons `tskube up` installs once the API server answers, as `kubeadm init` does after
// the control plane: kube-proxy (a DaemonSet: one pod per node) and cluster DNS (the kube-dns
// Deployment and Service at the tenth Service address). With hollow workers they run for real
// on the control-plane node through the host-process runtime and are simulated on the
// workers; with containerd they are containers of tskube's add-on image running the host's
// tskube, once for the one network all nodes share. When the cluster stops, the rules kube-proxy left in this host's
// iptables/nftables go too.
import path from 'node:path';
import { kubeDnsObjects } from '../addons/kube-dns.js';
import { kubeProxyObjects } from '../addons/kube-proxy.js';
import { addonApplier, type KubeObject } from '../addons/apply-addons.js';
import { dnsServiceIP, type AddonInput } from '../addons/addon-input.js';
import { Iptables } from '../../proxy/iptables/iptables.js';
import { Nft } from '../../proxy/nftables/nft.js';
import type { ClusterLayout } from './cluster-layout.js';
import type { ClusterState } from './cluster-state.js';
import { tskubeArgv } from './tskube-command.js';

export type ProxyMode = AddonInput['proxyMode'];
export const CLUSTER_DOMAIN = 'cluster.local';

/** Kubelet flags that point pods at cluster DNS. */
export function clusterDnsKubeletArgs(state: ClusterState): [string, string][] {
  return [['cluster-dns', dnsServiceIP(state.serviceCIDR)], ['cluster-domain', CLUSTER_DOMAIN]];
}

/** kube-proxy's mode: as asked; userspace when not root, since the kernel cannot be programmed then. */
export function effectiveProxyMode(asked: ProxyMode | undefined): ProxyMode {
  if (process.getuid?.() !== 0) return 'userspace';
  return asked ?? 'iptables';
}

export function addonInput(state: ClusterState, o: { runtime: string; proxyMode?: ProxyMode; nodeNetwork?: boolean }, version: string): AddonInput {
  const tskube = tskubeArgv();
  const ports = state.addonPorts!;
  // a one-node containerd cluster has one network for one kube-proxy and a host-network DNS;
  // with the node network (node-network.ts) every worker is a network of its own: a kube-proxy
  // on each node and DNS as pods on the workers, reaching the API server on the gateway
  const realWorkers = o.runtime === 'containerd' && !!o.nodeNetwork && !!state.nodeNetwork;
  const sharedNetwork = o.runtime === 'containerd' && !realWorkers;
  return {
    apiServerURL: `https://${realWorkers ? state.nodeNetwork!.gateway : state.advertiseAddress}:${state.apiserverPort}`,
    tskube,
    installDir: path.resolve(path.dirname(tskube[1]), '../../..'),
    version,
    clusterCIDR: state.clusterCIDR,
    serviceCIDR: state.serviceCIDR,
    clusterDomain: CLUSTER_DOMAIN,
    proxyMode: effectiveProxyMode(o.proxyMode),
    proxyHealthzPort: ports.proxyHealthz,
    proxyMetricsPort: ports.proxyMetrics,
    dnsPort: ports.dns,
    // simulated workers answer no queries: DNS then runs on the one real node, once (host network)
    dnsOnControlPlane: !realWorkers,
    dnsReplicas: realWorkers ? 2 : 1,
    sharedNetwork,
  };
}

/**
 * Applies the add-ons, retrying while the API server finishes starting (RBAC bootstrap,
 * namespaces). The objects go in at once (the workloads after the rest), each retried until taken:
 * one at a time, a refusal of one object held back the rest, and `up` waits for the last
 * (kube-dns came 1–3 s after the control plane was Running). `log` hears each new refusal.
 */
export async function installAddons(l: ClusterLayout, input: AddonInput, out: (s: string) => void, deadline: number, cancelled: () => boolean, log: (s: string) => void = () => {}): Promise<void> {
  // one client for every object: a few kept-alive connections, not a TLS handshake per attempt
  const applier = addonApplier(l.adminConf, 4);
  const applyOne = async (name: string, object: KubeObject): Promise<void> => {
    let last = '';
    for (;;) {
      if (cancelled()) throw new Error('stopped while starting');
      try {
        await applier.apply(object);
        return;
      } catch (err) {
        const message = (err as Error).message;
        if (Date.now() > deadline) throw new Error(`could not install the ${name} add-on: ${message}`);
        if (message !== last) log(`[addons] ${name}: ${message}; retrying`);
        last = message;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const addons = [['kube-proxy', kubeProxyObjects(input)], ['kube-dns', kubeDnsObjects(input)]] as const;
  // one object finds when the API server takes writes (the others would only add failing requests to its start)
  const first = addons[0][1][0];
  try {
    await applyOne(addons[0][0], first);
    await Promise.all(addons.map(async ([name, objects]) => {
      // the workloads last: their pods need the service account and config already there
      const workload = (o: KubeObject) => o.kind === 'DaemonSet' || o.kind === 'Deployment';
      const rest = objects.filter((o) => o !== first);
      await Promise.all(rest.filter((o) => !workload(o)).map((o) => applyOne(name, o)));
      await Promise.all(rest.filter(workload).map((o) => applyOne(name, o)));
      out(`[addons] Applied essential addon: ${name}${name === 'kube-proxy' ? ` (${input.proxyMode} mode)` : ` (Service ${dnsServiceIP(input.serviceCIDR)})`}`);
    }));
  } finally {
    applier.close();
  }
}

/** `kube-proxy --cleanup` for this host, after the cluster's kube-proxy stopped. */
export async function cleanupHostProxyRules(mode: ProxyMode, out: (s: string) => void): Promise<void> {
  if (mode === 'userspace') return;
  try {
    const chains = await new Iptables().cleanup();
    const table = await new Nft().cleanup();
    if (chains || table) out(`Removed kube-proxy's rules from this host (${chains} iptables chains${table ? ', nftables table ip kube-proxy' : ''})`);
  } catch (err) {
    out(`Could not remove kube-proxy's rules from this host: ${(err as Error).message} (run \`tskube proxy --cleanup\`)`);
  }
}
