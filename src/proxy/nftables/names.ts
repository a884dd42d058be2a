// Names of kube-proxy's nftables objects as upstream makes them: a readable base
// "ns/name/proto/port" (plus "__ip/port" for an endpoint) prefixed with 8 characters of
// base32(sha256(base)), so names differing in one digit still look different.
import { createHash } from 'node:crypto';
import type { Endpoint, ServicePort } from '../service-port.js';

export const TABLE = 'kube-proxy';
/** nftables names may be 256 long; upstream keeps 16 for the prefix. */
const BASE_MAX = 256 - 16;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

const memo = new Map<string, string>();
export function hashAndTruncate(name: string): string {
  let out = memo.get(name);
  if (out === undefined) {
    out = `${base32(createHash('sha256').update(name).digest()).slice(0, 8)}-${name}`;
    if (out.length > BASE_MAX) out = `${out.slice(0, BASE_MAX - 3)}...`;
    if (memo.size > 500_000) memo.clear();
    memo.set(name, out);
  }
  return out;
}

const portBase = (sp: ServicePort): string => `${sp.namespace}/${sp.name}/${sp.protocol.toLowerCase()}/${sp.portName}`;

export const serviceChain = (sp: ServicePort): string => `service-${hashAndTruncate(portBase(sp))}`;
export const localChain = (sp: ServicePort): string => `local-${hashAndTruncate(portBase(sp))}`;
export const externalChain = (sp: ServicePort): string => `external-${hashAndTruncate(portBase(sp))}`;
export const affinitySet = (sp: ServicePort, ep: Endpoint): string => `affinity-${hashAndTruncate(`${portBase(sp)}__${ep.ip}/${ep.port}`)}`;

/**
 * The chain that DNATs to one of n endpoints listed in @service-endpoints (shared by every
 * Service with n): `endpoints-3`, `endpoints-udp-3`, `external-endpoints-3`, `nodeport-endpoints-udp-3`.
 */
export const pickChain = (n: number, proto = 'tcp', via: '' | 'external' | 'nodeport' = ''): string =>
  `${via ? `${via}-` : ''}endpoints-${proto === 'tcp' ? '' : `${proto}-`}${n}`;

/** Per-Service chains have a '/' in their names; the fixed chains never do. */
export const isServiceChain = (name: string): boolean => name.includes('/');
/** Chains a sync writes when some Service needs them: per-Service chains and the endpoints-N chains. */
export const isSyncedChain = (name: string): boolean => isServiceChain(name) || /^((external|nodeport)-)?endpoints-(udp-)?\d+$/.test(name);
export const isAffinitySet = (name: string): boolean => name.startsWith('affinity-');
