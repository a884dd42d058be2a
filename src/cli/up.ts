// `tskube up`: a whole local cluster from one command (flags only; src/admin/up does the work).
import { Command, InvalidArgumentError, Option } from 'commander';
import { parsePassThrough, type Args } from '../admin/manifests/component-args.js';
import { checkClusterName, clusterLayout } from '../admin/up/cluster-layout.js';
import { upDetached } from '../admin/up/detach.js';
import { runCluster, type RunningCluster, type RuntimeName } from '../admin/up/run-cluster.js';

const collect = (flag: string) => (v: string, prev: Args = []): Args => {
  try {
    return [...prev, parsePassThrough(flag, v)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const port = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new InvalidArgumentError(`want a port number 1-65535, got ${JSON.stringify(v)}`);
  return n;
};

const count = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`want a whole number ≥ 1, got ${JSON.stringify(v)}`);
  return Number(v);
};

const clusterName = (v: string): string => {
  try {
    return checkClusterName(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

export function upCommand(): Command {
  const cmd = new Command('up')
    .description('create (or bring back) a local cluster: PKI, kubeconfigs, static control-plane pods run by a kubelet, worker kubelets')
    .option('--name <name>', 'cluster name (prefix of node names)', clusterName, 'tskube')
    .option('--data-dir <dir>', 'where the cluster lives (default ~/.tskube/NAME, or /var/lib/tskube/NAME as root)')
    .option('--apiserver-port <port>', 'API server port on 127.0.0.1 (default 6443)', port)
    .option('--nodes <n>', 'number of nodes, the control plane included', count, 1)
    .addOption(new Option('--runtime <runtime>', 'hollow: simulated pods; containerd: real containers, one containerd per node (root)').choices(['hollow', 'containerd']).default('hollow'))
    .option('--etcd-servers <urls>', 'use this etcd instead of running one (comma-separated URLs)')
    .option('--kube-apiserver-arg <name=value>', 'extra kube-apiserver flag (repeatable)', collect('--kube-apiserver-arg'))
    .option('--kube-controller-manager-arg <name=value>', 'extra kube-controller-manager flag (repeatable)', collect('--kube-controller-manager-arg'))
    .option('--kube-scheduler-arg <name=value>', 'extra kube-scheduler flag (repeatable)', collect('--kube-scheduler-arg'))
    .option('--kubelet-arg <name=value>', 'extra kubelet flag for every node (repeatable)', collect('--kubelet-arg'))
    .addOption(new Option('--proxy-mode <mode>', 'kube-proxy mode (KubeProxyConfiguration mode; userspace when not root)').choices(['iptables', 'nftables', 'userspace']))
    .option('--registry-mirror <host=url>', 'pull HOST\'s images through URL, e.g. docker.io=http://127.0.0.1:5000 (repeatable; containerd runtime)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--registries-file <file>', 'k3s-style registries.yaml: mirrors and per-registry TLS/auth (containerd runtime)')
    .option('--container-runtime-endpoint <url>', 'use this CRI runtime for the (single) node instead of starting a containerd')
    .option('--wait <seconds>', 'how long to wait for the cluster to be ready', count, 120)
    .option('-d, --detach', 'run in the background; stop it with `tskube down`')
    .option('-v, --verbose', 'print every step');
  cmd.action(async (o) => {
    const name = o.name as string;
    try {
      if (o.detach) {
        const args = process.argv.slice(process.argv.indexOf('up') + 1).filter((a) => a !== '-d' && a !== '--detach');
        const l = clusterLayout(name, o.dataDir);
        const pid = await upDetached(l, args, (s) => process.stdout.write(s));
        process.stdout.write(`Running in the background (pid ${pid}); stop it with \`tskube down --name ${name}${o.dataDir ? ` --data-dir ${o.dataDir}` : ''}\`.\n`);
        process.exit(0);
      }
      // signals stop the cluster at any point, also while it is still starting
      const abort = new AbortController();
      const started: { cluster?: RunningCluster } = {};
      const onSignal = (sig: string) => {
        process.stdout.write(`\nReceived ${sig}: stopping cluster "${name}" …\n`);
        if (!started.cluster) return abort.abort();
        started.cluster.stop().then(() => { process.stdout.write('Stopped.\n'); process.exit(0); }, () => process.exit(1));
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGHUP', () => onSignal('SIGHUP'));
      const cluster = started.cluster = await runCluster({
        name, dataDir: o.dataDir, apiserverPort: o.apiserverPort, nodes: o.nodes, runtime: o.runtime as RuntimeName,
        etcdServers: o.etcdServers ? String(o.etcdServers).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        apiserverArgs: o.kubeApiserverArg ?? [], controllerManagerArgs: o.kubeControllerManagerArg ?? [],
        schedulerArgs: o.kubeSchedulerArg ?? [], kubeletArgs: o.kubeletArg ?? [], verbose: !!o.verbose, timeoutMs: o.wait * 1000,
        proxyMode: o.proxyMode,
        registryMirrors: o.registryMirror ?? [], registriesFile: o.registriesFile, containerRuntimeEndpoint: o.containerRuntimeEndpoint,
        signal: abort.signal,
      });
      await cluster.stopped;
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });
  return cmd;
}
