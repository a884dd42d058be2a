// The API server's Prometheus metrics under upstream's names and labels: requests by verb,
// resource and code with their latency, requests in flight, etcd call latency by operation
// and resource, and stored object counts; the watch cache adds its own lines.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestInfo } from '../request-info.js';

/** upstream's apiserver_request_duration_seconds and etcd_request_duration_seconds buckets. */
const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** Upstream's metric verb: LIST and WATCH apart from GET, APPLY apart from PATCH, the HTTP method otherwise. */
export function metricVerb(method: string, info: RequestInfo, contentType?: string): string {
  if (info.verb === 'list') return 'LIST';
  if (info.verb === 'watch') return 'WATCH';
  if (method === 'PATCH' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
  return method.toUpperCase();
}

/** resource (one named object), namespace or cluster (collections), as upstream's scope label. */
export function metricScope(info: RequestInfo): string {
  if (!info.isResourceRequest) return '';
  if (info.name) return 'resource';
  return info.namespace ? 'namespace' : 'cluster';
}

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  readonly inflight: Gauge<'request_kind'>;
  readonly longRunning: Gauge<'verb' | 'resource'>;
  private readonly etcdDuration: Histogram<'operation' | 'type'>;
  private readonly etcdErrors: Counter<'operation' | 'type'>;

  constructor(storedObjects: () => Map<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const labels = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'];
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', labelNames: labels, registers });
    this.duration = new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.', labelNames: labels.filter((l) => l !== 'code'), buckets: REQUEST_BUCKETS, registers });
    this.inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', labelNames: ['request_kind'], registers });
    this.longRunning = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb and resource.', labelNames: ['verb', 'resource'], registers });
    this.etcdDuration = new Histogram({ name: 'etcd_request_duration_seconds', help: 'Etcd request latency in seconds for each operation and object type.', labelNames: ['operation', 'type'], buckets: REQUEST_BUCKETS, registers });
    this.etcdErrors = new Counter({ name: 'etcd_request_errors_total', help: 'Etcd failed request counts for each operation and object type.', labelNames: ['operation', 'type'], registers });
    new Gauge({
      name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.', labelNames: ['resource'], registers,
      collect() { for (const [r, n] of storedObjects()) this.set({ resource: r }, n); },
    });
    this.inflight.set({ request_kind: 'readOnly' }, 0);
    this.inflight.set({ request_kind: 'mutating' }, 0);
  }

  /** Records one finished request. */
  request(method: string, info: RequestInfo, code: number, seconds: number, dryRun: boolean, contentType?: string): void {
    const l: Record<string, string> = {
      verb: metricVerb(method, info, contentType), dry_run: dryRun ? 'All' : '', group: info.group, version: info.version,
      resource: info.resource, subresource: info.isResourceRequest ? info.subresource : nonResourcePath(info.path),
      scope: metricScope(info), component: 'apiserver',
    };
    this.duration.observe(l, seconds);
    l.code = String(code);
    this.requests.inc(l);
  }

  /** Times one etcd call (operation: get, list, create, update, delete, grant, …; type: the resource). */
  async etcd<T>(operation: string, type: string, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } catch (err) {
      this.etcdErrors.inc({ operation, type });
      throw err;
    } finally {
      this.etcdDuration.observe({ operation, type }, (performance.now() - start) / 1000);
    }
  }

  async text(): Promise<string> { return this.registry.metrics(); }
}

/** Non-resource paths upstream labels by name; everything else is "other" (bounded cardinality). */
function nonResourcePath(path: string): string {
  const known = ['/healthz', '/livez', '/readyz', '/metrics', '/version', '/openapi/v2', '/openapi/v3', '/api', '/apis'];
  const p = path.replace(/\/+$/, '') || '/';
  if (known.includes(p)) return p;
  if (/^\/(healthz|livez|readyz)\//.test(p)) return p.split('/').slice(0, 2).join('/') + '/*';
  if (p.startsWith('/openapi/v3/')) return '/openapi/v3/*';
  if (p.startsWith('/apis/') || p.startsWith('/api/')) return '/apis/*';
  return 'other';
}
