// `tskube scheduler`: kube-scheduler's flag names, parsed here and nothing else.
import { Command } from 'commander';
import { parseVerbosity } from './verbosity-flag.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { defaultConfig, loadConfig } from '../scheduler/config/load-config.js';
import { runScheduler } from '../scheduler/run.js';
import { addSecureServingFlags, secureServingFrom } from './secure-serving-flags.js';

const bool = (v: string | undefined): boolean => v === undefined || v === '' || v === 'true' || v === '1';

export function schedulerCommand(): Command {
  return addSecureServingFlags(new Command('scheduler'))
    .description('assign pending pods to nodes: queue, filter, score, bind')
    .option('--kubeconfig <file>', 'kubeconfig with the API server and credentials')
    .option('--config <file>', 'KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file')
    .option('--leader-elect [bool]', 'take the kube-scheduler Lease before scheduling (default true)')
    .option('--leader-elect-lease-duration <duration>', 'how long a lease holds without renewal')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries renewing')
    .option('--leader-elect-retry-period <duration>', 'pause between attempts')
    .option('--leader-elect-resource-name <name>', 'Lease name')
    .option('--leader-elect-resource-namespace <ns>', 'Lease namespace')
    .option('--kube-api-qps <qps>', 'client QPS toward the API server')
    .option('--kube-api-burst <n>', 'client burst toward the API server')
    .option('--bind-address <ip>', 'address for /healthz, /metrics and /debug/explain', '0.0.0.0')
    .option('--secure-port <port>', 'port for /healthz, /metrics and /debug/explain (0 picks a free one)', '10259')
    .option('-v, --v <level>', 'log verbosity', parseVerbosity, '0')
    .action(async (o) => {
      let config;
      try {
        config = o.config ? loadConfig(o.config) : defaultConfig();
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      const le = (config.leaderElection ??= {});
      if (o.leaderElect !== undefined) le.leaderElect = bool(o.leaderElect === true ? undefined : o.leaderElect);
      if (o.leaderElectLeaseDuration) le.leaseDuration = o.leaderElectLeaseDuration;
      if (o.leaderElectRenewDeadline) le.renewDeadline = o.leaderElectRenewDeadline;
      if (o.leaderElectRetryPeriod) le.retryPeriod = o.leaderElectRetryPeriod;
      if (o.leaderElectResourceName) le.resourceName = o.leaderElectResourceName;
      if (o.leaderElectResourceNamespace) le.resourceNamespace = o.leaderElectResourceNamespace;
      config.clientConnection = { ...(config.clientConnection ?? {}) };
      if (o.kubeApiQps) config.clientConnection.qps = Number(o.kubeApiQps);
      if (o.kubeApiBurst) config.clientConnection.burst = Number(o.kubeApiBurst);
      let clientConfig, serving;
      try {
        clientConfig = loadKubeconfig(o.kubeconfig ?? config.clientConnection.kubeconfig);
        serving = secureServingFrom(o, 'kube-scheduler');
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      let running;
      try {
        running = await runScheduler({
          clientConfig, config, serving, bindAddress: o.bindAddress, port: Number(o.securePort), verbosity: Number(o.v),
          onLostLeadership: () => process.exit(1),
        });
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
      const stop = () => { running.stop().then(() => process.exit(0), () => process.exit(1)); };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
