// Upstream's APIServiceAvailabilityController: keeps each APIService's Available condition.
// Local ones are always available; for the others the Service must exist, listen on the
// port, have a ready endpoint, and answer GET /apis/GROUP/VERSION with a 2xx within 5 s to
// the front-proxy certificate naming system:kube-aggregator (group system:masters). The
// discovery document that check returns is kept for aggregated discovery.
import { apiservices } from '../../api/resources/apiregistration-v1.js';
import type { Registry } from '../registry/registry.js';
import { nowTimestamp } from '../registry/object-meta.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import { type APIService, type APIServiceIndex, isLocal } from './apiservice-index.js';
import { ResolveError, resolveEndpoint } from './service-resolver.js';
import { backendFetch } from './backend-request.js';
import type { OpenAPISpecs } from './openapi-specs.js';

export const AGGREGATOR_USER = { name: 'system:kube-aggregator', uid: '', groups: ['system:masters'] };
const CHECK_TIMEOUT_MS = 5000;

interface Condition { type: string; status: string; reason: string; message: string; lastTransitionTime?: string }

/** What a discovery check learned: the backend's APIResourceList, fresh or from an earlier success. */
export interface DiscoveryResult { resources: any[]; stale: boolean }

/** GET PATH from the backend as the aggregator; a non-2xx answer is an error, as upstream's check reads it. */
async function backendGet(s: APIService, ep: { host: string; port: number }, client: ProxyClientCert | undefined, path: string): Promise<string> {
  const url = `https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${path}`;
  let r;
  try {
    r = await backendFetch(s, ep, client, path, AGGREGATOR_USER, { accept: 'application/json' }, CHECK_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`failing or missing response from ${url}: Get "${url}": ${(err as Error).message}`);
  }
  if (r.status < 200 || r.status > 300) throw new Error(`failing or missing response from ${url}: bad status from ${url}: ${r.status}`);
  return r.body;
}

export class AvailabilityController {
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private readonly discovery = new Map<string, DiscoveryResult>();

  constructor(private readonly registry: Registry, private readonly index: APIServiceIndex, private readonly client: ProxyClientCert | undefined,
    private readonly viaEndpoints: boolean, private readonly intervalMs: number, private readonly log: (level: number, msg: string) => void,
    private readonly specs: OpenAPISpecs) {}

  start(): void {
    const tick = () => { for (const s of this.index.all()) this.enqueue(s.metadata!.name); };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  /** The backend's resources for an APIService, once a check has read them. */
  discoveryOf(name: string): DiscoveryResult | undefined { return this.discovery.get(name); }

  enqueue(name: string): void {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    this.running = this.running.then(async () => {
      this.pending.delete(name);
      const s = this.index.get(name);
      if (!s) { this.discovery.delete(name); this.specs.forget(name); return; }
      await this.sync(s);
    }).catch((err) => this.log(0, `aggregator: availability of ${name}: ${(err as Error).message}`));
  }

  private async check(s: APIService): Promise<Condition> {
    if (isLocal(s)) return { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
    const name = s.metadata!.name as string;
    try {
      const ep = await resolveEndpoint(this.registry, s.spec.service!, this.viaEndpoints);
      const gvPath = s.spec.group ? `apis/${s.spec.group}/${s.spec.version}` : `api/${s.spec.version}`;
      let doc: any;
      try { doc = JSON.parse(await backendGet(s, ep, this.client, `/${gvPath}`)); } catch (err) { if (err instanceof SyntaxError) doc = undefined; else throw err; }
      this.discovery.set(name, { resources: Array.isArray(doc?.resources) ? doc.resources : [], stale: false });
      this.specs.refresh(s, ep);
      return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
    } catch (err) {
      const prev = this.discovery.get(name);
      if (prev) prev.stale = true;
      if (err instanceof ResolveError) return { type: 'Available', status: 'False', reason: err.reason, message: err.message };
      return { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: (err as Error).message };
    }
  }

  private async sync(s: APIService): Promise<void> {
    const want = await this.check(s);
    const old = (s.status?.conditions ?? []).find((c: Condition) => c.type === 'Available') as Condition | undefined;
    if (old && old.status === want.status && old.reason === want.reason && old.message === want.message) return;
    if (old?.status !== want.status) this.log(1, `aggregator: ${s.metadata!.name} Available=${want.status} (${want.reason}): ${want.message}`);
    const cond = { ...want, lastTransitionTime: old && old.status === want.status ? old.lastTransitionTime : nowTimestamp() };
    await this.registry.update(apiservices, '', s.metadata!.name, (cur) => {
      const others = (cur.status?.conditions ?? []).filter((c: Condition) => c.type !== 'Available');
      cur.status = { ...(cur.status ?? {}), conditions: [...others, { type: cond.type, status: cond.status, lastTransitionTime: cond.lastTransitionTime, reason: cond.reason, message: cond.message }] };
      return cur;
    }, { subresource: 'status', fieldManager: 'kube-apiserver' }).catch((err) => { if ((err as { reason?: string }).reason !== 'NotFound') throw err; });
  }
}
