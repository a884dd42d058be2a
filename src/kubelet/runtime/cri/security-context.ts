// Pod and container securityContext → CRI's Linux security contexts. Container settings
// override the pod's; /proc paths are masked as upstream does unless privileged.
import type { Pod, Container } from 'kubernetes-types/core/v1.js';
import type { LinuxContainerSecurityContext, LinuxSandboxSecurityContext, NamespaceOption, SecurityProfile } from './cri-types.js';

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function namespaceOptions(pod: Pod): NamespaceOption {
  const s = pod.spec ?? { containers: [] };
  return {
    network: s.hostNetwork ? 'NODE' : 'POD',
    pid: s.hostPID ? 'NODE' : s.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s.hostIPC ? 'NODE' : 'POD',
  };
}

function seccomp(type: string | undefined, localhost?: string): SecurityProfile | undefined {
  if (type === 'RuntimeDefault') return { profileType: 'RuntimeDefault' };
  if (type === 'Localhost') return { profileType: 'Localhost', localhostRef: localhost ?? '' };
  if (type === 'Unconfined') return { profileType: 'Unconfined' };
  return undefined;
}

function supplementalGroups(pod: Pod): string[] {
  const psc = pod.spec?.securityContext;
  const groups = [...(psc?.supplementalGroups ?? [])];
  if (psc?.fsGroup !== undefined) groups.push(psc.fsGroup);
  return [...new Set(groups)].map(String);
}

export function sandboxSecurityContext(pod: Pod): LinuxSandboxSecurityContext {
  const psc = pod.spec?.securityContext;
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const out: LinuxSandboxSecurityContext = {
    namespaceOptions: namespaceOptions(pod),
    privileged: all.some((c) => c.securityContext?.privileged),
    supplementalGroups: supplementalGroups(pod),
  };
  if (psc?.runAsUser !== undefined) out.runAsUser = { value: String(psc.runAsUser) };
  if (psc?.runAsGroup !== undefined) out.runAsGroup = { value: String(psc.runAsGroup) };
  const sp = seccomp(psc?.seccompProfile?.type, psc?.seccompProfile?.localhostProfile);
  if (sp) out.seccomp = sp;
  return out;
}

export function containerSecurityContext(pod: Pod, c: Container): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext;
  const csc = c.securityContext;
  const privileged = !!csc?.privileged;
  const runAsUser = csc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = csc?.runAsGroup ?? psc?.runAsGroup;
  const out: LinuxContainerSecurityContext = {
    privileged,
    namespaceOptions: namespaceOptions(pod),
    readonlyRootfs: !!csc?.readOnlyRootFilesystem,
    supplementalGroups: supplementalGroups(pod),
    noNewPrivs: csc?.allowPrivilegeEscalation === false,
    maskedPaths: privileged || csc?.procMount === 'Unmasked' ? [] : DEFAULT_MASKED_PATHS,
    readonlyPaths: privileged || csc?.procMount === 'Unmasked' ? [] : DEFAULT_READONLY_PATHS,
  };
  if (csc?.capabilities) {
    out.capabilities = { addCapabilities: csc.capabilities.add ?? [], dropCapabilities: csc.capabilities.drop ?? [] };
  }
  if (runAsUser !== undefined) out.runAsUser = { value: String(runAsUser) };
  if (runAsGroup !== undefined) out.runAsGroup = { value: String(runAsGroup) };
  const profile = csc?.seccompProfile ?? psc?.seccompProfile;
  const sp = seccomp(profile?.type, profile?.localhostProfile);
  if (sp) out.seccomp = sp;
  return out;
}
