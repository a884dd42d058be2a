// What `tskube up --runtime containerd` needs before it starts anything: root (containerd
// and runc create namespaces and cgroups), the binaries and CNI plugins scripts/setup
// installs from Debian's packages, and registry settings that parse.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { parseRegistryMirrors } from '../../kubelet/runtime/cri/containerd-process.js';
import type { RegistryHostConfig } from '../../kubelet/runtime/cri/containerd-config.js';
import { mergeMirrors, readRegistriesFile } from '../../images/registries-file.js';

export const CNI_BIN_DIR = '/usr/lib/cni';
const CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'];

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function checkContainerdPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('--runtime containerd needs root: containerd and runc create namespaces and cgroups (run `sudo tskube up …`)');
  const missing = ['containerd', 'runc', 'ctr', 'iptables', 'ip'].filter((c) => !onPath(c));
  const plugins = CNI_PLUGINS.filter((p) => !fs.existsSync(`${CNI_BIN_DIR}/${p}`));
  if (missing.length || plugins.length) {
    const what = [...missing, ...plugins.map((p) => `${CNI_BIN_DIR}/${p}`)].join(', ');
    throw new Error(`--runtime containerd: missing ${what}; \`bash scripts/setup\` installs containerd, runc and containernetworking-plugins from the system's packages`);
  }
}

/** --registry-mirror flags and --registries-file merged (flag endpoints first). */
export function resolveRegistries(flags: string[], file?: string): { mirrors: Record<string, string[]>; configs: Record<string, RegistryHostConfig> } {
  const fromFlags = parseRegistryMirrors(flags);
  const fromFile = file ? readRegistriesFile(file) : { mirrors: {}, configs: {} };
  return { mirrors: mergeMirrors(fromFile.mirrors, fromFlags), configs: fromFile.configs };
}
