// `tskube kubeconfig`: print a cluster's admin kubeconfig (like `kind get kubeconfig`).
import fs from 'node:fs';
import { Command } from 'commander';
import { clusterLayout } from '../admin/up/cluster-layout.js';

export function kubeconfigCommand(): Command {
  return new Command('kubeconfig')
    .description('print the admin kubeconfig of a cluster made by `tskube up`')
    .option('--name <name>', 'cluster name', 'tskube')
    .option('--data-dir <dir>', 'the cluster\'s data dir (default ~/.tskube/NAME, or /var/lib/tskube/NAME as root)')
    .action((o) => {
      const l = clusterLayout(o.name, o.dataDir);
      if (!fs.existsSync(l.adminConf)) {
        process.stderr.write(`error: no cluster "${o.name}" in ${l.dataDir} (no admin.conf); create it with \`tskube up --name ${o.name}\`\n`);
        process.exit(1);
      }
      process.stdout.write(fs.readFileSync(l.adminConf, 'utf8'));
    });
}
