// IPv4 CIDR arithmetic for the service IP range: offset 0 is the first host address.
export interface Cidr { base: number; bits: number; text: string }

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
export const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 30 || m[1].split('.').some((o) => Number(o) > 255)) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  return { base: toInt(m[1]) - (toInt(m[1]) % size), bits, text };
}

/** Usable addresses: all but the network and broadcast addresses. */
export const hostCount = (c: Cidr) => 2 ** (32 - c.bits) - 2;
export const ipAt = (c: Cidr, offset: number) => toIp(c.base + 1 + offset);
export function offsetOf(c: Cidr, ip: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return undefined;
  const off = toInt(ip) - c.base - 1;
  return off >= 0 && off < hostCount(c) ? off : undefined;
}
