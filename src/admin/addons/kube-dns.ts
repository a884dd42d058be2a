// Cluster DNS as the issue asks for it: a kube-dns Deployment running `tskube dns` behind the
// kube-dns Service at the tenth address of the Service range (kubeadm installs CoreDNS under
// the same Service name and address). Its ServiceAccount kube-dns is bound to upstream's
// system:kube-dns role (Services, Endpoints) and to system:coredns, kubeadm's role for what
// CoreDNS also watches (EndpointSlices, Pods, Namespaces).
import type { KubeObject } from './apply-addons.js';
import { ADDON_IMAGE, CONTROL_PLANE_TAINT_KEY, dnsServiceIP, serviceAccountKubeconfig, tskubeMounts, type AddonInput } from './addon-input.js';

export function kubeDnsObjects(i: AddonInput): KubeObject[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const { volumes, mounts } = tskubeMounts(i);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-dns', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }],
    },
    {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-dns', namespace: 'kube-system' },
      data: { 'kubeconfig.conf': serviceAccountKubeconfig(i.apiServerURL) },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kube-dns', namespace: 'kube-system', labels },
      spec: {
        replicas: i.dnsReplicas,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'kube-dns',
            ...(i.sharedNetwork ? { hostNetwork: true } : {}),
            // its upstream resolvers are the node's
            dnsPolicy: 'Default',
            nodeSelector: { 'kubernetes.io/os': 'linux', ...(i.dnsOnControlPlane ? { [CONTROL_PLANE_TAINT_KEY]: '' } : {}) },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              ...(i.dnsOnControlPlane ? [{ key: CONTROL_PLANE_TAINT_KEY, effect: 'NoSchedule' }] : []),
            ],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' },
                }],
              },
            },
            containers: [{
              name: 'kube-dns',
              image: ADDON_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              // bound to the pod's address, not 0.0.0.0: a UDP answer must come from the address the
              // query was NATed to, which a wildcard socket does not guarantee on a host-network pod
              command: [...i.tskube, 'dns', '--kubeconfig=/etc/kube-dns/kubeconfig.conf', `--cluster-domain=${i.clusterDomain}`, '--dns-bind-address=$(POD_IP)', `--dns-port=${i.dnsPort}`],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [
                { name: 'dns', containerPort: i.dnsPort, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: i.dnsPort, protocol: 'TCP' },
              ],
              resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/kube-dns', readOnly: true }, ...mounts],
            }],
            volumes: [{ name: 'config', configMap: { name: 'kube-dns' } }, ...volumes],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: {
        name: 'kube-dns', namespace: 'kube-system',
        labels: { ...labels, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' },
      },
      spec: {
        selector: labels,
        clusterIP: dnsServiceIP(i.serviceCIDR),
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
        ],
      },
    },
  ];
}
