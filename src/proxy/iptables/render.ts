// Renders the whole desired state of kube-proxy's iptables chains, as upstream's iptables
// proxier lays them out. Pure: Service ports in, chains and rules out.
import type { ServicePort, Endpoint } from '../service-port.js';
import { extChain, sepChain, svcChain, svcsChain, svlChain } from './chain-names.js';

export const MASQ_MARK = '0x4000';

export interface RenderOptions {
  /** Pod CIDR of the cluster: traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR?: string;
  /** CIDRs whose local addresses accept NodePorts; empty: every local address. */
  nodePortAddresses?: string[];
  /** `--masquerade-all`: SNAT every packet sent to a ClusterIP, whatever its source. */
  masqueradeAll?: boolean;
}

/** table → chain → rules (each rule a full `-A CHAIN …` line), in write order. */
export interface RuleSet {
  nat: Map<string, string[]>;
  filter: Map<string, string[]>;
}

/** Chains kube-proxy always owns, and the jumps from built-in chains into them. */
export const BASE_CHAINS = {
  nat: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'],
  filter: ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-FORWARD'],
} as const;

export interface Jump { table: 'nat' | 'filter'; chain: string; args: string[] }
export const JUMPS: Jump[] = [
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', 'KUBE-POSTROUTING'] },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES'] },
  { table: 'filter', chain: 'INPUT', args: ['-m', 'comment', '--comment', 'kubernetes health check service ports', '-j', 'KUBE-NODEPORTS'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES'] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', 'KUBE-FORWARD'] },
  { table: 'filter', chain: 'OUTPUT', args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
];

/** Every chain name this proxier may create (for cleanup of leftovers). */
export const isOwnChain = (name: string): boolean => /^KUBE-(SVC|SVCS|SVL|EXT|SEP)-/.test(name)
  || (BASE_CHAINS.nat as readonly string[]).includes(name) || (BASE_CHAINS.filter as readonly string[]).includes(name);

/**
 * Unlike upstream, nat KUBE-SERVICES does not hold one rule per Service port: ClusterIP rules go
 * into a chain per /20 block of ClusterIPs (KUBE-SVCS-…) that KUBE-SERVICES jumps to by
 * destination. Adding or removing one Service then rewrites its block's chain (tens to a few
 * thousand rules), not 10,000 rules, and a packet walks the block jumps and one block instead
 * of every Service. IPv4 only; other addresses stay in KUBE-SERVICES.
 */
const BLOCK_BITS = 20;
const blocks = new Map<string, { chain: string; cidr: string }>();
export function serviceBlock(ip: string): { chain: string; cidr: string } | undefined {
  const key = ip.slice(0, ip.lastIndexOf('.'));
  let b = blocks.get(key);
  if (b === undefined) {
    const o = ip.split('.').map(Number);
    if (o.length !== 4 || o.some((x) => !(x >= 0 && x <= 255))) return undefined;
    const n = (((o[0] << 24) | (o[1] << 16) | (o[2] << 8)) >>> 0) & ~((1 << (32 - BLOCK_BITS)) - 1);
    const cidr = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/${BLOCK_BITS}`;
    blocks.set(key, (b = { chain: svcsChain(cidr), cidr }));
  }
  return b;
}
const blockCidr = new Map<string, string>();
/** A chain of one /20 block of ClusterIPs (see serviceBlock). */
export const isBlockChain = (chain: string): boolean => chain.startsWith('KUBE-SVCS-');

const q = (s: string): string => `"${s.replace(/"/g, '')}"`;
const proto = (sp: ServicePort): string => { const p = sp.protocol.toLowerCase(); return `-m ${p} -p ${p}`; };

/** `-m statistic` probability for the i-th of n endpoints, upstream's 10 decimals. */
export function probability(i: number, n: number): string {
  return (1 / (n - i)).toFixed(10);
}

const add = (m: Map<string, string[]>, chain: string, rule: string): void => {
  let list = m.get(chain);
  if (!list) m.set(chain, (list = []));
  list.push(`-A ${chain} ${rule}`);
};

export function render(ports: ServicePort[], o: RenderOptions = {}): RuleSet {
  const parts = ports.map((sp) => portRules(sp, o));
  const rs = sharedChains(parts, o);
  for (const part of parts) for (const [table, chain, rules] of part.own) rs[table].set(chain, rules.length ? rules[0].split('\n') : []);
  return rs;
}

