// What the node has: CPU, memory, disk and identity, read from the host (os, statfs,
// /etc/machine-id, /etc/os-release) or made up for a hollow node, like kubemark's.
import fs from 'node:fs';
import os from 'node:os';
import type { NodeSystemInfo } from 'kubernetes-types/core/v1.js';

export const KUBELET_VERSION = 'v1.32.0-tskube';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  diskBytes: number;
  systemInfo: Omit<NodeSystemInfo, 'containerRuntimeVersion' | 'kubeletVersion' | 'kubeProxyVersion'>;
}

export const goArch = (): string => ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[os.arch()] ?? os.arch();

const readTrim = (f: string): string => {
  try { return fs.readFileSync(f, 'utf8').trim(); } catch { return ''; }
};

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readTrim('/etc/os-release'));
  return m?.[1] ?? `${os.type()} ${os.release()}`;
}

export function hostMachineInfo(rootDir: string): MachineInfo {
  let diskBytes = 0;
  try {
    const st = fs.statfsSync(fs.existsSync(rootDir) ? rootDir : '/');
    diskBytes = st.blocks * st.bsize;
  } catch { /* no statfs: report no disk */ }
  const machineID = readTrim('/etc/machine-id') || readTrim('/var/lib/dbus/machine-id');
  return {
    cpus: os.cpus().length, memoryBytes: os.totalmem(), diskBytes,
    systemInfo: {
      machineID, systemUUID: readTrim('/sys/class/dmi/id/product_uuid') || machineID, bootID: readTrim('/proc/sys/kernel/random/boot_id'),
      kernelVersion: os.release(), osImage: osImage(), operatingSystem: os.platform(), architecture: goArch(),
    },
  };
}

/** A hollow node's made-up machine (kwok's defaults are in the same spirit). */
export function hollowMachineInfo(name: string): MachineInfo {
  const id = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
  return {
    cpus: 32, memoryBytes: 256 * 2 ** 30, diskBytes: 100 * 2 ** 30,
    systemInfo: {
      machineID: id, systemUUID: id, bootID: id, kernelVersion: os.release(), osImage: 'tskube hollow node', operatingSystem: 'linux', architecture: goArch(),
    },
  };
}
