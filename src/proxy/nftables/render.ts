// Renders the desired state of the `ip kube-proxy` nftables table from Service ports, in
// the layout of upstream's nftables proxier: verdict maps dispatch ClusterIPs/external IPs
// (@service-ips) and NodePorts (@service-nodeports); @no-endpoint-* maps reject or drop;
// affinity is a timed set per endpoint. Pure.
//
// Two deliberate differences, both for the cost of a sync at 10,000 Services × 10 endpoints
// (docs/proxy-dns.md has the measurements):
// - A plain Service (TCP or UDP, no affinity, both traffic policies Cluster) has no chain of
//   its own. Its ClusterIP's @service-ips element goes to `endpoints-N` (`endpoints-udp-N`),
//   one chain per endpoint count N shared by every such Service, whose one DNAT rule looks up
//   (ClusterIP . protocol . port . numgen random mod N) in the data map @service-endpoints
//   (-udp). Its external IPs go the same way through `external-endpoints-N`, and its NodePort
//   through `nodeport-endpoints-N` and @nodeport-endpoints keyed by (protocol . NodePort .
//   index); those two chains masquerade first, as upstream's external chain does.
//   So its endpoints are map elements, not rules: ~10 µs each instead of ~38 µs, and an
//   endpoint change adds and deletes elements only. Changing a rule, or an element that
//   jumps, makes the kernel re-validate every chain reachable from the base chains (all
//   10,000 Services' rules, twice: ~75 ms of kernel time per sync); data elements do not.
// - Other Services (SCTP, affinity, Local policies) keep a chain per Service port, but
//   not upstream's chain per endpoint picked by an anonymous `numgen … vmap`: 110,000 chains
//   and 10,000 anonymous maps cost quadratically in the kernel (anonymous map names are
//   allocated by scanning every set). Each endpoint is one rule in its Service's chain, taken
//   with probability 1/(n-i) by `numgen random mod (n-i) == 0` (the iptables proxier's spread).
// Hairpin masquerading is one lookup of (source . destination) in @hairpin-endpoints.
import type { Endpoint, ServicePort } from '../service-port.js';
import { affinitySet, externalChain, localChain, pickChain, serviceChain } from './names.js';

export const MASQ_MARK = '0x4000';

export interface NftOptions {
  /** Pod CIDR: ClusterIP traffic from outside it is masqueraded; pod traffic to NodePorts short-circuits. */
  clusterCIDR?: string;
  /** CIDRs whose local addresses accept NodePorts; empty: every local address but 127/8. */
  nodePortAddresses?: string[];
  /** `--masquerade-all`: SNAT every packet sent to a ClusterIP, whatever its source. */
  masqueradeAll?: boolean;
}

/** The sets and maps whose elements follow the Services, with their declarations. */
export const ELEMENT_SETS = {
  'cluster-ips': 'set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }',
  'hairpin-endpoints': 'set ip kube-proxy hairpin-endpoints { type ipv4_addr . ipv4_addr ; comment "endpoint . itself: a pod reaching itself through a Service" ; }',
  // one map per protocol: nft 1.0.6 cannot read a data part `ip daddr . th dport` back from the
  // kernel (and then fails every later rule using the map); `tcp dport` / `udp dport` there
  // also make the DNAT rule using the map match that protocol only
  'service-endpoints': 'map ip kube-proxy service-endpoints { typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . tcp dport ; comment "Service IP . protocol . port . endpoint index: the endpoint (plain TCP Services)" ; }',
  'service-endpoints-udp': 'map ip kube-proxy service-endpoints-udp { typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . udp dport ; comment "Service IP . protocol . port . endpoint index: the endpoint (plain UDP Services)" ; }',
  'nodeport-endpoints': 'map ip kube-proxy nodeport-endpoints { typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . tcp dport ; comment "protocol . NodePort . endpoint index: the endpoint (plain TCP Services)" ; }',
  'nodeport-endpoints-udp': 'map ip kube-proxy nodeport-endpoints-udp { typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . udp dport ; comment "protocol . NodePort . endpoint index: the endpoint (plain UDP Services)" ; }',
  'service-ips': 'map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }',
  'service-nodeports': 'map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }',
  'no-endpoint-services': 'map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }',
  'no-endpoint-nodeports': 'map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }',
} as const;
export type ElementSet = keyof typeof ELEMENT_SETS;

