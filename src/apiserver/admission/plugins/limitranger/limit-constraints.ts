// The checks a LimitRange item makes against a list of requests and limits (upstream
// limitranger's minConstraint, maxConstraint, maxRequestConstraint and
// limitRequestRatioConstraint), with upstream's messages. Each returns the message or undefined.
import { Quantity } from '../../../../api/quantity/index.js';

type List = Record<string, string> | undefined;
const text = (q: string) => Quantity.parse(q).toString();

export function minConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests?.[name];
  const lim = limits?.[name];
  const min = Quantity.parse(enforced);
  if (req === undefined) return `minimum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (Quantity.parse(req).cmp(min) < 0) return `minimum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  if (lim !== undefined && Quantity.parse(lim).cmp(min) < 0) return `minimum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  return undefined;
}

export function maxConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests?.[name];
  const lim = limits?.[name];
  const max = Quantity.parse(enforced);
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No limit is specified`;
  if (Quantity.parse(lim).cmp(max) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  if (req !== undefined && Quantity.parse(req).cmp(max) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

/** For kinds with requests only (claims): the max applies to the request. */
export function maxRequestConstraint(type: string, name: string, enforced: string, requests: List): string | undefined {
  const req = requests?.[name];
  if (req === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (Quantity.parse(req).cmp(Quantity.parse(enforced)) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

export function limitRequestRatioConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests?.[name] === undefined ? undefined : Quantity.parse(requests[name]);
  const lim = limits?.[name] === undefined ? undefined : Quantity.parse(limits[name]);
  const max = Quantity.parse(enforced);
  const zero = Quantity.parse(0);
  if (!req || req.cmp(zero) === 0) return `${name} max limit to request ratio per ${type} is ${max}, but no request is specified or request is 0`;
  if (!lim || lim.cmp(zero) === 0) return `${name} max limit to request ratio per ${type} is ${max}, but no limit is specified or limit is 0`;
  // upstream compares in milli-units (exactly: lim/req > max ⇔ lim > max·req)
  const ratio = Number(lim.nanos) / Number(req.nanos);
  if (lim.nanos * 1_000_000_000n > max.nanos * req.nanos) return `${name} max limit to request ratio per ${type} is ${max}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** A pod's total requests or limits as LimitRange type Pod sees them: the containers' sum, at least any init container's. */
export function podTotal(pod: any, kind: 'requests' | 'limits'): Record<string, string> {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries<string>(c.resources?.[kind] ?? {})) sum.set(k, (sum.get(k) ?? Quantity.parse(0)).add(Quantity.parse(v)));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries<string>(c.resources?.[kind] ?? {})) {
      const q = Quantity.parse(v);
      if (!sum.has(k) || q.cmp(sum.get(k)!) > 0) sum.set(k, q);
    }
  }
  return Object.fromEntries([...sum].map(([k, v]) => [k, v.toString()]));
}

/** Several problems print as Go's aggregate error: `[a, b]`; one prints alone. */
export const aggregate = (errors: string[]) => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
