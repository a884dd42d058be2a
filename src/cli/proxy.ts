// `tskube proxy`: kube-proxy's flag names, parsed here and nothing else.
import fs from 'node:fs';
import { parseVerbosity } from './verbosity-flag.js';
import os from 'node:os';
import { Command } from 'commander';
import YAML from 'yaml';
import { runProxy, type ProxyMode } from '../proxy/server.js';
import { Iptables } from '../proxy/iptables/iptables.js';
import { Nft } from '../proxy/nftables/nft.js';
import { parseDuration } from '../proxy/duration.js';
import { inSandbox, loadSandboxedKubeconfig } from './sandbox-paths.js';

interface KubeProxyConfiguration {
  kind?: string;
  clientConnection?: { kubeconfig?: string };
  mode?: string;
  clusterCIDR?: string;
  hostnameOverride?: string;
  healthzBindAddress?: string;
  metricsBindAddress?: string;
  nodePortAddresses?: string[];
  iptables?: { minSyncPeriod?: string; syncPeriod?: string; masqueradeAll?: boolean };
  nftables?: { minSyncPeriod?: string; syncPeriod?: string; masqueradeAll?: boolean };
}

const fail = (msg: string): never => { process.stderr.write(`error: ${msg}\n`); process.exit(1); };

export function proxyCommand(): Command {
  return new Command('proxy')
    .description('program this node so traffic to a Service reaches its endpoints (kube-proxy)')
    .option('--kubeconfig <file>', 'kubeconfig with the API server and credentials')
    .option('--config <file>', 'KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) file')
    .option('--proxy-mode <mode>', 'iptables, nftables or userspace')
    .option('--cluster-cidr <cidr>', 'pod CIDR; traffic to a ClusterIP from outside it is masqueraded')
    .option('--hostname-override <name>', 'node name used to find local endpoints')
    .option('--iptables-min-sync-period <duration>', 'least time between two syncs (e.g. 1s)')
    .option('--iptables-sync-period <duration>', 'period of full resyncs (e.g. 30s)')
    .option('--masquerade-all', 'SNAT all traffic sent via Service cluster IPs')
    .option('--nodeport-addresses <cidrs>', 'comma-separated CIDRs whose addresses accept NodePorts')
    .option('--cleanup', 'remove every chain and jump kube-proxy made, then exit')
    .option('--healthz-bind-address <host:port>', 'address for /healthz')
    .option('--metrics-bind-address <host:port>', 'address for /metrics')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0')
    .action(async (o) => {
      if (o.cleanup) {
        // as upstream's --cleanup: whatever mode made them, iptables chains and the nftables table go
        let failed = false;
        try {
          const n = await new Iptables().cleanup();
          process.stderr.write(`proxy: cleanup removed ${n} iptables chains and every jump into them\n`);
        } catch (e) { failed = true; process.stderr.write(`proxy: iptables cleanup: ${(e as Error).message}\n`); }
        try {
          const had = await new Nft().cleanup();
          process.stderr.write(`proxy: cleanup ${had ? 'deleted' : 'found no'} nftables table ip kube-proxy\n`);
        } catch (e) { failed = true; process.stderr.write(`proxy: nftables cleanup: ${(e as Error).message}\n`); }
        process.exitCode = failed ? 1 : 0;
        return;
      }
      let cfg: KubeProxyConfiguration = {};
      if (o.config) {
        try {
          cfg = (YAML.parse(fs.readFileSync(inSandbox(o.config), 'utf8'), { version: '1.1' }) ?? {}) as KubeProxyConfiguration;
        } catch (e) { fail(`reading ${o.config}: ${(e as Error).message}`); }
        if (cfg.kind && cfg.kind !== 'KubeProxyConfiguration') fail(`${o.config}: kind is ${cfg.kind}, want KubeProxyConfiguration`);
      }
      const mode = (o.proxyMode ?? (cfg.mode || 'iptables')) as ProxyMode;
      if (!['iptables', 'nftables', 'userspace'].includes(mode)) fail(`unknown proxy mode "${mode}" (want iptables, nftables or userspace)`);
      let minSync = 1000;
      let syncPeriod = 30_000;
      try {
        // as upstream, the config section of the mode in use (nftables or iptables) gives the periods
        const section = mode === 'nftables' ? cfg.nftables : cfg.iptables;
        minSync = parseDuration(o.iptablesMinSyncPeriod ?? section?.minSyncPeriod ?? '1s');
        syncPeriod = parseDuration(o.iptablesSyncPeriod ?? section?.syncPeriod ?? '30s');
      } catch (e) { fail((e as Error).message); }
      let clientConfig;
      try { clientConfig = loadSandboxedKubeconfig(o.kubeconfig ?? cfg.clientConnection?.kubeconfig); } catch (e) { fail((e as Error).message); }
      const running = await runProxy({
        clientConfig: clientConfig!, mode,
        hostname: (o.hostnameOverride ?? cfg.hostnameOverride ?? os.hostname()).toLowerCase(),
        clusterCIDR: o.clusterCidr ?? cfg.clusterCIDR,
        masqueradeAll: o.masqueradeAll === true || (mode === 'nftables' ? cfg.nftables?.masqueradeAll : cfg.iptables?.masqueradeAll) === true,
        nodePortAddresses: o.nodeportAddresses ? String(o.nodeportAddresses).split(',').filter(Boolean) : cfg.nodePortAddresses,
        minSyncPeriodMs: minSync, syncPeriodMs: syncPeriod,
        healthzBindAddress: o.healthzBindAddress ?? cfg.healthzBindAddress ?? '0.0.0.0:10256',
        metricsBindAddress: o.metricsBindAddress ?? cfg.metricsBindAddress ?? '127.0.0.1:10249',
        log: (line) => process.stderr.write(`${line}\n`),
      }).catch((e: Error) => fail(e.message));
      const stop = () => { running.stop().then(() => process.exit(0), () => process.exit(1)); };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