export interface NftRuleset {
  /** Per-Service-port and endpoints-N chains: name → rule bodies. */
  chains: Map<string, string[]>;
  /** Set/map → element key → what follows the key (` : goto X`, a comment; '' in sets). */
  elements: Map<ElementSet, Map<string, string>>;
  /** Affinity sets → timeout in seconds. */
  affinity: Map<string, number>;
}

const BASE_CHAINS: [name: string, type: string, hook: string, priority: number][] = [
  // filtering sees pre-DNAT destinations, so it runs just before dstnat (-100)
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];
const JUMPS: [from: string, to: string, match: string][] = [
  ['filter-input', 'endpoints-check', 'ct state new '],
  ['filter-forward', 'endpoints-check', 'ct state new '],
  ['filter-output', 'endpoints-check', 'ct state new '],
  ['filter-forward', 'cluster-ips-check', 'ct state new '],
  ['filter-output-post-dnat', 'cluster-ips-check', 'ct state new '],
  ['nat-output', 'services', ''],
  ['nat-prerouting', 'services', ''],
  ['nat-postrouting', 'masquerading', ''],
];
export const FIXED_CHAINS = ['services', 'masquerading', 'mark-for-masquerade', 'endpoints-check', 'cluster-ips-check', 'reject-chain'];

const q = (s: string): string => `"${s.replace(/["\\]/g, '')}"`;

/** The table's fixed part: table, base chains with their jumps, helper chains, sets and maps. */
export function setupCommands(o: NftOptions): string[] {
  const t = 'ip kube-proxy';
  const L = [`add table ${t} { comment "rules for kube-proxy" ; }`];
  for (const [name, type, hook, prio] of BASE_CHAINS) {
    L.push(`add chain ${t} ${name} { type ${type} hook ${hook} priority ${prio} ; }`, `flush chain ${t} ${name}`);
  }
  for (const c of FIXED_CHAINS) L.push(`add chain ${t} ${c}`, `flush chain ${t} ${c}`);
  for (const [from, to, match] of JUMPS) L.push(`add rule ${t} ${from} ${match}jump ${to}`);
  for (const decl of Object.values(ELEMENT_SETS)) L.push(`add ${decl}`);
  L.push(
    `add rule ${t} mark-for-masquerade meta mark set meta mark or ${MASQ_MARK}`,
    `add rule ${t} masquerading ct status dnat ip saddr . ip daddr @hairpin-endpoints masquerade fully-random comment "hairpin: a pod reaching itself through its Service"`,
    `add rule ${t} masquerading meta mark & ${MASQ_MARK} == 0 return`,
    // clear the mark so a packet that is re-routed is not masqueraded twice
    `add rule ${t} masquerading meta mark set meta mark ^ ${MASQ_MARK}`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} reject-chain reject`,
    `add rule ${t} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${t} endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
  );
  const nodePortDst = o.nodePortAddresses?.length ? `fib daddr type local ip daddr { ${o.nodePortAddresses.join(', ')} }` : 'fib daddr type local ip daddr != 127.0.0.0/8';
  L.push(
    `add rule ${t} endpoints-check ${nodePortDst} meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} services ${nodePortDst} meta l4proto . th dport vmap @service-nodeports`,
  );
  return L;
}

/** One Service port's share of the table; kept per ServicePort object between syncs. */
export interface PortRender {
  chains: [string, string[]][];
  /** The shared endpoints-N chains a plain Service's elements go to, with their rules. */
  picks: [string, string[]][];
  elements: [ElementSet, string, string][];
  affinity: [string, number][];
}

/** Renders every port, re-rendering only Service ports it has not seen (by object identity). */
export class NftRenderer {
  private memo = new WeakMap<ServicePort, PortRender>();

  constructor(readonly opts: NftOptions) {}

  /** Port id (`ns/name:port/PROTO`) → its share of the table. */
  render(ports: ServicePort[]): Map<string, PortRender> {
    const out = new Map<string, PortRender>();
    for (const sp of ports) {
      let pr = this.memo.get(sp);
      if (!pr) this.memo.set(sp, (pr = renderPort(sp, this.opts)));
      out.set(`${sp.key}/${sp.protocol}`, pr);
    }
    return out;
  }
}

