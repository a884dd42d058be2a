// kube-proxy as kubeadm installs it (`kubeadm init phase addon kube-proxy`): a ServiceAccount
// bound to system:node-proxier, the kube-proxy ConfigMap (KubeProxyConfiguration and a
// service-account kubeconfig) and a host-network DaemonSet that tolerates every taint, so
// each node gets one kube-proxy-xxxxx pod running `tskube proxy`.
import type { KubeObject } from './apply-addons.js';
import { ADDON_IMAGE, CONTROL_PLANE_TAINT_KEY, serviceAccountKubeconfig, tskubeMounts, type AddonInput } from './addon-input.js';

export function kubeProxyConfiguration(i: AddonInput): string {
  return [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'kind: KubeProxyConfiguration',
    'bindAddress: 0.0.0.0',
    'clientConnection:',
    '  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf',
    `clusterCIDR: ${i.clusterCIDR}`,
    `healthzBindAddress: 0.0.0.0:${i.proxyHealthzPort}`,
    `metricsBindAddress: 127.0.0.1:${i.proxyMetricsPort}`,
    'iptables:',
    '  masqueradeAll: false',
    '  minSyncPeriod: 1s',
    '  syncPeriod: 30s',
    `mode: ${i.proxyMode}`,
    'nftables:',
    '  masqueradeAll: false',
    '  minSyncPeriod: 1s',
    '  syncPeriod: 30s',
    'nodePortAddresses: null',
    '',
  ].join('\n');
}

export function kubeProxyObjects(i: AddonInput): KubeObject[] {
  const labels = { 'k8s-app': 'kube-proxy' };
  const { volumes, mounts } = tskubeMounts(i);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kubeadm:node-proxier' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }],
    },
    {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
      data: { 'config.conf': kubeProxyConfiguration(i), 'kubeconfig.conf': serviceAccountKubeconfig(i.apiServerURL) },
    },
    {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'kube-proxy',
            // nodes sharing one network get one kube-proxy: two would fight over its rules and ports
            nodeSelector: { 'kubernetes.io/os': 'linux', ...(i.sharedNetwork ? { [CONTROL_PLANE_TAINT_KEY]: '' } : {}) },
            tolerations: [{ operator: 'Exists' }],
            containers: [{
              name: 'kube-proxy',
              image: ADDON_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command: [...i.tskube, 'proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              securityContext: { privileged: true },
              volumeMounts: [
                { name: 'kube-proxy', mountPath: '/var/lib/kube-proxy' },
                { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
                ...mounts,
              ],
            }],
            volumes: [
              { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              ...volumes,
            ],
          },
        },
      },
    },
  ];
}
