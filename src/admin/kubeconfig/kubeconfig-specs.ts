// The kubeconfigs kubeadm writes next to pki/: who each component is to the API server.
// The client certificate's CN is the user and its O the groups (x509 authentication).
export interface KubeconfigSpec {
  /** File name under the kubeconfig dir, also the name check-expiration prints. */
  file: string;
  cn: string;
  orgs: string[];
}

export const adminKubeconfig = (): KubeconfigSpec => ({ file: 'admin.conf', cn: 'kubernetes-admin', orgs: ['system:masters'] });
export const superAdminKubeconfig = (): KubeconfigSpec => ({ file: 'super-admin.conf', cn: 'kubernetes-super-admin', orgs: ['system:masters'] });
export const controllerManagerKubeconfig = (): KubeconfigSpec => ({ file: 'controller-manager.conf', cn: 'system:kube-controller-manager', orgs: [] });
export const schedulerKubeconfig = (): KubeconfigSpec => ({ file: 'scheduler.conf', cn: 'system:kube-scheduler', orgs: [] });
export const kubeletKubeconfig = (nodeName: string, file = 'kubelet.conf'): KubeconfigSpec => ({ file, cn: `system:node:${nodeName}`, orgs: ['system:nodes'] });

export function controlPlaneKubeconfigs(nodeName: string, superAdmin = false): KubeconfigSpec[] {
  return [
    adminKubeconfig(),
    ...(superAdmin ? [superAdminKubeconfig()] : []),
    controllerManagerKubeconfig(),
    schedulerKubeconfig(),
    kubeletKubeconfig(nodeName),
  ];
}