/** The whole table at once (for tests and reading). */
export function render(ports: ServicePort[], o: NftOptions = {}): NftRuleset {
  const rs: NftRuleset = { chains: new Map(), elements: new Map(Object.keys(ELEMENT_SETS).map((k) => [k as ElementSet, new Map()])), affinity: new Map() };
  for (const pr of new NftRenderer(o).render(ports).values()) {
    for (const [name, rules] of pr.chains) rs.chains.set(name, rules);
    for (const [name, rules] of pr.picks) rs.chains.set(name, rules);
    for (const [set, key, rest] of pr.elements) rs.elements.get(set)!.set(key, rest);
    for (const [name, timeout] of pr.affinity) rs.affinity.set(name, timeout);
  }
  return rs;
}

export function renderPort(sp: ServicePort, o: NftOptions): PortRender {
  const out: PortRender = { chains: [], picks: [], elements: [], affinity: [] };
  const el = (set: ElementSet, key: string, rest = ''): void => { out.elements.push([set, key, rest]); };
  const chains = new Map<string, string[]>();
  const proto = sp.protocol.toLowerCase();
  const ready = sp.endpoints.filter((e) => e.ready);
  const local = ready.filter((e) => e.local);
  const externallyAccessible = sp.nodePort !== undefined || sp.externalIPs.length > 0;
  const hasEndpoints = ready.length > 0;
  const usesCluster = hasEndpoints && (!sp.internalLocal || externallyAccessible);
  const usesLocal = local.length > 0 && (sp.internalLocal || sp.externalLocal);
  const hasInternal = hasEndpoints && (!sp.internalLocal || local.length > 0);
  const hasExternal = hasEndpoints && (!sp.externalLocal || local.length > 0);
  const usesExternal = hasEndpoints && externallyAccessible;
  // no endpoints at all: reject at once; only no local ones (Local policies): drop
  const internalVerdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  const externalVerdict = internalVerdict;
  const svcKey = (ip: string): string => `${ip} . ${proto} . ${sp.port}`;

  el('cluster-ips', sp.clusterIP);
  if (hasEndpoints && (proto === 'tcp' || proto === 'udp') && sp.affinitySeconds === undefined && !sp.internalLocal && !sp.externalLocal) {
    // a plain Service: its endpoints are map elements, picked by the shared *endpoints-N chains
    const n = ready.length;
    const ipMap = proto === 'tcp' ? 'service-endpoints' : 'service-endpoints-udp';
    const addresses = [sp.clusterIP, ...sp.externalIPs];
    out.picks.push([pickChain(n, proto), pickRules(n, proto, o)]);
    el('service-ips', svcKey(sp.clusterIP), ` : goto ${pickChain(n, proto)}`);
    if (sp.externalIPs.length > 0) {
      out.picks.push([pickChain(n, proto, 'external'), pickRules(n, proto, o, 'external')]);
      for (const ip of sp.externalIPs) el('service-ips', svcKey(ip), ` : goto ${pickChain(n, proto, 'external')}`);
    }
    if (sp.nodePort !== undefined) {
      out.picks.push([pickChain(n, proto, 'nodeport'), pickRules(n, proto, o, 'nodeport')]);
      el('service-nodeports', `${proto} . ${sp.nodePort}`, ` : goto ${pickChain(n, proto, 'nodeport')}`);
    }
    ready.forEach((ep, i) => {
      const to = ` : ${ep.ip} . ${ep.port}`;
      for (const ip of addresses) el(ipMap, `${svcKey(ip)} . ${i}`, to);
      if (sp.nodePort !== undefined) el(proto === 'tcp' ? 'nodeport-endpoints' : 'nodeport-endpoints-udp', `${proto} . ${sp.nodePort} . ${i}`, to);
      el('hairpin-endpoints', `${ep.ip} . ${ep.ip}`);
    });
    return out;
  }
  // (named only here: a plain Service needs no names, and each is a sha256)
  const clusterName = serviceChain(sp);
  const localName = localChain(sp);
  const extName = externalChain(sp);
  const internalChain = sp.internalLocal ? localName : clusterName;
  const comment = `comment ${q(sp.key)}`;
  if (hasInternal) el('service-ips', svcKey(sp.clusterIP), ` : goto ${internalChain}`);
  else el('no-endpoint-services', svcKey(sp.clusterIP), ` ${comment} : ${internalVerdict}`);
  for (const ip of sp.externalIPs) {
    if (hasEndpoints) el('service-ips', svcKey(ip), ` : goto ${extName}`);
    if (!hasExternal) el('no-endpoint-services', svcKey(ip), ` ${comment} : ${externalVerdict}`);
  }
  if (sp.nodePort !== undefined) {
    if (hasEndpoints) el('service-nodeports', `${proto} . ${sp.nodePort}`, ` : goto ${extName}`);
    if (!hasExternal) el('no-endpoint-nodeports', `${proto} . ${sp.nodePort}`, ` ${comment} : ${externalVerdict}`);
  }

  const chain = (name: string): string[] => {
    let rules = chains.get(name);
    if (!rules) chains.set(name, (rules = []));
    return rules;
  };
  if (usesCluster) chain(clusterName);
  if (usesLocal) chain(localName);
  if (hasInternal && o.masqueradeAll) {
    chain(internalChain).push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} jump mark-for-masquerade`);
  } else if (hasInternal && o.clusterCIDR) {
    // off-cluster sources reaching a ClusterIP may be answered from another node: masquerade
    chain(internalChain).push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} ip saddr != ${o.clusterCIDR} jump mark-for-masquerade`);
  }
  if (usesExternal) {
    const ext = chain(extName);
    if (!sp.externalLocal) {
      ext.push('jump mark-for-masquerade');
    } else {
      // pods and the node itself are not subject to the Local policy, as if they went out to a load balancer and back
      if (o.clusterCIDR) ext.push(`ip saddr ${o.clusterCIDR} goto ${clusterName} comment "short-circuit pod traffic"`);
      ext.push('fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      ext.push(`fib saddr type local goto ${clusterName} comment "short-circuit local traffic"`);
    }
    if (hasExternal) ext.push(`goto ${sp.externalLocal ? localName : clusterName}`);
  }

  const reachable = new Map<string, Endpoint>();
  if (usesCluster) for (const ep of ready) reachable.set(`${ep.ip}:${ep.port}`, ep);
  if (usesLocal) for (const ep of local) reachable.set(`${ep.ip}:${ep.port}`, ep);
  for (const ep of reachable.values()) {
    el('hairpin-endpoints', `${ep.ip} . ${ep.ip}`);
    if (sp.affinitySeconds !== undefined) out.affinity.push([affinitySet(sp, ep), sp.affinitySeconds]);
  }
  if (usesCluster) balance(chain(clusterName), sp, proto, ready);
  if (usesLocal) balance(chain(localName), sp, proto, local);
  out.chains = [...chains];
  return out;
}

