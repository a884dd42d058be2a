// containerd's config.toml (version 2) for a node that tskube runs itself, k3s style: every
// path under one data dir, the CRI plugin on, tskube's pause image as the sandbox image,
// CNI from Debian's plugin dir, registry mirrors through hosts.toml files.
import path from 'node:path';

export interface ContainerdLayout {
  dataDir: string;
  config: string;
  root: string;
  state: string;
  socket: string;
  /** CNI network configs (conf_dir). */
  cniConfDir: string;
  cniTemplate: string;
  ipamDataDir: string;
  /** hosts.toml tree (registry config_path). */
  certsDir: string;
  runcRoot: string;
  log: string;
}

export function containerdLayout(dataDir: string): ContainerdLayout {
  const d = path.resolve(dataDir);
  return {
    dataDir: d,
    config: path.join(d, 'config.toml'),
    root: path.join(d, 'root'),
    state: path.join(d, 'state'),
    socket: path.join(d, 'containerd.sock'),
    cniConfDir: path.join(d, 'cni', 'net.d'),
    cniTemplate: path.join(d, 'cni', 'template.conflist'),
    ipamDataDir: path.join(d, 'cni', 'networks'),
    certsDir: path.join(d, 'certs.d'),
    runcRoot: path.join(d, 'runc'),
    log: path.join(d, 'containerd.log'),
  };
}

/** k3s registries.yaml `configs` entry: TLS and credentials for one registry host. */
export interface RegistryHostConfig {
  auth?: { username?: string; password?: string; auth?: string; identityToken?: string };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; insecureSkipVerify?: boolean };
}

export interface ContainerdConfigOptions {
  sandboxImage: string;
  snapshotter: 'overlayfs' | 'native';
  cniBinDir: string;
  /** Use conf_template, so UpdateRuntimeConfig(podCIDR) writes the CNI config. */
  cniTemplate: boolean;
  /** Clamp oom_score_adj to containerd's own (needed without CAP_SYS_RESOURCE, e.g. in a container). */
  restrictOomScoreAdj: boolean;
  /** Credentials per registry host go into the CRI plugin's registry.configs (hosts.toml has no auth). */
  registryConfigs?: Record<string, RegistryHostConfig>;
}

const q = (s: string): string => JSON.stringify(s); // TOML basic strings share JSON's escapes

export function containerdConfigToml(l: ContainerdLayout, o: ContainerdConfigOptions): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `# written by tskube; regenerated at every start
version = 2
root = ${q(l.root)}
state = ${q(l.state)}

[grpc]
  address = ${q(l.socket)}

[ttrpc]
  address = ${q(l.socket + '.ttrpc')}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(path.join(l.dataDir, 'opt'))}

${cri}]
  sandbox_image = ${q(o.sandboxImage)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  enable_selinux = false
  disable_apparmor = true
  restrict_oom_score_adj = ${o.restrictOomScoreAdj}
  max_container_log_line_size = 16384

${cri}.containerd]
  snapshotter = ${q(o.snapshotter)}
  default_runtime_name = "runc"

${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

${cri}.containerd.runtimes.runc.options]
  Root = ${q(l.runcRoot)}
  SystemdCgroup = false

${cri}.cni]
  bin_dir = ${q(o.cniBinDir)}
  conf_dir = ${q(l.cniConfDir)}
  max_conf_num = 1
${o.cniTemplate ? `  conf_template = ${q(l.cniTemplate)}\n` : ''}
${cri}.registry]
  config_path = ${q(l.certsDir)}
${Object.entries(o.registryConfigs ?? {}).filter(([, c]) => c.auth).map(([host, c]) => `
${cri}.registry.configs.${q(host)}.auth]
${c.auth!.username !== undefined ? `  username = ${q(c.auth!.username)}\n` : ''}${c.auth!.password !== undefined ? `  password = ${q(c.auth!.password)}\n` : ''}${c.auth!.auth !== undefined ? `  auth = ${q(c.auth!.auth)}\n` : ''}${c.auth!.identityToken !== undefined ? `  identitytoken = ${q(c.auth!.identityToken)}\n` : ''}`).join('')}`;
}

function tlsLines(c: RegistryHostConfig | undefined, indent: string): string {
  const t = c?.tls;
  if (!t) return '';
  let out = '';
  if (t.caFile) out += `${indent}ca = ${q(t.caFile)}\n`;
  if (t.certFile && t.keyFile) out += `${indent}client = [[${q(t.certFile)}, ${q(t.keyFile)}]]\n`;
  if (t.insecureSkipVerify) out += `${indent}skip_verify = true\n`;
  return out;
}

/** hosts.toml for one registry host: pull and resolve through `endpoints` in order, then the host itself. */
export function hostsToml(host: string, endpoints: string[], configs: Record<string, RegistryHostConfig> = {}): string {
  const server = host === 'docker.io' ? 'https://registry-1.docker.io' : `https://${host}`;
  let out = `server = ${q(server)}\n${tlsLines(configs[host], '')}`;
  for (const e of endpoints) {
    const epHost = e.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    out += `\n[host.${q(e)}]\n  capabilities = ["pull", "resolve"]\n${tlsLines(configs[epHost], '  ')}`;
  }
  return out;
}
