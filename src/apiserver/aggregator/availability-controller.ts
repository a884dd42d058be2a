// Upstream's APIServiceAvailabilityController: keeps each APIService's Available condition.
// Local ones are always available; for the others the Service must exist, listen on the
// port, have a ready endpoint, and answer GET /apis/GROUP/VERSION with a 2xx within 5 s to
// the front-proxy certificate naming system:kube-aggregator (group system:masters). The
// discovery document that check returns is kept for aggregated discovery.
import https from 'node:https';
import { apiservices } from '../../api/resources/apiregistration-v1.js';
import type { Registry } from '../registry/registry.js';
import { nowTimestamp } from '../registry/object-meta.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import { type APIService, type APIServiceIndex, isLocal } from './apiservice-index.js';
import { ResolveError, resolveEndpoint } from './service-resolver.js';
import { backendHeaders, tlsOptions } from './backend-request.js';
import { type CachedDoc, etagOf } from '../discovery/openapi-http.js';

export const AGGREGATOR_USER = { name: 'system:kube-aggregator', uid: '', groups: ['system:masters'] };
const CHECK_TIMEOUT_MS = 5000;

interface Condition { type: string; status: string; reason: string; message: string; lastTransitionTime?: string }

/** What a discovery check learned: the backend's APIResourceList, fresh or from an earlier success. */
export interface DiscoveryResult { resources: any[]; stale: boolean }

/** GET PATH from the backend as the aggregator; a non-2xx answer is an error, as upstream's check reads it. */
function backendGet(s: APIService, ep: { host: string; port: number }, client: ProxyClientCert | undefined, path: string): Promise<string> {
  const url = `https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${path}`;
  return new Promise((resolve, reject) => {
    const req = https.request({ ...tlsOptions(s, ep, client), method: 'GET', path, headers: backendHeaders({ accept: 'application/json' }, AGGREGATOR_USER, false), timeout: CHECK_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 300) { reject(new Error(`failing or missing response from ${url}: bad status from ${url}: ${code}`)); return; }
        resolve(text);
      });
      res.on('error', (err) => reject(new Error(`failing or missing response from ${url}: ${err.message}`)));
    });
    req.on('timeout', () => req.destroy(new Error('Client.Timeout exceeded while awaiting headers')));
    req.on('error', (err) => reject(new Error(`failing or missing response from ${url}: Get "${url}": ${err.message}`)));
    req.end();
  });
}

export class AvailabilityController {
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private readonly discovery = new Map<string, DiscoveryResult>();
  private readonly openapi = new Map<string, CachedDoc>();

  constructor(private readonly registry: Registry, private readonly index: APIServiceIndex, private readonly client: ProxyClientCert | undefined,
    private readonly viaEndpoints: boolean, private readonly intervalMs: number, private readonly log: (level: number, msg: string) => void) {}

  start(): void {
    const tick = () => { for (const s of this.index.all()) this.enqueue(s.metadata!.name); };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  /** The backend's OpenAPI v3 document of its group version, as last fetched (upstream merges these into /openapi/v3). */
  openapiOf(name: string): CachedDoc | undefined { return this.openapi.get(name); }

  /** The backend's resources for an APIService, once a check has read them. */
  discoveryOf(name: string): DiscoveryResult | undefined { return this.discovery.get(name); }

  enqueue(name: string): void {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    this.running = this.running.then(async () => {
      this.pending.delete(name);
      const s = this.index.get(name);
      if (!s) { this.discovery.delete(name); this.openapi.delete(name); return; }
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
      await this.fetchOpenAPI(name, s, ep, gvPath);
      return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
    } catch (err) {
      const prev = this.discovery.get(name);
      if (prev) prev.stale = true;
      if (err instanceof ResolveError) return { type: 'Available', status: 'False', reason: err.reason, message: err.message };
      return { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: (err as Error).message };
    }
  }

  /** The backend's /openapi/v3 entry for the group version, if it serves one; kept when a fetch fails. */
  private async fetchOpenAPI(name: string, s: APIService, ep: { host: string; port: number }, gvPath: string): Promise<void> {
    try {
      const index = JSON.parse(await backendGet(s, ep, this.client, '/openapi/v3'));
      const rel = index?.paths?.[gvPath]?.serverRelativeURL as string | undefined;
      if (!rel) { this.openapi.delete(name); return; }
      const text = await backendGet(s, ep, this.client, rel.startsWith('/') ? rel : `/${rel}`);
      const body = Buffer.from(JSON.stringify(JSON.parse(text)));
      const etag = etagOf(body);
      if (this.openapi.get(name)?.etag !== etag) this.openapi.set(name, { body, etag, lastModified: new Date() });
    } catch (err) {
      this.log(2, `aggregator: OpenAPI of ${name}: ${(err as Error).message}`);
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
