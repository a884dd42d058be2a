// The resource metrics API (metrics.k8s.io/v1beta1), served by the API server itself.
//
// Why built in: upstream, metrics-server is a separate Deployment that scrapes every
// kubelet's /metrics/resource each --metric-resolution and is reached through the
// aggregation layer (an APIService the API server proxies to). tskube has no aggregation
// layer, and the API server already lists Nodes from its watch cache and reaches kubelets
// with its kubelet client credentials (logs, exec, nodes/proxy). So the same loop runs here:
// the same kubelet endpoint, the same two-sample rates and windows, the same NodeMetrics/
// PodMetrics objects — only without the extra process and proxy hop. --metric-resolution=0s
// turns it off (metrics.k8s.io is then not served, as on a cluster without metrics-server).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import { parseLabelSelector } from '../../api/selectors/index.js';
import { newBadRequest, newMethodNotSupported, newNotFound } from '../../api/status/index.js';
import { type IncludeObject, toTable } from '../../api/tables/to-table.js';
import { nodemetrics, podmetrics } from '../../api/resources/metrics-v1beta1.js';
import type { RequestContext } from '../handlers/request-context.js';
import { query } from '../handlers/request-context.js';
import { wantsTable } from '../http/negotiate.js';
import { sendJSON } from '../http/respond.js';
import type { KubeletClient } from '../kubelet/kubelet-client.js';
import type { Registry } from '../registry/registry.js';
import { MetricsStore, type Usage } from './metrics-store.js';
import { parsePromText } from './prometheus-text.js';

const API_VERSION = 'metrics.k8s.io/v1beta1';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
/** A Go duration as metrics-server prints it ("15.012s"). */
const window = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;
const cpu = (u: Usage) => `${Math.round(u.nanoCores)}n`;
const memory = (u: Usage) => `${Math.round(u.memoryBytes / 1024)}Ki`;

export class ResourceMetricsProvider {
  readonly store = new MetricsStore();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly registry: Registry, private readonly kubelet: KubeletClient, private readonly nodes: ResourceDef,
    private readonly pods: ResourceDef, private readonly resolutionMs: number, private readonly log: (level: number, msg: string) => void) {}

  start(): void {
    const tick = () => { this.running ??= this.scrapeAll().finally(() => { this.running = undefined; }); };
    tick();
    this.timer = setInterval(tick, this.resolutionMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: every Node's kubelet at once, each bounded by the resolution (as metrics-server's scrape timeout). */
  private async scrapeAll(): Promise<void> {
    const nodes = await this.registry.lookupList(this.nodes, '') as Node[];
    const names = new Set(nodes.map((n) => n.metadata!.name!));
    await Promise.all(nodes.map(async (node) => {
      const name = node.metadata!.name!;
      try {
        this.store.record(name, parsePromText(await this.fetch(node)));
      } catch (err) {
        this.store.forget(name);
        this.log(2, `metrics: scraping node ${name}: ${(err as Error).message}`);
      }
    }));
    for (const n of this.knownNodes) if (!names.has(n)) this.store.forget(n);
    this.knownNodes = names;
  }

  private knownNodes = new Set<string>();

  private async fetch(node: Node): Promise<string> {
    const res = await this.kubelet.get(this.kubelet.url(node, '/metrics/resource'));
    const timer = setTimeout(() => res.destroy(new Error('timed out')), Math.max(1000, this.resolutionMs));
    try {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${text.slice(0, 200)}`);
      return text;
    } finally { clearTimeout(timer); }
  }

  private nodeMetrics(node: KubeObject): KubeObject | undefined {
    const u = this.store.nodeUsage(node.metadata!.name);
    if (!u) return undefined;
    return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: { name: node.metadata!.name, labels: node.metadata!.labels, creationTimestamp: rfc3339(Date.now()) },
      timestamp: rfc3339(u.timestamp), window: window(u.windowMs), usage: { cpu: cpu(u), memory: memory(u) } };
  }

  private podMetrics(pod: KubeObject): KubeObject | undefined {
    const m = pod.metadata!;
    const cs = this.store.podUsage(m.namespace, m.name);
    if (!cs) return undefined;
    const newest = cs.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    return { kind: 'PodMetrics', apiVersion: API_VERSION, metadata: { name: m.name, namespace: m.namespace, labels: m.labels, creationTimestamp: rfc3339(Date.now()) },
      timestamp: rfc3339(newest.timestamp), window: window(newest.windowMs), containers: cs.map((c) => ({ name: c.name, usage: { cpu: cpu(c), memory: memory(c) } })) };
  }

  /** Answers requests for metrics.k8s.io resources; false for anything else. */
  async serve(ctx: RequestContext): Promise<boolean> {
    const { def, info } = ctx;
    if (def !== nodemetrics && def !== podmetrics) return false;
    if (info.verb !== 'get' && info.verb !== 'list') throw newMethodNotSupported({ group: def.group, resource: def.plural }, info.verb);
    if (info.subresource) throw newNotFound({ group: def.group, resource: def.plural }, info.name);
    const source = def === nodemetrics ? this.nodes : this.pods;
    const toMetrics = (o: KubeObject) => (def === nodemetrics ? this.nodeMetrics(o) : this.podMetrics(o));
    const ns = def.namespaced ? info.namespace : '';
    const gr = { group: def.group, resource: def.plural };
    let items: KubeObject[];
    if (info.verb === 'get') {
      const obj = await this.registry.lookup(source, ns, info.name);
      const m = obj && toMetrics(obj);
      if (!m) throw newNotFound(gr, info.name);
      items = [m];
    } else {
      let selector;
      try { selector = parseLabelSelector(query(ctx, 'labelSelector') ?? ''); } catch (err) { throw newBadRequest((err as Error).message); }
      const field = query(ctx, 'fieldSelector');
      const byName = field ? /^metadata\.name==?(.+)$/.exec(field) : undefined;
      if (field && !byName) throw newBadRequest(`field label not supported: ${field.split(/[=!]/)[0]}`);
      items = (await this.registry.lookupList(source, ns))
        .filter((o) => this.registry.matches(source, o, { labelSelector: selector }) && (!byName || o.metadata?.name === byName[1]))
        .map(toMetrics).filter((m): m is KubeObject => !!m)
        .sort((a, b) => `${a.metadata!.namespace ?? ''}/${a.metadata!.name}`.localeCompare(`${b.metadata!.namespace ?? ''}/${b.metadata!.name}`));
    }
    const tableVersion = wantsTable(ctx.req.headers.accept);
    if (tableVersion) {
      sendJSON(ctx.res, 200, toTable(def, items, { version: tableVersion, includeObject: query(ctx, 'includeObject') as IncludeObject | undefined, listMeta: {} }));
    } else {
      sendJSON(ctx.res, 200, info.verb === 'get' ? items[0] : { kind: `${def.kind}List`, apiVersion: API_VERSION, metadata: {}, items });
    }
    return true;
  }
}
