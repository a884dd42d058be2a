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

export interface ContainerdConfigOptions {
  sandboxImage: string;
  snapshotter: 'overlayfs' | 'native';
  cniBinDir: string;
  /** Use conf_template, so UpdateRuntimeConfig(podCIDR) writes the CNI config. */
  cniTemplate: boolean;
  /** Clamp oom_score_adj to containerd's own (needed without CAP_SYS_RESOURCE, e.g. in a container). */
  restrictOomScoreAdj: boolean;
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
`;
}

/** hosts.toml for one registry host: pull and resolve through `endpoints` in order. */
export function hostsToml(host: string, endpoints: string[]): string {
  const server = host === 'docker.io' ? 'https://registry-1.docker.io' : `https://${host}`;
  let out = `server = ${q(server)}\n`;
  for (const e of endpoints) {
    out += `\n[host.${q(e)}]\n  capabilities = ["pull", "resolve"]\n`;
    if (e.startsWith('https://')) out += '  skip_verify = true\n';
  }
  return out;
}
