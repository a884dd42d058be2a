// The HTTPS server and its handler chain: authentication → authorization → in-flight
// limit → non-resource paths (health, version, discovery) or the resource handlers.
import https from 'node:https';
import os from 'node:os';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Catalogue, builtinResources } from '../api/resources/catalogue.js';
import { newNotFound, failureStatus, ApiError } from '../api/status/index.js';
import { clientCertTLSOptions, loadClientCA, x509Authenticator } from './authn/x509.js';
import { buildAuthentication } from './authn/index.js';
import { clearRequestHeaders, loadRequestHeaderConfig, requestHeaderAuthenticator } from './authn/request-header.js';
import { publishAuthenticationInfo } from './authn/cluster-authentication-info.js';
import { loadProxyClientCert, type ProxyClientCert } from './tls/proxy-client.js';
import { impersonate } from './authn/impersonation.js';
import type { UserInfo } from './authn/user-info.js';
import { buildAuthorization } from './authz/index.js';
import { buildAdmission } from './admission/index.js';
import { addWarning } from './admission/request-scope.js';
import { enableEncryption } from './encryption/index.js';
import { buildAudit, type AuditTracker } from './audit/index.js';
import { bootstrap, ensureSystemNamespaces } from './bootstrap.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery/legacy-discovery.js';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery } from './discovery/aggregated-discovery.js';
import { serveOpenAPIV3 } from './discovery/openapi-v3.js';
import { serveOpenAPIV2 } from './discovery/openapi-v2.js';
import { serveResource } from './handlers/resource-handler.js';
import { wantsAggregatedDiscovery } from './http/negotiate.js';
import { sendError, sendJSON } from './http/respond.js';
import type { ApiServerOptions } from './options.js';
import { Registry } from './registry/registry.js';
import { CacheSet, DEFAULT_WATCH_CACHE_SIZE } from './cache/cache-set.js';
import { CrdController } from './crd/crd-controller.js';
import { requestInfo } from './request-info.js';
import { ServiceAllocators, serviceHooks } from './services/service-hooks.js';
import { EtcdClient } from './storage/etcd-client.js';
import { ObjectStore } from './storage/object-store.js';
import { migrateStorageKeys } from './storage/key-migrations.js';
import { servingCert } from './tls/serving-cert.js';
import { checkEtcdConnection, checkEtcdTlsFiles } from './tls/etcd-connection.js';
import { versionInfo } from './version.js';
import { KubeletClient } from './kubelet/kubelet-client.js';
import { ResourceMetricsProvider } from './metrics-api/resource-metrics-provider.js';
import { metricsV1beta1 } from '../api/resources/metrics-v1beta1.js';
import { HealthChecks, PostStartHook, type Endpoint, type HealthCheck } from './health/health-checks.js';
import { ApiServerMetrics } from './metrics/apiserver-metrics.js';
import { DEFAULT_PREFERRED_ADDRESS_TYPES } from './kubelet/node-address.js';
import { Aggregator } from './aggregator/aggregator.js';

/** Subresources whose requests stay open (upstream's long-running check): not counted in flight. */
const LONG_RUNNING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy', 'log']);
/** A WebSocket GET on these needs `create` too (AuthorizePodWebsocketUpgradeCreatePermission, on since 1.31). */
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export interface RunningApiServer {
  port: number;
  url: string;
  /** --proxy-client-cert-file/--proxy-client-key-file, for proxying to aggregated API servers. */
  proxyClient?: ProxyClientCert;
  close(): Promise<void>;
}

