// tskube: every component of the picture as one subcommand each (see DESIGN.md).
import { Command } from 'commander';

// Each subcommand's module is loaded only when that subcommand runs: a static pod such as
// `tskube scheduler` should not parse and keep the code of every other component (that
// cost ~65 MiB of RSS and seconds of startup per process). `tskube --help` loads them all.
const commands: Record<string, () => Promise<Command>> = {
  etcd: async () => (await import('./etcd.js')).etcdCommand(),
  apiserver: async () => (await import('./apiserver.js')).apiserverCommand(),
  scheduler: async () => (await import('./scheduler.js')).schedulerCommand(),
  'controller-manager': async () => (await import('./controller-manager.js')).controllerManagerCommand(),
  kubelet: async () => (await import('./kubelet.js')).kubeletCommand(),
  up: async () => (await import('./up.js')).upCommand(),
  down: async () => (await import('./down.js')).downCommand(),
  kubeconfig: async () => (await import('./kubeconfig.js')).kubeconfigCommand(),
  admin: async () => (await import('./admin.js')).adminCommand(),
  images: async () => (await import('./images.js')).imagesCommand(),
  proxy: async () => (await import('./proxy.js')).proxyCommand(),
  dns: async () => (await import('./dns.js')).dnsCommand(),
};

const program = new Command('tskube')
  .description('The Kubernetes architecture rebuilt in TypeScript')
  .enablePositionalOptions()
  .showHelpAfterError();

const wanted = process.argv[2];
for (const load of Object.hasOwn(commands, wanted ?? '') ? [commands[wanted]] : Object.values(commands)) program.addCommand(await load());

// flag mistakes exit with 2, like Go's flag package in the upstream components
// (addCommand does not pass settings down, so each command gets it)
const exitOnFlagError = (cmd: Command): void => {
  cmd.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  cmd.commands.forEach(exitOnFlagError);
};
exitOnFlagError(program);

// A failing command prints one clear line, not a stack trace (-v style debugging aside).
try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.TSKUBE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
}
