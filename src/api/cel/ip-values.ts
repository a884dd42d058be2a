// The values of Kubernetes' CEL ip() and cidr(): addresses as 32- or 128-bit numbers, parsed
// as upstream's netip does (no IPv4-mapped IPv6, no zones, no leading zeros in IPv4).
import net from 'node:net';

export class IP {
  constructor(readonly family: 4 | 6, readonly value: bigint) {}
  get bits(): number { return this.family === 4 ? 32 : 128; }
  get bytes(): number[] {
    const n = this.bits / 8;
    return Array.from({ length: n }, (_, i) => Number((this.value >> BigInt((n - 1 - i) * 8)) & 0xffn));
  }
  isGlobalUnicast(): boolean {
    const b = this.bytes;
    if (this.value === 0n) return false;
    if (this.family === 4) return !(b[0] === 127 || b[0] >= 224 || (b[0] === 169 && b[1] === 254) || this.value === 0xffffffffn);
    return !(this.value === 1n || b[0] === 0xff || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80));
  }
  toString(): string {
    if (this.family === 4) return this.bytes.join('.');
    const groups = Array.from({ length: 8 }, (_, i) => ((this.value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
    return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
  }
}

export function parseIp(s: string): IP {
  const bad = () => new Error(`IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): unable to parse IP`);
  if (net.isIPv4(s)) {
    const parts = s.split('.');
    if (parts.some((p) => p.length > 1 && p.startsWith('0'))) throw bad();
    return new IP(4, parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n));
  }
  if (net.isIPv6(s) && !s.includes('%')) {
    if (/\d+\.\d+\.\d+\.\d+$/.test(s) && /^::ffff:/i.test(s)) throw new Error(`IPv4-mapped IPv6 address "${s}" is not allowed`);
    const host = new URL(`http://[${s}]`).hostname.slice(1, -1);
    const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return new IP(6, groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n));
  }
  throw bad();
}

export class Cidr {
  constructor(readonly ip: IP, readonly prefix: number) {}
  private mask(): bigint { return ((1n << BigInt(this.ip.bits)) - 1n) ^ ((1n << BigInt(this.ip.bits - this.prefix)) - 1n); }
  contains(ip: IP): boolean { return ip.family === this.ip.family && (ip.value & this.mask()) === (this.ip.value & this.mask()); }
  masked(): Cidr { return new Cidr(new IP(this.ip.family, this.ip.value & this.mask()), this.prefix); }
  toString(): string { return `${this.ip}/${this.prefix}`; }
}

export function parseCidr(s: string): Cidr {
  const bad = () => new Error(`network address "${s}" parse error during conversion from string: netip.ParsePrefix("${s}"): no '/'`);
  const [addr, len, extra] = s.split('/');
  if (len === undefined || extra !== undefined || !/^\d+$/.test(len)) throw bad();
  const ip = parseIp(addr);
  const prefix = Number(len);
  if (prefix > ip.bits) throw new Error(`network address "${s}" parse error during conversion from string: netip.ParsePrefix("${s}"): bad bits after slash: "${len}"`);
  return new Cidr(ip, prefix);
}
