// `tskube down`: stop a cluster started with `tskube up` (usually `-d`).
import fs from 'node:fs';
import { Command } from 'commander';
import { clusterLayout } from '../admin/up/cluster-layout.js';
import { downCluster } from '../admin/up/detach.js';
import { clusterProcesses, stopCluster } from '../admin/up/processes.js';
import { readState } from '../admin/up/cluster-state.js';
import { nodeContainerdDir, sweepNodeRuntime } from '../admin/up/node-runtime.js';
import { removeNodeNetwork } from '../admin/up/node-network.js';

export function downCommand(): Command {
  return new Command('down')
    .description('stop a cluster started with `tskube up -d` (its data stays; `tskube up` brings it back)')
    .option('--name <name>', 'cluster name', 'tskube')
    .option('--data-dir <dir>', 'the cluster\'s data dir (default ~/.tskube/NAME, or /var/lib/tskube/NAME as root)')
    .action(async (o) => {
      const l = clusterLayout(o.name, o.dataDir);
      try {
        const stopped = await downCluster(l);
        const strays = clusterProcesses(l.dataDir);
        if (strays.length) await stopCluster(l.dataDir, [], 5000);
        // containerd of nodes whose `up` died without stopping them: sandboxes, shims, cgroups, bridges
        const state = readState(l);
        for (const n of state?.nodes ?? []) {
          if (fs.existsSync(nodeContainerdDir(l, n.name))) await sweepNodeRuntime(l, n.name, (m) => process.stdout.write(`${m}\n`));
        }
        // the node network an `up` that was killed outright could not remove (quiet when it is gone)
        if (state?.nodeNetwork) removeNodeNetwork(state.nodeNetwork);
        if (stopped) process.stdout.write(`Stopped cluster "${o.name}".\n`);
        else if (strays.length) process.stdout.write(`Stopped ${strays.length} process(es) left by cluster "${o.name}".\n`);
        else process.stdout.write(`Cluster "${o.name}" is not running (data dir ${l.dataDir}).\n`);
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
}
