// Kubernetes' CEL libraries (k8s.io/apiserver/pkg/cel/library) on top of cel-js: lists
// (isSorted, sum, min, max, indexOf, lastIndexOf), regex (find, findAll), the string
// extensions cel-js lacks (replace, charAt, reverse), sets, quantity, url, ip and cidr.
// Errors thrown here become CEL evaluation errors with upstream's wording where it has one.
import type { Environment } from '@marcbachmann/cel-js';
import { Quantity, parseQuantity } from '../quantity/quantity.js';
import { Cidr, IP, parseCidr, parseIp } from './ip-values.js';

type Fn = (...args: any[]) => unknown;

const cmp = (a: unknown, b: unknown): number => (a as any) < (b as any) ? -1 : (a as any) > (b as any) ? 1 : 0;
const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a, (_k, v) => typeof v === 'bigint' ? `${v}n` : v) === JSON.stringify(b, (_k, v) => typeof v === 'bigint' ? `${v}n` : v);

class Sets {}

function listFunctions(env: Environment): void {
  const fns: Record<string, Fn> = {
    'list.isSorted(): bool': (l: unknown[]) => l.every((x, i) => i === 0 || cmp(l[i - 1], x) <= 0),
    'list.sum(): dyn': (l: any[]) => l.length ? l.reduce((x, y) => x + y) : 0n,
    'list.min(): dyn': (l: unknown[]) => { if (!l.length) throw new Error('min called on empty list'); return l.reduce((x, y) => cmp(y, x) < 0 ? y : x); },
    'list.max(): dyn': (l: unknown[]) => { if (!l.length) throw new Error('max called on empty list'); return l.reduce((x, y) => cmp(y, x) > 0 ? y : x); },
    'list.indexOf(dyn): int': (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => same(x, v))),
    'list.lastIndexOf(dyn): int': (l: unknown[], v: unknown) => { for (let i = l.length - 1; i >= 0; i--) if (same(l[i], v)) return BigInt(i); return -1n; },
  };
  for (const [sig, fn] of Object.entries(fns)) env.registerFunction(sig, fn);
  env.registerType('kubernetes.Sets', Sets);
  env.registerConstant('sets', 'kubernetes.Sets', new Sets());
  env.registerFunction('kubernetes.Sets.contains(list, list): bool', (_s: Sets, a: unknown[], b: unknown[]) => b.every((x) => a.some((y) => same(x, y))));
  env.registerFunction('kubernetes.Sets.equivalent(list, list): bool', (_s: Sets, a: unknown[], b: unknown[]) => b.every((x) => a.some((y) => same(x, y))) && a.every((x) => b.some((y) => same(x, y))));
  env.registerFunction('kubernetes.Sets.intersects(list, list): bool', (_s: Sets, a: unknown[], b: unknown[]) => b.some((x) => a.some((y) => same(x, y))));
}

function stringFunctions(env: Environment): void {
  const re = (p: string) => { try { return new RegExp(p, 'gu'); } catch (err) { throw new Error(`error parsing regexp: ${(err as Error).message}`); } };
  env.registerFunction('string.find(string): string', (s: string, p: string) => s.match(re(p))?.[0] ?? '');
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => s.match(re(p)) ?? []);
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => { const all = s.match(re(p)) ?? []; return n < 0n ? all : all.slice(0, Number(n)); });
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    let out = s; let from = 0;
    for (let i = 0n; i < n; i++) { const at = out.indexOf(a, from); if (at < 0) break; out = out.slice(0, at) + b + out.slice(at + a.length); from = at + b.length; }
    return out;
  });
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => { const cs = [...s]; if (i < 0n || i > BigInt(cs.length)) throw new Error(`index out of range: ${i}`); return cs[Number(i)] ?? ''; });
  env.registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
}

function quantityFunctions(env: Environment): void {
  const T = 'kubernetes.Quantity';
  const parse = (s: string) => { try { return parseQuantity(s); } catch (err) { throw new Error(`quantities must match the regular expression: ${(err as Error).message}`); } };
  const asQ = (v: Quantity | bigint) => typeof v === 'bigint' ? Quantity.fromValue(v) : v;
  env.registerType(T, Quantity);
  env.registerFunction(`quantity(string): ${T}`, parse);
  env.registerFunction('isQuantity(string): bool', (s: string) => { try { parseQuantity(s); return true; } catch { return false; } });
  const fns: Record<string, Fn> = {
    [`${T}.sign(): int`]: (q: Quantity) => BigInt(q.cmp(Quantity.fromValue(0))),
    [`${T}.isInteger(): bool`]: (q: Quantity) => q.equals(Quantity.fromValue(q.value())) && Math.abs(q.value()) <= Number.MAX_SAFE_INTEGER,
    [`${T}.asInteger(): int`]: (q: Quantity) => { if (!q.equals(Quantity.fromValue(q.value()))) throw new Error('cannot convert value to integer'); return BigInt(q.value()); },
    [`${T}.asApproximateFloat(): double`]: (q: Quantity) => q.asNumber(),
    [`${T}.isLessThan(${T}): bool`]: (a: Quantity, b: Quantity) => a.cmp(b) < 0,
    [`${T}.isGreaterThan(${T}): bool`]: (a: Quantity, b: Quantity) => a.cmp(b) > 0,
    [`${T}.compareTo(${T}): int`]: (a: Quantity, b: Quantity) => BigInt(a.cmp(b)),
    [`${T}.add(${T}): ${T}`]: (a: Quantity, b: Quantity) => a.add(b),
    [`${T}.add(int): ${T}`]: (a: Quantity, b: bigint) => a.add(asQ(b)),
    [`${T}.sub(${T}): ${T}`]: (a: Quantity, b: Quantity) => a.sub(b),
    [`${T}.sub(int): ${T}`]: (a: Quantity, b: bigint) => a.sub(asQ(b)),
  };
  for (const [sig, fn] of Object.entries(fns)) env.registerFunction(sig, fn);
  env.registerOperator(`${T} == ${T}`, (a: Quantity, b: Quantity) => a.equals(b));
}

