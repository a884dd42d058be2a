// The ContainerConfig for one attempt of a container: command and args with $(VAR)
// expanded, env, working dir, volume mounts, the CRI log path, upstream's labels and
// annotations, and for real containers the kubelet-managed /etc/hosts, the termination
// message file and the CRI extras (cgroup resources, security context, tty/stdin).
import fs from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerLogPath, etcHostsPath, terminationMessageFile } from '../kubelet-paths.js';
import {
  containerExtras, kubeletContainerAnnotations, kubeletContainerLabels, type PodConfigOptions,
} from '../runtime/cri/pod-cri-config.js';
import type { ContainerConfig, KeyValue, Mount, RuntimeTraits } from '../runtime/runtime-service.js';
import { containerMounts } from '../volumes/pod-volumes.js';
import { expand } from './container-env.js';
import { isolated } from './sandbox-config.js';

export interface ContainerConfigInput {
  pod: Pod;
  spec: Container;
  attempt: number;
  envs: KeyValue[];
  volumes: Map<string, string>;
  rootDir: string;
  traits: RuntimeTraits;
  podConfig: PodConfigOptions;
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const { pod, spec } = i;
  const vars = new Map(i.envs.map((e) => [e.key, e.value]));
  const mounts: Mount[] = containerMounts(spec, i.volumes);
  const real = isolated(i.traits);
  if (real) {
    const uid = pod.metadata!.uid!;
    const taken = new Set(mounts.map((m) => path.posix.normalize(m.containerPath)));
    const hosts = etcHostsPath(i.rootDir, uid);
    if (!pod.spec?.hostNetwork && !taken.has('/etc/hosts') && fs.existsSync(hosts)) mounts.push({ containerPath: '/etc/hosts', hostPath: hosts });
    const msgPath = spec.terminationMessagePath ?? '/dev/termination-log';
    if (msgPath && !taken.has(msgPath)) {
      const file = terminationMessageFile(i.rootDir, uid, spec.name, i.attempt);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '', { mode: 0o666 });
      fs.chmodSync(file, 0o666); // writable whatever user the container runs as
      mounts.push({ containerPath: msgPath, hostPath: file });
    }
  }
  const base: ContainerConfig = {
    metadata: { name: spec.name, attempt: i.attempt },
    image: spec.image ?? '',
    command: (spec.command ?? []).map((a) => expand(a, vars)),
    args: (spec.args ?? []).map((a) => expand(a, vars)),
    workingDir: spec.workingDir,
    envs: i.envs,
    mounts,
    logPath: containerLogPath(spec.name, i.attempt),
    labels: kubeletContainerLabels(pod, spec),
    annotations: kubeletContainerAnnotations(pod, spec, i.attempt),
    // every runtime keeps stdin open for `kubectl attach` when the spec asks for it
    stdin: !!spec.stdin, stdinOnce: !!spec.stdinOnce, tty: !!spec.tty,
  };
  return real ? { ...base, ...containerExtras(pod, spec, i.podConfig) } : base;
}