/** kube-proxy's fixed chains (KUBE-SERVICES, KUBE-NODEPORTS, …) with every port's rules in them. */
export function sharedChains(parts: PortRules[], o: RenderOptions): RuleSet {
  const nat = new Map<string, string[]>(BASE_CHAINS.nat.map((c) => [c, []]));
  const filter = new Map<string, string[]>(BASE_CHAINS.filter.map((c) => [c, []]));
  add(nat, 'KUBE-POSTROUTING', `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
  // clear the mark so a re-traversal (hairpin through another service) does not masquerade twice
  add(nat, 'KUBE-POSTROUTING', `-j MARK --xor-mark ${MASQ_MARK}`);
  add(nat, 'KUBE-POSTROUTING', `-m comment --comment ${q('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  add(nat, 'KUBE-MARK-MASQ', `-j MARK --or-mark ${MASQ_MARK}`);
  add(filter, 'KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP');
  add(filter, 'KUBE-FORWARD', `-m comment --comment ${q('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`);
  add(filter, 'KUBE-FORWARD', `-m comment --comment ${q('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  const rs = { nat, filter };
  const blockChains: string[] = [];
  for (const part of parts) {
    for (const [table, chain, rules] of part.shared) {
      let into = rs[table].get(chain);
      if (!into) { rs[table].set(chain, (into = [])); blockChains.push(chain); }
      for (const r of rules) into.push(r);
    }
  }
  for (const chain of blockChains.sort()) {
    const cidr = blockCidr.get(chain)!;
    add(nat, 'KUBE-SERVICES', `-m comment --comment ${q(`ClusterIPs in ${cidr}`)} -d ${cidr} -j ${chain}`);
  }
  const nodePortsJump = `-m comment --comment ${q('kubernetes service nodeports; NOTE: this must be the last rule in this chain')}`;
  if (o.nodePortAddresses && o.nodePortAddresses.length > 0) {
    for (const cidr of o.nodePortAddresses) add(nat, 'KUBE-SERVICES', `${nodePortsJump} -d ${cidr} -j KUBE-NODEPORTS`);
  } else {
    add(nat, 'KUBE-SERVICES', `${nodePortsJump} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  }
  return rs;
}

/**
 * A Service port's rules in the shared chains, and its own chains (KUBE-SVC/SVL/EXT/SEP-…).
 * An own chain's rules are kept as one string (`[lines joined by \n]`, `[]` when empty): at
 * 10,000 Services that is 110,000 live strings instead of 430,000, which is what the garbage
 * collector walks after every full sync.
 */
export interface PortRules {
  shared: ['nat' | 'filter', string, string[]][];
  own: ['nat' | 'filter', string, string[]][];
}

// kept per ServicePort object (and options): an unchanged Service is not rendered again, and
// its chains keep their array identity, so comparing an unchanged chain is one pointer check
const memo = new WeakMap<ServicePort, { o: RenderOptions; pr: PortRules }>();

const SHARED = new Set<string>([...BASE_CHAINS.nat, ...BASE_CHAINS.filter]);

export function portRules(sp: ServicePort, o: RenderOptions): PortRules {
  let m = memo.get(sp);
  if (!m || m.o !== o) {
    const rs = renderPort(sp, o);
    const pr: PortRules = { shared: [], own: [] };
    for (const table of ['nat', 'filter'] as const) {
      for (const [chain, rules] of rs[table]) {
        if (SHARED.has(chain) || isBlockChain(chain)) pr.shared.push([table, chain, rules]);
        else pr.own.push([table, chain, rules.length ? [rules.join('\n')] : []]);
      }
    }
    memo.set(sp, (m = { o, pr }));
  }
  return m.pr;
}

function renderPort(sp: ServicePort, o: RenderOptions): RuleSet {
  const nat = new Map<string, string[]>();
  const filter = new Map<string, string[]>();
  const svc = svcChain(sp.key, sp.protocol);
  const ready = sp.endpoints.filter((e) => e.ready);
  const local = ready.filter((e) => e.local);
  const dst = `-d ${sp.clusterIP}/32 --dport ${sp.port}`;
  const clusterComment = q(`${sp.key} cluster IP`);
  const needsSvl = sp.internalLocal || sp.externalLocal;
  const internalChain = sp.internalLocal ? svlChain(sp.key, sp.protocol) : svc;
  const internalEps = sp.internalLocal ? local : ready;

  if (internalEps.length > 0) {
    const block = serviceBlock(sp.clusterIP);
    if (block) blockCidr.set(block.chain, block.cidr);
    add(nat, block?.chain ?? 'KUBE-SERVICES', `-m comment --comment ${clusterComment} ${proto(sp)} ${dst} -j ${internalChain}`);
  } else {
    const why = ready.length === 0 ? 'has no endpoints' : 'has no local endpoints';
    // REJECT answers at once instead of leaving the client to time out
    add(filter, 'KUBE-SERVICES', `-m comment --comment ${q(`${sp.key} ${why}`)} ${proto(sp)} ${dst} -j ${ready.length === 0 ? 'REJECT' : 'DROP'}`);
  }

  // external (NodePort / external IP) traffic goes through KUBE-EXT-…, even without local
  // endpoints under the Local policy: pods and the node itself short-circuit to KUBE-SVC-…
  const externallyAccessible = sp.nodePort !== undefined || sp.externalIPs.length > 0;
  const externalEps = sp.externalLocal ? local : ready;
  const externalWhy = `${sp.key} ${ready.length === 0 ? 'has no endpoints' : 'has no local endpoints'}`;
  const externalVerdict = ready.length === 0 ? 'REJECT' : 'DROP';
  const ext = extChain(sp.key, sp.protocol);
  for (const ip of sp.externalIPs) {
    if (ready.length > 0) add(nat, 'KUBE-SERVICES', `-m comment --comment ${q(`${sp.key} external IP`)} ${proto(sp)} -d ${ip}/32 --dport ${sp.port} -j ${ext}`);
    if (externalEps.length === 0) add(filter, 'KUBE-EXTERNAL-SERVICES', `-m comment --comment ${q(externalWhy)} ${proto(sp)} -d ${ip}/32 --dport ${sp.port} -j ${externalVerdict}`);
  }
  if (sp.nodePort !== undefined) {
    if (ready.length > 0) add(nat, 'KUBE-NODEPORTS', `-m comment --comment ${q(sp.key)} ${proto(sp)} --dport ${sp.nodePort} -j ${ext}`);
    // whatever was not short-circuited (so not DNATed) is dropped here, after nat PREROUTING
    if (externalEps.length === 0) add(filter, 'KUBE-EXTERNAL-SERVICES', `-m comment --comment ${q(externalWhy)} -m addrtype --dst-type LOCAL ${proto(sp)} --dport ${sp.nodePort} -j ${externalVerdict}`);
  }
  if (externallyAccessible && ready.length > 0) {
    nat.set(ext, nat.get(ext) ?? []);
    if (sp.externalLocal) {
      if (o.clusterCIDR) add(nat, ext, `-m comment --comment ${q('pod traffic for ' + sp.key + ' external destinations')} -s ${o.clusterCIDR} -j ${svc}`);
      add(nat, ext, `-m comment --comment ${q('masquerade LOCAL traffic for ' + sp.key + ' external destinations')} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
      add(nat, ext, `-m comment --comment ${q('route LOCAL traffic for ' + sp.key + ' external destinations')} -m addrtype --src-type LOCAL -j ${svc}`);
      if (local.length > 0) add(nat, ext, `-j ${svlChain(sp.key, sp.protocol)}`);
    } else {
      add(nat, ext, `-m comment --comment ${q('masquerade traffic for ' + sp.key + ' external destinations')} -j KUBE-MARK-MASQ`);
      add(nat, ext, `-j ${svc}`);
    }
  }

  if (ready.length === 0) return { nat, filter };
  // KUBE-SVC-…: every ready endpoint; KUBE-SVL-…: this node's, for Local policies
  nat.set(svc, nat.get(svc) ?? []);
  // as upstream, in the chain ClusterIP traffic enters: everything with --masquerade-all;
  // otherwise off-cluster sources, whose answer may come back through another node
  if (internalEps.length > 0) {
    if (o.masqueradeAll) add(nat, internalChain, `-m comment --comment ${clusterComment} ${proto(sp)} ${dst} -j KUBE-MARK-MASQ`);
    else if (o.clusterCIDR) add(nat, internalChain, `-m comment --comment ${clusterComment} ${proto(sp)} ${dst} ! -s ${o.clusterCIDR} -j KUBE-MARK-MASQ`);
  }
  balance(nat, add, svc, sp, ready);
  if (needsSvl && local.length > 0) balance(nat, add, svlChain(sp.key, sp.protocol), sp, local);
  for (const ep of ready) {
    const sep = sepChain(sp.key, sp.protocol, `${ep.ip}:${ep.port}`);
    nat.set(sep, []);
    const c = q(sp.key);
    // hairpin: a pod reaching itself through its Service must be masqueraded
    add(nat, sep, `-m comment --comment ${c} -s ${ep.ip}/32 -j KUBE-MARK-MASQ`);
    const recent = sp.affinitySeconds !== undefined ? `-m recent --name ${sep} --set ` : '';
    add(nat, sep, `-m comment --comment ${c} ${recent}${proto(sp)} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
  }
  return { nat, filter };
}

type Add = (m: Map<string, string[]>, chain: string, rule: string) => void;

/** Affinity checks first, then random spread: endpoint i of n taken with 1/(n-i). */
function balance(nat: Map<string, string[]>, add: Add, chain: string, sp: ServicePort, eps: Endpoint[]): void {
  nat.set(chain, nat.get(chain) ?? []);
  const seps = eps.map((ep) => ({ ep, sep: sepChain(sp.key, sp.protocol, `${ep.ip}:${ep.port}`) }));
  if (sp.affinitySeconds !== undefined) {
    for (const { ep, sep } of seps) {
      add(nat, chain, `-m comment --comment ${q(`${sp.key} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sep} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
    }
  }
  seps.forEach(({ ep, sep }, i) => {
    const stat = i < seps.length - 1 ? ` -m statistic --mode random --probability ${probability(i, seps.length)}` : '';
    add(nat, chain, `-m comment --comment ${q(`${sp.key} -> ${ep.ip}:${ep.port}`)}${stat} -j ${sep}`);
  });
}