class KubeURL { constructor(readonly u: URL, readonly raw: string) {} }

function urlFunctions(env: Environment): void {
  const T = 'kubernetes.URL';
  // Upstream accepts absolute URLs and absolute paths (url.ParseRequestURI).
  const parse = (s: string): KubeURL => {
    if (s.startsWith('/')) return new KubeURL(new URL(s, 'relative:///'), s);
    try { const u = new URL(s); if (!u.protocol) throw new Error(); return new KubeURL(u, s); } catch { throw new Error(`URL parse error during conversion from string: parse "${s}": invalid URI for request`); }
  };
  env.registerType(T, KubeURL);
  env.registerFunction(`url(string): ${T}`, parse);
  env.registerFunction('isURL(string): bool', (s: string) => { try { parse(s); return true; } catch { return false; } });
  const rel = (k: KubeURL) => k.u.protocol === 'relative:';
  env.registerFunction(`${T}.getScheme(): string`, (k: KubeURL) => rel(k) ? '' : k.u.protocol.replace(/:$/, ''));
  env.registerFunction(`${T}.getHost(): string`, (k: KubeURL) => rel(k) ? '' : k.u.host);
  env.registerFunction(`${T}.getHostname(): string`, (k: KubeURL) => rel(k) ? '' : k.u.hostname.replace(/^\[|\]$/g, ''));
  env.registerFunction(`${T}.getPort(): string`, (k: KubeURL) => rel(k) ? '' : k.u.port);
  env.registerFunction(`${T}.getEscapedPath(): string`, (k: KubeURL) => k.u.pathname);
  env.registerFunction(`${T}.getQuery(): map<string, list<string>>`, (k: KubeURL) => {
    const out: Record<string, string[]> = {};
    for (const [key, v] of k.u.searchParams) (out[key] ??= []).push(v);
    return out;
  });
}

function ipFunctions(env: Environment): void {
  const I = 'net.IP';
  const C = 'net.CIDR';
  env.registerType(I, IP);
  env.registerType(C, Cidr);
  env.registerFunction(`ip(string): ${I}`, parseIp);
  env.registerFunction('isIP(string): bool', (s: string) => { try { parseIp(s); return true; } catch { return false; } });
  const ipFns: Record<string, Fn> = {
    [`${I}.family(): int`]: (ip: IP) => BigInt(ip.family),
    [`${I}.isUnspecified(): bool`]: (ip: IP) => ip.value === 0n,
    [`${I}.isLoopback(): bool`]: (ip: IP) => ip.family === 4 ? ip.bytes[0] === 127 : ip.value === 1n,
    [`${I}.isLinkLocalMulticast(): bool`]: (ip: IP) => ip.family === 4 ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : ip.bytes[0] === 0xff && (ip.bytes[1] & 0x0f) === 2,
    [`${I}.isLinkLocalUnicast(): bool`]: (ip: IP) => ip.family === 4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && (ip.bytes[1] & 0xc0) === 0x80,
    [`${I}.isGlobalUnicast(): bool`]: (ip: IP) => ip.isGlobalUnicast(),
  };
  for (const [sig, fn] of Object.entries(ipFns)) env.registerFunction(sig, fn);
  env.registerOperator(`${I} == ${I}`, (a: IP, b: IP) => a.family === b.family && a.value === b.value);
  env.registerFunction(`cidr(string): ${C}`, parseCidr);
  env.registerFunction('isCIDR(string): bool', (s: string) => { try { parseCidr(s); return true; } catch { return false; } });
  const cidrFns: Record<string, Fn> = {
    [`${C}.containsIP(${I}): bool`]: (c: Cidr, ip: IP) => c.contains(ip),
    [`${C}.containsIP(string): bool`]: (c: Cidr, s: string) => c.contains(parseIp(s)),
    [`${C}.containsCIDR(${C}): bool`]: (c: Cidr, o: Cidr) => o.prefix >= c.prefix && c.contains(o.ip),
    [`${C}.containsCIDR(string): bool`]: (c: Cidr, s: string) => { const o = parseCidr(s); return o.prefix >= c.prefix && c.contains(o.ip); },
    [`${C}.ip(): ${I}`]: (c: Cidr) => c.ip,
    [`${C}.masked(): ${C}`]: (c: Cidr) => c.masked(),
    [`${C}.prefixLength(): int`]: (c: Cidr) => BigInt(c.prefix),
  };
  for (const [sig, fn] of Object.entries(cidrFns)) env.registerFunction(sig, fn);
  env.registerOperator(`${C} == ${C}`, (a: Cidr, b: Cidr) => a.ip.family === b.ip.family && a.ip.value === b.ip.value && a.prefix === b.prefix);
}

/** Registers every library on an environment (once, before it parses anything). */
export function registerKubernetesLibraries(env: Environment): void {
  listFunctions(env);
  stringFunctions(env);
  quantityFunctions(env);
  urlFunctions(env);
  ipFunctions(env);
}
