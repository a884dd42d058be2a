// `tskube admin`: cluster administration like kubeadm's (today: certs and kubeconfigs).
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { checkExpiration, writeCertsAndKubeconfigs } from '../admin/admin-certs.js';

const fail = (err: unknown): never => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
};

export function adminCommand(): Command {
  const certs = new Command('certs')
    .description('write kubeadm\'s PKI tree and kubeconfigs, keeping existing valid files')
    .enablePositionalOptions()
    .option('--cert-dir <dir>', 'where certificates and keys go', '/etc/kubernetes/pki')
    .option('--kubeconfig-dir <dir>', 'where kubeconfigs go (default: the cert dir\'s parent)')
    .option('--apiserver-advertise-address <ip>', 'the API server\'s address (a SAN)', '127.0.0.1')
    .option('--apiserver-cert-extra-sans <sans>', 'more SANs for the API server certificate (comma-separated)', '')
    .option('--service-cidr <cidr>', 'the Service range (its first IP is a SAN)', '10.96.0.0/12')
    .option('--node-name <name>', 'this node\'s name', os.hostname().toLowerCase())
    .option('--control-plane-endpoint <host:port>', 'address the kubeconfigs point at (default ADVERTISE:6443)')
    .option('--cluster-name <name>', 'cluster name in the kubeconfigs', 'kubernetes')
    .option('--super-admin', 'also write super-admin.conf', false)
    .action(async (o) => {
      await writeCertsAndKubeconfigs({
        certDir: path.resolve(o.certDir), kubeconfigDir: path.resolve(o.kubeconfigDir ?? path.dirname(path.resolve(o.certDir))),
        advertiseAddress: o.apiserverAdvertiseAddress, serviceCIDR: o.serviceCidr, nodeName: o.nodeName,
        extraSANs: String(o.apiserverCertExtraSans).split(',').map((s: string) => s.trim()).filter(Boolean),
        controlPlaneEndpoint: o.controlPlaneEndpoint, clusterName: o.clusterName, superAdmin: !!o.superAdmin,
      }, (s) => process.stdout.write(s + '\n')).catch(fail);
    });
  certs.addCommand(new Command('check-expiration')
    .description('list when each certificate and CA expires')
    .option('--cert-dir <dir>', 'where certificates and keys are', '/etc/kubernetes/pki')
    .option('--kubeconfig-dir <dir>', 'where kubeconfigs are (default: the cert dir\'s parent)')
    .action((o) => {
      try {
        const certDir = path.resolve(o.certDir);
        process.stdout.write(checkExpiration(certDir, path.resolve(o.kubeconfigDir ?? path.dirname(certDir))));
      } catch (err) {
        fail(err);
      }
    }));
  return new Command('admin').description('cluster administration (kubeadm\'s jobs)').enablePositionalOptions().addCommand(certs);
}
