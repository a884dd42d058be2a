#!/usr/bin/env node
// tskube: every component of the picture as one subcommand each (see DESIGN.md).
import { Command } from 'commander';
import { etcdCommand } from './etcd.js';
import { apiserverCommand } from './apiserver.js';
import { schedulerCommand } from './scheduler.js';
import { controllerManagerCommand } from './controller-manager.js';
import { kubeletCommand } from './kubelet.js';
import { upCommand } from './up.js';
import { downCommand } from './down.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { adminCommand } from './admin.js';
import { imagesCommand } from './images.js';
import { proxyCommand } from './proxy.js';
import { dnsCommand } from './dns.js';

const program = new Command('tskube')
  .description('The Kubernetes architecture rebuilt in TypeScript')
  .enablePositionalOptions()
  .showHelpAfterError();

program.addCommand(etcdCommand());
program.addCommand(apiserverCommand());
program.addCommand(schedulerCommand());
program.addCommand(controllerManagerCommand());
program.addCommand(kubeletCommand());
program.addCommand(upCommand());
program.addCommand(downCommand());
program.addCommand(kubeconfigCommand());
program.addCommand(adminCommand());
program.addCommand(imagesCommand());
program.addCommand(proxyCommand());
program.addCommand(dnsCommand());

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
