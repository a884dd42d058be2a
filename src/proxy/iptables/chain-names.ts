// Per-service chain names as upstream makes them: a prefix plus the first 16 characters
// of base32(sha256(servicePortName + protocol [+ endpoint])), so names fit iptables' 28.
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

// names are asked for on every sync; remembering them keeps partial syncs cheap
const memo = new Map<string, string>();
const hash16 = (s: string): string => {
  let h = memo.get(s);
  if (h === undefined) {
    if (memo.size > 500_000) memo.clear();
    h = base32(createHash('sha256').update(s).digest()).slice(0, 16);
    memo.set(s, h);
  }
  return h;
};

export const svcChain = (key: string, proto: string): string => `KUBE-SVC-${hash16(key + proto)}`;
export const svlChain = (key: string, proto: string): string => `KUBE-SVL-${hash16(key + proto)}`;
export const extChain = (key: string, proto: string): string => `KUBE-EXT-${hash16(key + proto)}`;
export const sepChain = (key: string, proto: string, endpoint: string): string => `KUBE-SEP-${hash16(key + proto + endpoint)}`;
/** A slice of KUBE-SERVICES: the ClusterIP rules of one address block (see render.ts). */
export const svcsChain = (cidr: string): string => `KUBE-SVCS-${hash16(cidr)}`;
