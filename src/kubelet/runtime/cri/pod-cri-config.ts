// What a pod adds to the kubelet's runtime-neutral sandbox and container configs when the
// runtime is CRI: DNS, port mappings, cgroup parent, sysctls, security contexts, cgroup
// resources, devices and terminal flags. The kubelet spreads these into the configs it
// passes to runPodSandbox/createContainer; CriRuntime sends them on to the runtime.
import type { Pod, Container } from 'kubernetes-types/core/v1.js';
import type * as rt from '../runtime-service.js';
import type { DNSConfig, Device, LinuxContainerResources, LinuxContainerSecurityContext, LinuxPodSandboxConfig, PortMapping } from './cri-types.js';
import { podDNSConfig, type DnsOptions } from './dns-config.js';
import { linuxResources } from './linux-resources.js';
import { podQOSClass } from './pod-qos.js';
import { containerHash, HASH_ANNOTATION } from '../../pods/container-hash.js';
import { containerSecurityContext, sandboxSecurityContext } from './security-context.js';

export interface SandboxExtras {
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  linux?: LinuxPodSandboxConfig;
}

export interface ContainerExtras {
  linux?: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
  devices?: Device[];
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
}

/** The kubelet's configs carry the CRI extras as optional fields (the base config alone works). */
export type CriPodSandboxConfig = rt.PodSandboxConfig;
export type CriContainerConfig = rt.ContainerConfig;

export interface PodConfigOptions extends Partial<DnsOptions> {
  /** cgroupfs parent of pod cgroups, e.g. /kubepods; empty leaves placement to the runtime. */
  cgroupRoot?: string;
  /** How the runtime names cgroups (its runc SystemdCgroup setting); default cgroupfs. */
  cgroupDriver?: 'cgroupfs' | 'systemd';
  /** Node memory, for Burstable OOM scores. */
  nodeMemoryBytes?: number;
}

/**
 * The pod's cgroup: ROOT/pod<uid> (Guaranteed) or ROOT/<qos>/pod<uid> with the cgroupfs
 * driver; with systemd the same path as one slice name (kubepods-burstable-pod<uid>.slice,
 * dashes in the uid become underscores), as upstream's cgroup manager names them.
 */
export function podCgroupParent(pod: Pod, root: string, driver: 'cgroupfs' | 'systemd' = 'cgroupfs'): string {
  const qos = podQOSClass(pod);
  const uid = pod.metadata?.uid ?? '';
  const parts = root.split('/').filter(Boolean);
  if (qos !== 'Guaranteed') parts.push(qos.toLowerCase());
  if (driver === 'systemd') {
    parts.push(`pod${uid.replace(/-/g, '_')}`);
    return `${parts.map((p) => p.replace(/-/g, '_')).join('-')}.slice`;
  }
  parts.push(`pod${uid}`);
  return `/${parts.join('/')}`;
}

export function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      out.push({
        protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'],
        containerPort: p.containerPort,
        hostPort: p.hostPort ?? 0,
        hostIp: p.hostIP ?? '',
      });
    }
  }
  return out;
}

export function sandboxExtras(pod: Pod, o: PodConfigOptions = {}): SandboxExtras {
  const linux: LinuxPodSandboxConfig = { securityContext: sandboxSecurityContext(pod) };
  if (o.cgroupRoot) linux.cgroupParent = podCgroupParent(pod, o.cgroupRoot, o.cgroupDriver);
  const sysctls = pod.spec?.securityContext?.sysctls;
  if (sysctls?.length) linux.sysctls = Object.fromEntries(sysctls.map((s) => [s.name, s.value]));
  return {
    dnsConfig: podDNSConfig(pod, { clusterDNS: o.clusterDNS ?? [], clusterDomain: o.clusterDomain ?? 'cluster.local', resolvConf: o.resolvConf }),
    portMappings: portMappings(pod),
    linux,
  };
}

export function containerExtras(pod: Pod, c: Container, o: PodConfigOptions = {}): ContainerExtras {
  return {
    linux: {
      resources: linuxResources(pod, c, o.nodeMemoryBytes ?? 0),
      securityContext: containerSecurityContext(pod, c),
    },
    tty: !!c.tty,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
  };
}

/** The labels upstream's kubelet puts on every container (crictl and tools read them). */
export function kubeletContainerLabels(pod: Pod, c: Container): Record<string, string> {
  const m = pod.metadata ?? {};
  return {
    'io.kubernetes.pod.name': m.name ?? '',
    'io.kubernetes.pod.namespace': m.namespace ?? 'default',
    'io.kubernetes.pod.uid': m.uid ?? '',
    'io.kubernetes.container.name': c.name,
  };
}

export function kubeletContainerAnnotations(pod: Pod, c: Container, restartCount: number): Record<string, string> {
  const out: Record<string, string> = {
    [HASH_ANNOTATION]: containerHash(c),
    'io.kubernetes.container.restartCount': String(restartCount),
    'io.kubernetes.container.terminationMessagePath': c.terminationMessagePath ?? '/dev/termination-log',
    'io.kubernetes.container.terminationMessagePolicy': c.terminationMessagePolicy ?? 'File',
    'io.kubernetes.pod.terminationGracePeriod': String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
  if (c.ports?.length) out['io.kubernetes.container.ports'] = JSON.stringify(c.ports);
  return out;
}
