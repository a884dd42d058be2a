// Every admission plugin by upstream name, in upstream's order (which is the order they
// run, whatever order the flags list them in), and the default-on set.
import type { PluginFactory } from './plugin.js';
import { newDefaultStorageClass } from './plugins/default-storage-class.js';
import { newDefaultTolerationSeconds } from './plugins/default-toleration-seconds.js';
import { newLimitRanger } from './plugins/limitranger/limit-ranger.js';
import { newNamespaceLifecycle } from './plugins/namespace-lifecycle.js';
import { newNodeRestriction } from './plugins/noderestriction/node-restriction.js';
import { newPodSecurity } from './plugins/pod-security.js';
import { newPriority } from './plugins/priority.js';
import { newResourceQuota } from './plugins/resource-quota.js';
import { newServiceAccount } from './plugins/service-account.js';
import { newValidatingAdmissionPolicy } from './policy/validating-admission-policy.js';
import { newMutatingWebhook, newValidatingWebhook } from './webhook/webhook-plugins.js';

/** Known names; undefined = accepted for compatibility with upstream flags but not implemented. */
export const ORDERED_PLUGINS: Array<[string, PluginFactory | undefined]> = [
  ['NamespaceLifecycle', newNamespaceLifecycle],
  ['LimitRanger', newLimitRanger],
  ['ServiceAccount', newServiceAccount],
  ['NodeRestriction', newNodeRestriction],
  ['TaintNodesByCondition', undefined],
  ['AlwaysPullImages', undefined],
  ['PodSecurity', newPodSecurity],
  ['Priority', newPriority],
  ['DefaultTolerationSeconds', newDefaultTolerationSeconds],
  ['PersistentVolumeClaimResize', undefined],
  ['RuntimeClass', undefined],
  ['CertificateApproval', undefined],
  ['CertificateSigning', undefined],
  ['ClusterTrustBundleAttest', undefined],
  ['CertificateSubjectRestriction', undefined],
  ['DefaultIngressClass', undefined],
  ['DefaultStorageClass', newDefaultStorageClass],
  ['StorageObjectInUseProtection', undefined],
  ['MutatingAdmissionWebhook', newMutatingWebhook],
  ['ValidatingAdmissionPolicy', newValidatingAdmissionPolicy],
  ['ValidatingAdmissionWebhook', newValidatingWebhook],
  ['ResourceQuota', newResourceQuota],
];

export const DEFAULT_ON = [
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'TaintNodesByCondition', 'PodSecurity', 'Priority', 'DefaultTolerationSeconds',
  'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'RuntimeClass', 'CertificateApproval', 'CertificateSigning',
  'ClusterTrustBundleAttest', 'CertificateSubjectRestriction', 'DefaultIngressClass', 'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook', 'ResourceQuota',
];

/** The enabled names in run order: defaults plus --enable, minus --disable. Unknown names are an error. */
export function enabledPlugins(enable: string[], disable: string[]): string[] {
  const known = ORDERED_PLUGINS.map(([n]) => n);
  for (const [flag, names] of [['--enable-admission-plugins', enable], ['--disable-admission-plugins', disable]] as const) {
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length) throw new Error(`${flag}: unknown admission plugin(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  const both = enable.filter((n) => disable.includes(n));
  if (both.length) throw new Error(`${both.join(', ')} in both --enable-admission-plugins and --disable-admission-plugins`);
  const on = new Set([...DEFAULT_ON, ...enable]);
  for (const n of disable) on.delete(n);
  return known.filter((n) => on.has(n));
}
