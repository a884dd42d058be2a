// IPv4 CIDR arithmetic for node IPAM: the cluster CIDR cut into /mask subnets, a bitmap of
// the ones in use, and subnets overlapping the service range kept out.
export interface CIDR { base: number; prefix: number }

export function parseCIDR(s: string): CIDR {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`invalid CIDR address: ${s}`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR address: ${s}`);
  const ip = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

export const formatCIDR = (c: CIDR): string => `${c.base >>> 24}.${(c.base >>> 16) & 255}.${(c.base >>> 8) & 255}.${c.base & 255}/${c.prefix}`;

const size = (c: CIDR) => 2 ** (32 - c.prefix);
export const overlaps = (a: CIDR, b: CIDR): boolean => a.base < b.base + size(b) && b.base < a.base + size(a);

export class CIDRSet {
  private readonly used: Uint8Array;
  readonly count: number;

  constructor(readonly cluster: CIDR, readonly maskSize: number) {
    if (maskSize < cluster.prefix) throw new Error(`--node-cidr-mask-size ${maskSize} is smaller than the cluster CIDR's /${cluster.prefix}`);
    if (maskSize - cluster.prefix > 24) throw new Error('the cluster CIDR holds too many node CIDRs (more than 2^24)');
    this.count = 2 ** (maskSize - cluster.prefix);
    this.used = new Uint8Array(this.count);
  }

  private index(c: CIDR): number | undefined {
    if (c.prefix !== this.maskSize || !overlaps(c, this.cluster)) return undefined;
    return (c.base - this.cluster.base) / size(c);
  }

  subnet(i: number): CIDR { return { base: (this.cluster.base + i * 2 ** (32 - this.maskSize)) >>> 0, prefix: this.maskSize }; }

  occupy(c: CIDR): void { const i = this.index(c); if (i !== undefined) this.used[i] = 1; }
  release(c: CIDR): void { const i = this.index(c); if (i !== undefined) this.used[i] = 0; }

  /** Marks every subnet overlapping `c` as taken (the service range). */
  reserve(c: CIDR): void {
    for (let i = 0; i < this.count; i++) if (overlaps(this.subnet(i), c)) this.used[i] = 1;
  }

  allocateNext(): CIDR | undefined {
    const i = this.used.indexOf(0);
    if (i < 0) return undefined;
    this.used[i] = 1;
    return this.subnet(i);
  }
}
