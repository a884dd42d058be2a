// The network of a cluster whose workers are real (`tskube up --runtime containerd --nodes N`):
// each worker gets a network namespace of its own — its containerd, kubelet, kube-proxy and
// pods live there — plugged by a veth into one bridge in the namespace `tskube up` runs in,
// where the control-plane node (the host) holds the bridge's first address. So every node
// has an address on one L2 segment (like kind's docker network), and pod-routes.ts adds a
// route per node's podCIDR via that node's address. All of it is made and removed by tskube.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';

export interface NodeNet {
  name: string;
  /** The worker's network namespace (undefined for the control plane: the host's own). */
  netns?: string;
  /** Its address on the node network. */
  ip: string;
  /** The host end of its veth (workers only). */
  hostVeth?: string;
}

export interface NodeNetworkPlan {
  bridge: string;
  /** e.g. 172.30.7.0/24; the control plane (bridge) is .1, worker i is .(10+i). */
  subnet: string;
  gateway: string;
  nodes: NodeNet[];
  /** Every node's pod CIDR lies in it: traffic inside stays unNATed, traffic leaving it is masqueraded by the node. */
  clusterCIDR: string;
  /** Comment on this network's host masquerade rule, so removal finds it. */
  masqComment: string;
}

const hash = (s: string, n = 8): string => crypto.createHash('sha256').update(s).digest('hex').slice(0, n);

/** 172.30.X.0/24 with X from the data dir's hash, skipping subnets a route of this namespace already covers. */
export function chooseNodeSubnet(dataDir: string, taken: string[] = currentRoutes()): string {
  const start = parseInt(hash(dataDir, 4), 16) % 250;
  for (let i = 0; i < 250; i++) {
    const subnet = `172.30.${(start + i) % 250 + 1}.0/24`;
    if (!taken.some((r) => overlaps(r, subnet))) return subnet;
  }
  throw new Error('no free /24 in 172.30.0.0/16 for the node network');
}

export function planNodeNetwork(dataDir: string, nodeNames: string[], subnet: string, clusterCIDR: string): NodeNetworkPlan {
  const base = subnet.split('/')[0].split('.').slice(0, 3).join('.');
  const id = hash(dataDir, 6);
  return {
    bridge: `tskn${hash(dataDir)}`,
    subnet,
    gateway: `${base}.1`,
    nodes: nodeNames.map((name, i) => (i === 0
      ? { name, ip: `${base}.1` }
      : { name, netns: `tsk-${id}-${name}`, ip: `${base}.${10 + i}`, hostVeth: `tskv${hash(`${dataDir}\0${name}`)}` })),
    clusterCIDR,
    masqComment: `tskube node network ${id}`,
  };
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function currentRoutes(): string[] {
  const r = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((l) => l.split(' ')[0]).filter((d) => /^\d/.test(d));
}

const toInt = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
function overlaps(a: string, b: string): boolean {
  const range = (c: string): [number, number] => {
    const [addr, bits = '32'] = c.split('/');
    const size = 2 ** (32 - Number(bits));
    const lo = Math.floor(toInt(addr) / size) * size;
    return [lo, lo + size - 1];
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

const sysctl = (netns: string | undefined, kv: string): void => {
  spawnSync(netns ? 'ip' : 'sysctl', netns ? ['netns', 'exec', netns, 'sysctl', '-qw', kv] : ['-qw', kv]);
};

/** Makes the bridge, the workers' namespaces and veths (after removing what an earlier run left). */
export function createNodeNetwork(p: NodeNetworkPlan): void {
  removeNodeNetwork(p);
  const [, bits] = p.subnet.split('/');
  try {
    ip('link', 'add', p.bridge, 'type', 'bridge');
    ip('addr', 'add', `${p.gateway}/${bits}`, 'dev', p.bridge);
    ip('link', 'set', p.bridge, 'up');
    // the host routes between nodes and its own pods, as every Kubernetes node must
    sysctl(undefined, 'net.ipv4.ip_forward=1');
    for (const n of p.nodes) {
      if (!n.netns || !n.hostVeth) continue;
      ip('netns', 'add', n.netns);
      ip('-n', n.netns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns);
      ip('link', 'set', n.hostVeth, 'master', p.bridge);
      ip('link', 'set', n.hostVeth, 'up');
      ip('-n', n.netns, 'addr', 'add', `${n.ip}/${bits}`, 'dev', 'eth0');
      ip('-n', n.netns, 'link', 'set', 'eth0', 'up');
      ip('-n', n.netns, 'route', 'add', 'default', 'via', p.gateway);
      sysctl(n.netns, 'net.ipv4.ip_forward=1');
      // pods talk to pods on other nodes with their own addresses (no NAT inside the cluster, the
      // Kubernetes network model); what leaves the cluster network takes the node's address, as
      // kind's ip-masq-agent does. The rule lives in the node's namespace and goes with it.
      ip('netns', 'exec', n.netns, 'iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-s', p.clusterCIDR, '!', '-d', p.clusterCIDR,
        '-m', 'comment', '--comment', 'tskube: pod traffic leaving the cluster network', '-j', 'MASQUERADE');
    }
    // nodes (and the pods they masquerade) reach beyond the host through it
    spawnSync('iptables', ['-w', '-t', 'nat', '-A', 'POSTROUTING', '-s', p.subnet, '!', '-o', p.bridge, '-m', 'comment', '--comment', p.masqComment, '-j', 'MASQUERADE']);
  } catch (err) {
    removeNodeNetwork(p);
    throw err;
  }
}

/** Removes namespaces, veths, the bridge and the host rule; quiet about what is not there. */
export function removeNodeNetwork(p: NodeNetworkPlan): void {
  for (const n of p.nodes) {
    if (n.netns) spawnSync('ip', ['netns', 'del', n.netns]);
    if (n.hostVeth) spawnSync('ip', ['link', 'del', n.hostVeth]);
  }
  spawnSync('ip', ['link', 'del', p.bridge]);
  while (spawnSync('iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', '-s', p.subnet, '!', '-o', p.bridge, '-m', 'comment', '--comment', p.masqComment, '-j', 'MASQUERADE']).status === 0) { /* duplicates too */ }
}
