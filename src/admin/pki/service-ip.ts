// The first usable address of the service range: the kubernetes Service's ClusterIP, which
// must be a SAN of the API server's certificate for in-cluster clients.
import net from 'node:net';

export function firstServiceIP(cidr: string): string {
  const first = cidr.split(',')[0].trim();
  const [addr, bitsText] = first.split('/');
  const bits = Number(bitsText);
  if (net.isIPv4(addr) && Number.isInteger(bits) && bits >= 0 && bits <= 30) {
    const n = addr.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
    const base = bits === 0 ? 0 : Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
    const ip = base + 1;
    return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.');
  }
  if (net.isIPv6(addr) && Number.isInteger(bits) && bits >= 0 && bits <= 126) {
    const big = ipv6ToBigInt(addr);
    const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
    return bigIntToIPv6((big & mask) + 1n);
  }
  throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 or IPv6 CIDR such as 10.96.0.0/12`);
}

function ipv6ToBigInt(addr: string): bigint {
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function bigIntToIPv6(n: bigint): string {
  const parts: string[] = [];
  for (let i = 7; i >= 0; i--) parts.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
