// Upstream's OpenAPI v2 and v3 aggregation controllers: the aggregated API servers' own
// OpenAPI documents, downloaded as system:aggregator after each passing availability check
// (so when an APIService changes and every recheck period) and dropped with their
// APIService. /openapi/v2 takes each server's Swagger document cut down to the paths under
// /apis/GROUP/VERSION/ (fetched with If-None-Match, so an unchanged one costs a 304);
// /openapi/v3 serves each server's document of its group version as it came. A failed
// download keeps the last good document, as upstream does.
import type { RemoteSwagger } from '../discovery/openapi-v2.js';
import { type CachedDoc, etagOf } from '../discovery/openapi-http.js';
import { filterPaths } from '../../api/openapi/swagger-merge.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import type { APIService } from './apiservice-index.js';
import { backendFetch } from './backend-request.js';
import type { Endpoint } from './service-resolver.js';

const DOWNLOADER = { name: 'system:aggregator', uid: '', groups: ['system:authenticated'] };
/** upstream's specDownloadTimeout */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** Upstream's order for merging: higher groupPriorityMinimum, then versionPriority, first. */
export const byPriority = (a: APIService, b: APIService) => b.spec.groupPriorityMinimum - a.spec.groupPriorityMinimum
  || b.spec.versionPriority - a.spec.versionPriority || a.metadata!.name.localeCompare(b.metadata!.name);

export class OpenAPISpecs {
  private readonly v2 = new Map<string, RemoteSwagger>();
  private readonly v3 = new Map<string, CachedDoc & { url: string }>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly client: ProxyClientCert | undefined, private readonly log: (level: number, msg: string) => void) {}

  /** Downloads both documents in the background (a slow server holds up no availability check). */
  refresh(s: APIService, ep: Endpoint): void {
    const name = s.metadata!.name as string;
    if (this.inFlight.has(name)) return;
    this.inFlight.add(name);
    void Promise.all([this.refreshV2(name, s, ep), this.refreshV3(name, s, ep)]).finally(() => this.inFlight.delete(name));
  }

  forget(name: string): void { this.v2.delete(name); this.v3.delete(name); }

  /** The v2 documents of `services` that have one, in merge order. */
  v2Of(services: APIService[]): RemoteSwagger[] {
    return [...services].sort(byPriority).flatMap((s) => this.v2.get(s.metadata!.name) ?? []);
  }

  v3Of(name: string): CachedDoc | undefined { return this.v3.get(name); }

  private get(s: APIService, ep: Endpoint, path: string, headers: Record<string, string> = {}) {
    return backendFetch(s, ep, this.client, path, DOWNLOADER, { accept: 'application/json', ...headers }, DOWNLOAD_TIMEOUT_MS);
  }

  private async refreshV2(name: string, s: APIService, ep: Endpoint): Promise<void> {
    const old = this.v2.get(name);
    try {
      const r = await this.get(s, ep, '/openapi/v2', old ? { 'if-none-match': JSON.stringify(old.etag) } : {});
      if (r.status === 304) return;
      if (r.status !== 200) throw new Error(`/openapi/v2: status ${r.status}`);
      const etag = String(r.headers.etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '') || etagOf(Buffer.from(r.body));
      if (old?.etag === etag) return;
      const prefix = `/apis/${s.spec.group}/${s.spec.version}/`;
      this.v2.set(name, { name, etag, spec: filterPaths(JSON.parse(r.body), (p) => p.startsWith(prefix)) });
    } catch (err) {
      this.log(2, `aggregator: OpenAPI v2 of ${name}: ${(err as Error).message}`);
    }
  }

  /** The server's /openapi/v3 entry for the group version; fetched again only when its URL (with its hash) changes. */
  private async refreshV3(name: string, s: APIService, ep: Endpoint): Promise<void> {
    try {
      const index = await this.get(s, ep, '/openapi/v3');
      if (index.status !== 200) throw new Error(`/openapi/v3: status ${index.status}`);
      const rel = JSON.parse(index.body)?.paths?.[`apis/${s.spec.group}/${s.spec.version}`]?.serverRelativeURL as string | undefined;
      if (!rel) { this.v3.delete(name); return; }
      const url = rel.startsWith('/') ? rel : `/${rel}`;
      // a URL with the document's hash names its content; one without is fetched every time
      if (url.includes('hash=') && this.v3.get(name)?.url === url) return;
      const r = await this.get(s, ep, url);
      if (r.status !== 200) throw new Error(`${url}: status ${r.status}`);
      const body = Buffer.from(JSON.stringify(JSON.parse(r.body)));
      this.v3.set(name, { body, etag: etagOf(body), lastModified: new Date(), url });
    } catch (err) {
      this.log(2, `aggregator: OpenAPI v3 of ${name}: ${(err as Error).message}`);
    }
  }
}
