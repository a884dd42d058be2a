// Hands out pod IPs from a node's IPv4 pod CIDR (skipping the network address and the
// first host, which a bridge would take), and takes them back when sandboxes go.

function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCIDR(cidr: string): { base: number; bits: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (toInt(m[1]) & mask) >>> 0, bits };
}

/** The `index`-th /`bits` subnet inside `cidr` (hollow node i's podCIDR). */
export function subnet(cidr: string, bits: number, index: number): string {
  const p = parseCIDR(cidr);
  if (bits < p.bits) throw new Error(`cannot cut /${bits} subnets out of ${cidr}`);
  if (index >= 2 ** (bits - p.bits)) throw new Error(`${cidr} has no room for ${index + 1} /${bits} subnets`);
  return `${toIP((p.base + index * 2 ** (32 - bits)) >>> 0)}/${bits}`;
}

export class PodIPAllocator {
  private readonly used = new Set<number>();
  private next = 2;
  private readonly size: number;
  private readonly base: number;

  constructor(readonly cidr: string) {
    const p = parseCIDR(cidr);
    this.base = p.base;
    this.size = 2 ** (32 - p.bits);
  }

  allocate(): string {
    for (let tries = 0; tries < this.size; tries++) {
      const off = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (off < 2 || off >= this.size - 1 || this.used.has(off)) continue;
      this.used.add(off);
      return toIP(this.base + off);
    }
    throw new Error(`pod CIDR ${this.cidr} is exhausted`);
  }

  release(ip: string): void {
    this.used.delete(toInt(ip) - this.base);
  }
}
