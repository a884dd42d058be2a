// The aggregation layer (upstream's kube-aggregator, which kube-apiserver runs in front of
// itself): APIServices name which server answers each group/version; requests for a remote
// one are proxied after this server has authenticated and authorized them; discovery lists
// the remote groups and their resources, /openapi/v2 and /v3 carry their schemas; an availability controller keeps each
// APIService's Available condition; Local APIServices are kept for what this server serves.
import type { Catalogue } from '../../api/resources/catalogue.js';
import type { Registry } from '../registry/registry.js';
import type { RequestInfo } from '../request-info.js';
import type { ProxyClientCert } from '../tls/proxy-client.js';
import { APIServiceIndex, isLocal } from './apiservice-index.js';
import type { RemoteDocs } from '../discovery/openapi-v3.js';
import type { RemoteSwagger } from '../discovery/openapi-v2.js';
import { AvailabilityController } from './availability-controller.js';
import { OpenAPISpecs } from './openapi-specs.js';
import { registerAPIServiceOpenAPI } from './apiservice-openapi.js';
import { syncLocalAPIServices } from './local-apiservices.js';
import { type ProxyRequest, proxyToService } from './proxy-handler.js';
import { remoteAPIGroup, withRemoteDiscovery, withRemoteGroups } from './aggregated-discovery.js';

/** How often every APIService is checked again (and Local ones re-synced with the served groups). */
export const DEFAULT_RECHECK_MS = 10_000;

export class Aggregator {
  private readonly index: APIServiceIndex;
  private readonly availability: AvailabilityController;
  private readonly specs: OpenAPISpecs;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  /** `viaEndpoints`: --enable-aggregator-routing (endpoint IPs instead of the ClusterIP). */
  constructor(private readonly registry: Registry, private readonly catalogue: Catalogue, private readonly proxyClient: ProxyClientCert | undefined,
    private readonly log: (level: number, msg: string) => void, private readonly viaEndpoints = false, recheckMs = DEFAULT_RECHECK_MS) {
    registerAPIServiceOpenAPI();
    this.index = new APIServiceIndex(registry, log, (name) => this.availability.enqueue(name));
    this.specs = new OpenAPISpecs(proxyClient, log);
    this.availability = new AvailabilityController(registry, this.index, proxyClient, viaEndpoints, recheckMs, log, this.specs);
    if (!proxyClient) log(1, 'aggregator: no --proxy-client-cert-file: requests to extension API servers carry no client certificate');
  }

  /** Resolves once the Local APIServices exist (upstream's autoregister-completion readiness check). */
  async start(): Promise<void> {
    await this.index.start();
    this.availability.start();
    await this.syncLocal(true);
    this.timer = setInterval(() => void this.syncLocal(false), DEFAULT_RECHECK_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.availability.stop();
    this.index.close();
  }

  private syncLocal(atStart: boolean): Promise<void> {
    this.syncing = this.syncing.then(() => syncLocalAPIServices(this.registry, this.catalogue, this.index, atStart))
      .catch((err) => this.log(0, `aggregator: local APIServices: ${(err as Error).message}`));
    return this.syncing;
  }

  /** Proxies a request for a remote group/version (resource or its /apis/G/V discovery); false when this server answers it. */
  async proxy(info: RequestInfo, p: ProxyRequest): Promise<boolean> {
    if (info.apiPrefix !== 'apis' || !info.group || !info.version) return false;
    const s = this.index.remote(info.group, info.version);
    if (!s) return false;
    await proxyToService(s, p, this.registry, this.proxyClient, this.viaEndpoints, this.log);
    return true;
  }

  groupList<T extends { groups: any[] }>(list: T): T { return withRemoteGroups(list, this.index.all()) as unknown as T; }

  apiGroup(group: string, local?: { versions: Array<{ groupVersion: string; version: string }> }) { return remoteAPIGroup(group, this.index.all(), local); }

  /** The remote group versions' OpenAPI v3 documents, by /openapi/v3 path, for the served index. */
  openapiDocs(): RemoteDocs {
    const out: RemoteDocs = new Map();
    for (const s of this.index.all()) {
      if (isLocal(s) || !s.spec.group) continue;
      const d = this.specs.v3Of(s.metadata!.name);
      if (d) out.set(`apis/${s.spec.group}/${s.spec.version}`, d);
    }
    return out;
  }

  /** The remote servers' Swagger documents (cut down to their group versions), in merge order, for /openapi/v2. */
  openapiV2Specs(): RemoteSwagger[] { return this.specs.v2Of(this.index.all().filter((s) => !isLocal(s) && s.spec.group)); }

  discovery<T extends { items: any[] }>(doc: T): T { return withRemoteDiscovery(doc, this.index.all(), (n) => this.availability.discoveryOf(n)) as unknown as T; }
}
