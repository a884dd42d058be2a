// ServiceAccount: pods run as a service account ("default" unless named), which must exist,
// and get its token as the projected volume kube-api-access-XXXXX mounted at
// /var/run/secrets/kubernetes.io/serviceaccount in every container (unless automount is off).
import { serviceaccounts } from '../../../api/resources/core-v1.js';
import { newForbidden } from '../../../api/status/index.js';
import { generateName } from '../../registry/object-meta.js';
import { isPod, type PluginFactory } from '../plugin.js';
import { referencesSecrets } from './noderestriction/mirror-pod.js';

export const NAME = 'ServiceAccount';
export const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const MIRROR = 'kubernetes.io/config.mirror';

export function apiAccessVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export const newServiceAccount: PluginFactory = (ctx) => ({
  name: NAME,
  async admit(a) {
    if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
    const pod = a.object;
    // Mirror pods are left as the kubelet made them, but may not reach API objects through the service account.
    if (pod.metadata?.annotations?.[MIRROR] !== undefined) {
      const refuse = (why: string) => { throw newForbidden({ group: '', resource: 'pods' }, a.name, why); };
      if (pod.spec?.serviceAccountName) refuse('a mirror pod may not reference service accounts');
      if (referencesSecrets(pod)) refuse('a mirror pod may not reference secrets');
      if ((pod.spec?.volumes ?? []).some((v: any) => (v.projected?.sources ?? []).some((s: any) => s.serviceAccountToken))) refuse('a mirror pod may not use ServiceAccountToken volume projections');
      return;
    }
    const spec = (pod.spec ??= {});
    spec.serviceAccountName ||= spec.serviceAccount || 'default';
    spec.serviceAccount = spec.serviceAccountName;
    let sa = await ctx.get(serviceaccounts, a.namespace, spec.serviceAccountName);
    if (!sa && spec.serviceAccountName === 'default') {
      // Stands in for the serviceaccount controller until the controller-manager runs one.
      sa = await ctx.registry.create(serviceaccounts, a.namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })
        .catch(() => ctx.get(serviceaccounts, a.namespace, 'default'));
    }
    if (!sa) {
      throw newForbidden({ group: '', resource: 'pods' }, a.name,
        `error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
    }
    const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
    if (!automount) return;
    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    if (containers.some((c: any) => (c.volumeMounts ?? []).some((m: any) => m.mountPath === MOUNT_PATH))) return;
    const volumeName = generateName('kube-api-access-');
    spec.volumes = [...(spec.volumes ?? []), apiAccessVolume(volumeName)];
    for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: MOUNT_PATH }];
  },
});