function firstIPv4(): string {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const log = (level: number, msg: string) => { if (level <= opts.verbosity) process.stderr.write(`apiserver: ${msg}\n`); };
  checkEtcdTlsFiles(opts);
  // every certificate file is read before anything connects: a bad one ends the start at once
  const clientCA = opts.clientCAFile ? loadClientCA(opts.clientCAFile) : undefined;
  const requestHeader = loadRequestHeaderConfig(opts);
  const proxyClient = loadProxyClientCert(opts);
  const etcd = new EtcdClient(opts.etcdServers, { caFile: opts.etcdCaFile, certFile: opts.etcdCertFile, keyFile: opts.etcdKeyFile });
  try {
    await checkEtcdConnection(etcd, opts, 60_000, (m) => log(0, m));
  } catch (err) {
    etcd.close();
    throw err;
  }
  const store = new ObjectStore(etcd);
  etcd.onWatchFailover = (target, why) => log(1, `etcd watch on ${target} failed over to the next endpoint: ${why}`);
  const [portMin, portMax] = opts.serviceNodePortRange.split('-').map(Number);
  if (!(portMin > 0 && portMax >= portMin && portMax < 65536)) throw new Error(`invalid --service-node-port-range ${opts.serviceNodePortRange}`);
  const allocators = new ServiceAllocators(store, opts.etcdPrefix, opts.serviceClusterIPRange, portMin, portMax);
  const registry = new Registry(store, opts.etcdPrefix, new Map([['services', serviceHooks(allocators)]]), opts.eventTTLSeconds);
  const catalogue = new Catalogue(builtinResources());
  enableEncryption(opts.encryptionProviderConfig, catalogue.all, opts.etcdPrefix);
  await migrateStorageKeys(store, opts.etcdPrefix, (m) => log(0, `storage migration: ${m}`));
  const caches = new CacheSet(store, opts.etcdPrefix, opts.watchCacheSize ?? DEFAULT_WATCH_CACHE_SIZE, log);
  registry.useCaches(caches);
  for (const def of catalogue.all) if (!def.notStored) caches.for(def);
  // upstream's union order: the front proxy's headers, then client certificates, then tokens
  const certAuthenticators = [
    ...(requestHeader ? [requestHeaderAuthenticator(requestHeader)] : []),
    ...(clientCA ? [x509Authenticator(requestHeader ? clientCA.certs : undefined)] : []),
  ];
  const trustedCAs = [clientCA?.pem, requestHeader?.caPem].filter(Boolean).join('\n');
  // Security hook points: authn → authz → admission (in the registry) → storage (encryption); audit around it all.
  const authn = buildAuthentication(opts, registry, (m) => log(1, `authn: ${m}`), certAuthenticators);
  const authz = buildAuthorization(opts.authorizationMode, registry, store, (m) => log(1, `authz: ${m}`));
  registry.admission = buildAdmission(opts, registry, (m) => log(1, `admission: ${m}`), catalogue, (a) => authz.union.authorize(a));
  const audit = buildAudit(opts, (m) => log(1, `audit: ${m}`));
  const kubelet = new KubeletClient({
    certFile: opts.kubeletClientCertificate, keyFile: opts.kubeletClientKey, caFile: opts.kubeletCertificateAuthority,
    preferredAddressTypes: opts.kubeletPreferredAddressTypes ?? DEFAULT_PREFERRED_ADDRESS_TYPES,
  });
  const resolutionMs = (opts.metricResolutionSeconds ?? 15) * 1000;
  const resourceMetrics = resolutionMs > 0
    ? new ResourceMetricsProvider(registry, kubelet, catalogue.lookup('', 'v1', 'nodes')!, catalogue.lookup('', 'v1', 'pods')!, resolutionMs, log) : undefined;
  if (resourceMetrics) for (const def of metricsV1beta1) catalogue.add(def);
  const advertise = opts.advertiseAddress ?? (opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? firstIPv4() : opts.bindAddress);
  const metrics = new ApiServerMetrics(() => caches.objectCounts());
  const aggregator = new Aggregator(registry, catalogue, proxyClient, log, opts.enableAggregatorRouting ?? false);
  store.timer = (op, type, call) => metrics.etcd(op, type, call);

  // Health: upstream's check names; /readyz turns 200 only once the bootstrap below is done.
  let shuttingDown = false;
  const hook = (name: string) => new PostStartHook(`poststarthook/${name}`);
  const hooks = {
    admission: hook('start-apiserver-admission-initializer'), informers: hook('generic-apiserver-start-informers'),
    bootstrap: hook('bootstrap-controller'), rbac: hook('rbac/bootstrap-roles'), priority: hook('scheduling/bootstrap-system-priority-classes'),
    crdSynced: hook('crd-informer-synced'), crdControllers: hook('start-apiextensions-controllers'),
    authInfo: hook('start-cluster-authentication-info-controller'),
    aggregator: hook('apiservice-registration-controller'), availability: hook('apiservice-status-available-controller'),
  };
  const etcdCheck = (name: string): HealthCheck => ({ name, check: async () => { await etcd.range(Buffer.from('health'), { countOnly: true }); } });
  const base: HealthCheck[] = [{ name: 'ping', check: () => {} }, { name: 'log', check: () => {} }, etcdCheck('etcd')];
  const postStart = Object.values(hooks);
  const live: HealthCheck[] = [...base, ...postStart];
  const health = new HealthChecks({
    healthz: live, livez: live,
    readyz: [...base, etcdCheck('etcd-readiness'), { name: 'informer-sync', check: () => { if (!caches.synced) throw new Error('caches not synced'); } },
      ...postStart, { name: 'shutdown', check: () => { if (shuttingDown) throw new Error('shutting down'); } }],
  });


  /** Refusals are worth one line at -v=1: a component missing a permission shows up here. */
  const logForbidden = (req: IncomingMessage, err: ApiError, user?: UserInfo) => {
    if (err.status.code === 403) log(1, `forbidden: ${req.method} ${req.url} user="${user?.name ?? ''}" groups=${JSON.stringify(user?.groups ?? [])}: ${err.status.message}`);
  };

  const inflight = { readOnly: 0, mutating: 0 };
  const limits = { readOnly: opts.maxRequestsInflight, mutating: opts.maxMutatingRequestsInflight ?? 200 };

  async function handle(req: IncomingMessage, res: ServerResponse, tracker: AuditTracker | undefined, seen: { user?: UserInfo }, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const start = performance.now();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = requestInfo(req.method ?? 'GET', url);
    res.once('close', () => metrics.request(req.method ?? 'GET', info, res.statusCode, (performance.now() - start) / 1000,
      url.search.includes('dryRun') && url.searchParams.getAll('dryRun').includes('All'), req.headers['content-type']));
    const caller = await authn.authenticate(req);
    // whoever the caller is, headers only a front proxy may set go no further (upstream's WithAuthentication)
    if (requestHeader) clearRequestHeaders(req, requestHeader);
    const user = seen.user = await impersonate(req, caller, (a) => authz.check(a));
    await tracker?.identify(user, info, user === caller ? undefined : caller);
    await authz.checkRequest(user, info, url);
    if (info.verb === 'get' && info.resource === 'pods' && STREAMING_SUBRESOURCES.has(info.subresource)) await authz.checkRequest(user, { ...info, verb: 'create' }, url);
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const hm = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(p);
    if (hm && await health.serve(hm[1] as Endpoint, hm[2] ?? '', url.searchParams, res)) return;
    if (p === '/version') return sendJSON(res, 200, versionInfo());
    if (p === '/metrics') { const text = await metrics.text() + caches.metrics(); res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }); res.end(text); return; }
    if (p === '/openapi/v2') return serveOpenAPIV2(req, res, catalogue, aggregator.openapiV2Specs());
    if ((p === '/openapi/v3' || p.startsWith('/openapi/v3/')) && serveOpenAPIV3(req, res, url, catalogue, aggregator.openapiDocs())) return;
    if (p === '/api' || p === '/apis') {
      if (wantsAggregatedDiscovery(req.headers.accept)) {
        const doc = aggregatedDiscovery(catalogue, p === '/api');
        return sendJSON(res, 200, p === '/api' ? doc : aggregator.discovery(doc), AGGREGATED_CONTENT_TYPE);
      }
      return sendJSON(res, 200, p === '/api' ? apiVersions(`${advertise}:${opts.securePort}`) : aggregator.groupList(apiGroupList(catalogue)));
    }
    // a group/version an APIService sends to another server: proxied, already authorized
    if (await aggregator.proxy(info, { req, res, user, upgrade })) return;
    if (!info.isResourceRequest) {
      if (info.apiPrefix === 'apis' && info.group && !info.version) {
        const local = apiGroup(catalogue, info.group);
        const g = aggregator.apiGroup(info.group, local) ?? local;
        if (g) return sendJSON(res, 200, g);
      }
      if (info.apiPrefix && info.version) {
        const list = apiResourceList(catalogue, info.group, info.version);
        if (list) return sendJSON(res, 200, list);
      }
      return sendJSON(res, 404, failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}));
    }
    const def = catalogue.lookup(info.group, info.version, info.resource);
    if (!def) throw new ApiError(failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}));
    if (!def.namespaced && info.namespace && info.resource !== 'namespaces') throw newNotFound({ group: def.group, resource: def.plural }, info.name);
    const longRunning = info.verb === 'watch' || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
    const kind = ['get', 'list', 'watch'].includes(info.verb) ? 'readOnly' : 'mutating';
    if (!longRunning && limits[kind] > 0 && inflight[kind] >= limits[kind]) {
      // upstream's max-in-flight filter answers in plain text, not a Status; clients retry after Retry-After.
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Retry-After': '1' });
      res.end('Too many requests, please try again later.\n');
      return;
    }
    if (longRunning) {
      // A watch's handler returns once the stream is set up; the request lasts until the socket closes.
      const labels = { verb: info.verb.toUpperCase(), resource: info.resource };
      metrics.longRunning.inc(labels);
      res.once('close', () => metrics.longRunning.dec(labels));
    } else { inflight[kind]++; metrics.inflight.set({ request_kind: kind }, inflight[kind]); }
    try {
      // The request's writes reach admission through a registry bound to it.
      const scoped = registry.forRequest({ user, info, warn: (text) => addWarning(res, text), annotate: tracker ? (k, v) => tracker.annotate(k, v) : undefined });
      const ctx = { req, res, url, info, def, registry: scoped, store, user, log, kubelet, upgrade };
      if (!(await authn.serve(ctx) || await authz.serve(ctx) || await resourceMetrics?.serve(ctx))) await serveResource(ctx);
    } finally {
      if (!longRunning) { inflight[kind]--; metrics.inflight.set({ request_kind: kind }, inflight[kind]); }
    }
    if (opts.verbosity >= 2) log(2, `${req.method} ${url.pathname}${url.search} user=${user.name} code=${res.statusCode}`);
  }

  const hosts = ['localhost', '127.0.0.1', advertise, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', allocators.cidr && ipAtFirst(allocators.cidr.base)];
  const tls = await servingCert({ certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile, certDir: opts.certDir, hosts: [...new Set(hosts)] });
  const server = https.createServer({ cert: tls.cert, key: tls.key, ...(trustedCAs ? clientCertTLSOptions(trustedCAs) : {}) }, (req, res) => {
    const seen: { user?: UserInfo } = {};
    handle(req, res, audit?.track(req, res), seen).catch((err) => {
      if (!(err instanceof ApiError)) log(0, `error serving ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
      else logForbidden(req, err, seen.user);
      sendError(res, err);
    });
  });
  server.keepAliveTimeout = 60_000;
  // Upgrade requests (exec, attach, port-forward, proxy) go through the same chain; until a
  // handler takes the connection over, a ServerResponse on it writes ordinary answers.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => undefined);
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    const seen: { user?: UserInfo } = {};
    handle(req, res, audit?.track(req, res), seen, { socket, head }).catch((err) => {
      if (!(err instanceof ApiError)) log(0, `error serving ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
      else logForbidden(req, err, seen.user);
      if (res.socket) sendError(res, err); else socket.destroy();
    });
  });
  hooks.admission.done();
  // the cluster-wide default RBAC objects go in while the namespaces are made
  await authz.start(ensureSystemNamespaces(registry));
  hooks.rbac.done();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.securePort, opts.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await Promise.all(catalogue.all.filter((def) => !def.notStored).map((def) => registry.cache(def)));
  hooks.informers.done();
  await bootstrap(registry, allocators.cidr, advertise, port);
  hooks.bootstrap.done();
  // published at start and kept (re-created if deleted, re-merged if another server changed it) every minute
  const publishAuthInfo = () => publishAuthenticationInfo(registry, { clientCA: clientCA?.pem, requestHeader })
    .catch((err) => log(0, `cannot publish kube-system/extension-apiserver-authentication: ${(err as Error).message}`));
  await publishAuthInfo();
  const authInfoTimer = setInterval(() => void publishAuthInfo(), 60_000);
  authInfoTimer.unref();
  hooks.authInfo.done();
  hooks.priority.done();
  log(1, `bootstrapped namespaces and the kubernetes service at ${opts.etcdPrefix}`);
  const crdController = new CrdController(registry, catalogue, caches, log);
  await crdController.start();
  hooks.crdSynced.done();
  hooks.crdControllers.done();
  resourceMetrics?.start();
  await aggregator.start();
  hooks.aggregator.done();
  hooks.availability.done();
  log(0, `serving securely on ${opts.bindAddress}:${port}`);
  return {
    port, proxyClient,
    url: `https://${opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress}:${port}`,
    async close() {
      shuttingDown = true;
      clearInterval(authInfoTimer);
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      crdController.close();
      aggregator.close();
      await resourceMetrics?.stop();
      await audit?.shutdown();
      caches.close();
      authz.stop();
      etcd.close();
    },
  };
}

function ipAtFirst(base: number): string {
  const n = base + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
