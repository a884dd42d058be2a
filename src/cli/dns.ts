// `tskube dns`: cluster DNS (the kube-dns / CoreDNS role), flags parsed here and nothing else.
import { Command } from 'commander';
import { parseVerbosity } from './verbosity-flag.js';
import { loadSandboxedKubeconfig } from './sandbox-paths.js';
import { runDns } from '../dns/server.js';
import { parseUpstream, resolvConfUpstreams } from '../dns/forwarder.js';

const fail = (msg: string): never => { process.stderr.write(`error: ${msg}\n`); process.exit(1); };

export function dnsCommand(): Command {
  return new Command('dns')
    .description('serve the cluster domain from Services, EndpointSlices and Pods; forward everything else')
    .option('--kubeconfig <file>', 'kubeconfig with the API server and credentials')
    .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
    .option('--dns-bind-address <ip>', 'address to answer on (UDP and TCP)', '0.0.0.0')
    .option('--dns-port <port>', 'port to answer on (0 picks a free one)', '53')
    .option('--upstream <resolvers>', 'comma-separated resolvers (ip[:port]) for names outside the cluster; default: /etc/resolv.conf')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0')
    .action(async (o) => {
      const port = Number(o.dnsPort);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --dns-port "${o.dnsPort}"`);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/i.test(o.clusterDomain)) fail(`invalid --cluster-domain "${o.clusterDomain}"`);
      const upstreams = o.upstream ? String(o.upstream).split(',').filter(Boolean).map(parseUpstream) : resolvConfUpstreams();
      let clientConfig;
      try { clientConfig = loadSandboxedKubeconfig(o.kubeconfig); } catch (e) { fail((e as Error).message); }
      const running = await runDns({
        clientConfig: clientConfig!, clusterDomain: o.clusterDomain, bindAddress: o.dnsBindAddress, port, upstreams,
        log: (line) => process.stderr.write(`${line}\n`),
      }).catch((e: Error) => fail(e.message));
      const stop = () => { running.stop().then(() => process.exit(0), () => process.exit(1)); };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