/**
 * endpoints-N: masquerade as a Service chain would, then DNAT to element (daddr . proto . dport
 * . random 0..N-1); external-endpoints-N and nodeport-endpoints-N (traffic from outside, as
 * upstream's external chain) always masquerade, the latter keyed without the node's address.
 */
const pickMemo = new Map<string, string[]>();
function pickRules(n: number, proto: string, o: NftOptions, via: '' | 'external' | 'nodeport' = ''): string[] {
  const masq = via || o.masqueradeAll ? 'jump mark-for-masquerade' : o.clusterCIDR ? `ip saddr != ${o.clusterCIDR} jump mark-for-masquerade` : '';
  const k = `${n} ${proto} ${via} ${masq}`;
  let rules = pickMemo.get(k);
  if (!rules) {
    const suffix = proto === 'tcp' ? '' : `-${proto}`;
    rules = [via === 'nodeport'
      ? `dnat ip to meta l4proto . th dport . numgen random mod ${n} map @nodeport-endpoints${suffix}`
      : `dnat ip to ip daddr . meta l4proto . th dport . numgen random mod ${n} map @service-endpoints${suffix}`];
    if (masq) rules.unshift(masq);
    pickMemo.set(k, rules);
  }
  return rules;
}

/** Affinity first (a remembered client goes back to its endpoint), then a uniform random pick. */
function balance(rules: string[], sp: ServicePort, proto: string, eps: Endpoint[]): void {
  const dnat = (ep: Endpoint): string => {
    const remember = sp.affinitySeconds !== undefined ? `update @${affinitySet(sp, ep)} { ip saddr } ` : '';
    return `${remember}meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`;
  };
  if (sp.affinitySeconds !== undefined) for (const ep of eps) rules.push(`ip saddr @${affinitySet(sp, ep)} ${dnat(ep)}`);
  eps.forEach((ep, i) => rules.push(i < eps.length - 1 ? `numgen random mod ${eps.length - i} == 0 ${dnat(ep)}` : dnat(ep)));
}
