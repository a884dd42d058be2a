// The HTTP(S) JSON client every component talks to the API server through: keep-alive
// connections (unary requests on the lean Http1Pool, watches on node:http, which streams),
// client-go's token-bucket rate limit (QPS/burst), bearer or client-certificate auth,
// Status errors as ApiStatusError, retries on 429 Retry-After and on a reused keep-alive
// socket the server had already closed.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import type { KubeObject } from '../api/resources/resource-def.js';
import type { Status } from '../api/status/index.js';
import { errorFromResponse } from './api-status-error.js';
import { Http1Pool, type Http1Response } from './http1-pool.js';
import { clientSecureContext, type ClientConfig } from './client-config.js';
import {
  type DeleteOptions, type ListOptions, type PatchType, type Query, type WriteOptions,
  PATCH_CONTENT_TYPES, listQuery, queryString, writeQuery,
} from './request-options.js';
import { type ResourceRef, type ResourceType, resourcePath } from './resource-ref.js';
import { TokenBucket } from './token-bucket.js';
import { type WatchEvent, jsonLines } from './watch-event.js';

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface RequestInit {
  method: string;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request timeout in ms (not for watches); default the client's. */
  timeoutMs?: number;
}

const MAX_RETRIES = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const encodeBody = (init: RequestInit): Buffer | undefined =>
  init.body === undefined ? undefined : Buffer.from(typeof init.body === 'string' ? init.body : JSON.stringify(init.body));

/** A keep-alive socket the server had already closed failed the request before it was sent: try a new one. */
function retriesOnNewSocket(err: unknown, attempt: number): boolean {
  const e = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
  return !!e.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && attempt < MAX_RETRIES;
}

/** client-go retries 429s and 5xx answers that carry Retry-After (those never applied the write): how long to wait, or undefined. */
function retryWaitMs(code: number, retryAfterHeader: string | string[] | undefined, attempt: number): number | undefined {
  const retryAfter = Number(retryAfterHeader);
  if (!(code === 429 || (code >= 500 && retryAfter > 0)) || attempt >= MAX_RETRIES) return undefined;
  return Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000, 10_000);
}

export class RestClient {
  readonly config: ClientConfig;
  readonly limiter: TokenBucket;
  private readonly agent: http.Agent;
  private readonly pool: Http1Pool;
  private readonly basePath: string;
  private readonly base: URL;
  private cachedToken?: { value: string; readAt: number };
  private readonly userAgent: string;
  /** Default timeout of non-watch requests (client-go has none; a hung server should not hang a controller forever). */
  timeoutMs = 60_000;

  constructor(config: ClientConfig) {
    this.config = config;
    this.base = new URL(config.server);
    this.limiter = new TokenBucket(config.qps ?? 5, config.burst ?? 10);
    this.userAgent = config.userAgent ?? `tskube/v0.1.0 (${os.platform()}/${os.arch()}) tskube`;
    const common = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 256 };
    const plain = this.base.protocol === 'http:';
    const secureContext = plain ? undefined : clientSecureContext(config);
    this.agent = plain ? new http.Agent(common) : new https.Agent({
      ...common, secureContext, rejectUnauthorized: !config.insecureSkipTLSVerify, servername: config.tlsServerName,
    });
    const host = this.base.hostname.replace(/^\[(.*)\]$/, '$1');
    this.pool = new Http1Pool({
      host, port: Number(this.base.port) || (plain ? 80 : 443), maxSockets: common.maxSockets,
      // As node's https: SNI names a host, never an IP address.
      tls: plain ? undefined : { secureContext: secureContext!, rejectUnauthorized: !config.insecureSkipTLSVerify, servername: config.tlsServerName ?? (net.isIP(host) ? undefined : host) },
    });
    this.basePath = this.base.pathname.replace(/\/$/, '');
  }

  /** Default namespace from the kubeconfig context. */
  get namespace(): string {
    return this.config.namespace;
  }

  /** A client bound to one resource type, e.g. `client.resource(PODS).get('ns', 'name')`. */
  resource<T = KubeObject>(type: ResourceType<T>): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }

  close(): void {
    this.agent.destroy();
    this.pool.close();
  }

  private token(): string | undefined {
    if (this.config.token) return this.config.token;
    if (!this.config.tokenFile) return undefined;
    // client-go re-reads token files about once a minute so rotated tokens are picked up.
    const now = Date.now();
    if (!this.cachedToken || now - this.cachedToken.readAt > 60_000) {
      this.cachedToken = { value: fs.readFileSync(this.config.tokenFile, 'utf8').trim(), readAt: now };
    }
    return this.cachedToken.value;
  }

  private headers(contentType?: string, length?: number): http.OutgoingHttpHeaders {
    const h: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': this.userAgent };
    const token = this.token();
    if (token) h.Authorization = `Bearer ${token}`;
    if (contentType) h['Content-Type'] = contentType;
    if (length !== undefined) h['Content-Length'] = length;
    return h;
  }

  /** One HTTP exchange; resolves with the response once headers arrive. */
  private send(init: RequestInit, payload: Buffer | undefined, timeoutMs: number): Promise<{ res: http.IncomingMessage; reused: boolean }> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + init.path + queryString(init.query ?? {}), this.base);
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method: init.method, agent: this.agent, signal: init.signal,
        headers: this.headers(payload ? init.contentType ?? 'application/json' : undefined, payload?.length),
      });
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${init.method} ${init.path}: timed out after ${timeoutMs} ms`)));
      req.once('response', (res) => { req.setTimeout(0); resolve({ res, reused: req.reusedSocket }); });
      req.once('error', (err: NodeJS.ErrnoException) => {
        // A keep-alive socket the server closed (e.g. it restarted) fails at once: say so, so the caller retries.
        (err as { reusedSocket?: boolean }).reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(payload);
    });
  }

  /** Rate-limited request with retries; the caller reads (or streams) the response. */
  private async exchange(init: RequestInit, stream: boolean): Promise<http.IncomingMessage> {
    const payload = encodeBody(init);
    for (let attempt = 0; ; attempt++) {
      await this.limiter.wait(init.signal);
      let res: http.IncomingMessage;
      try {
        ({ res } = await this.send(init, payload, stream ? 0 : init.timeoutMs ?? this.timeoutMs));
      } catch (err) {
        if (retriesOnNewSocket(err, attempt)) continue;
        throw err;
      }
      const code = res.statusCode ?? 0;
      const wait = retryWaitMs(code, res.headers['retry-after'], attempt);
      if (wait !== undefined) {
        res.resume();
        await sleep(wait);
        continue;
      }
      if (code < 200 || code >= 300) {
        const body = await readBody(res);
        throw errorFromResponse(code, body, init.method, init.path);
      }
      return res;
    }
  }

  /** Header lines of a unary request for the Http1Pool. */
  private headerLines(contentType?: string): string {
    let h = `Accept: application/json\r\nUser-Agent: ${this.userAgent}\r\n`;
    const token = this.token();
    if (token) h += `Authorization: Bearer ${token}\r\n`;
    if (contentType) h += `Content-Type: ${contentType}\r\n`;
    return h;
  }

  /** A unary request with retries (as exchange), answered in full. */
  private async unary(init: RequestInit): Promise<Http1Response> {
    const payload = encodeBody(init);
    let path = this.basePath + init.path + queryString(init.query ?? {});
    // Paths are built encoded; anything outside printable ASCII is left to URL to encode.
    if (/[^\x21-\x7e]/.test(path)) { const u = new URL(path, this.base); path = u.pathname + u.search; }
    const headerLines = this.headerLines(payload ? init.contentType ?? 'application/json' : undefined);
    for (let attempt = 0; ; attempt++) {
      await this.limiter.wait(init.signal);
      let res: Http1Response;
      try {
        res = await this.pool.request({ method: init.method, path, headerLines, body: payload, timeoutMs: init.timeoutMs ?? this.timeoutMs, signal: init.signal });
      } catch (err) {
        if (retriesOnNewSocket(err, attempt)) continue;
        throw err;
      }
      const code = res.status;
      const wait = retryWaitMs(code, res.headers['retry-after'], attempt);
      if (wait !== undefined) {
        await sleep(wait);
        continue;
      }
      if (code < 200 || code >= 300) throw errorFromResponse(code, res.body.toString('utf8'), init.method, init.path);
      return res;
    }
  }

  /** A JSON request; resolves with the decoded response body. */
  async request<R = unknown>(init: RequestInit): Promise<R> {
    const res = await this.unary(init);
    const body = res.body.toString('utf8');
    if (!body) return undefined as R;
    try {
      return JSON.parse(body) as R;
    } catch {
      throw new Error(`${init.method} ${init.path}: response is not JSON: ${body.slice(0, 200)}`);
    }
  }

  get<T = KubeObject>(ref: ResourceRef, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(ref), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  list<T = KubeObject>(ref: ResourceRef, opts: ListOptions = {}, signal?: AbortSignal): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>({ method: 'GET', path: resourcePath(ref), query: listQuery(opts), signal });
  }

  create<T = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'POST', path: resourcePath(ref), query: writeQuery(opts), body: obj });
  }

  update<T = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(ref), query: writeQuery(opts), body: obj });
  }

  patch<T = KubeObject>(ref: ResourceRef, type: PatchType, patch: unknown, opts: WriteOptions = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) return Promise.reject(new Error('server-side apply needs a fieldManager'));
    return this.request<T>({ method: 'PATCH', path: resourcePath(ref), query: writeQuery(opts), body: patch, contentType: PATCH_CONTENT_TYPES[type] });
  }

  /**
   * A write whose answer the caller does not read (a pod's status, a binding, an event): the
   * status code is checked as for any request, the object the server sends back is not
   * decoded — parsing a pod per status PATCH was a hollow kubelet's largest JSON cost after
   * its watch.
   */
  async writeOnly(method: 'POST' | 'PUT' | 'PATCH', ref: ResourceRef, body: unknown, opts: WriteOptions & { patchType?: PatchType } = {}): Promise<void> {
    const contentType = method === 'PATCH' ? PATCH_CONTENT_TYPES[opts.patchType ?? 'merge'] : undefined;
    await this.unary({ method, path: resourcePath(ref), query: writeQuery(opts), body, contentType });
  }

  /** DELETE; resolves with what the server returns (the object, or a Success Status). */
  delete<T = KubeObject>(ref: ResourceRef, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.request<T | Status>({ method: 'DELETE', path: resourcePath(ref), query: { dryRun: opts.dryRun ? 'All' : undefined }, body: deleteBody(opts) });
  }

  deleteCollection(ref: ResourceRef, list: ListOptions = {}, opts: DeleteOptions = {}): Promise<unknown> {
    return this.request({ method: 'DELETE', path: resourcePath(ref), query: { ...listQuery(list), dryRun: opts.dryRun ? 'All' : undefined }, body: deleteBody(opts) });
  }

  /**
   * Streams watch events until the server ends the watch (timeoutSeconds), the connection
   * drops (the iterator throws) or the consumer stops iterating (the request is closed).
   * ERROR events are yielded as they come; a 410 Expired one means "re-list".
   */
  async *watch<T = KubeObject>(ref: ResourceRef, opts: ListOptions = {}, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(ref);
    const res = await this.exchange({ method: 'GET', path, query: listQuery(opts, true), signal }, true);
    res.setEncoding('utf8');
    try {
      for await (const ev of jsonLines(res)) {
        const e = ev as WatchEvent<T>;
        if (!e || typeof e.type !== 'string') throw new Error(`watch ${path}: malformed event ${JSON.stringify(ev).slice(0, 200)}`);
        yield e;
      }
    } finally {
      res.destroy();
    }
  }
}

function deleteBody(o: DeleteOptions): unknown {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) body.preconditions = o.preconditions;
  if (o.dryRun) body.dryRun = ['All'];
  return body;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('response aborted')));
  });
}

/** The REST client bound to one resource type; `ns` is ignored for cluster-scoped types. */
export class ResourceClient<T> {
  constructor(readonly client: RestClient, readonly type: ResourceType<T>) {}

  ref(ns?: string, name?: string, subresource?: string): ResourceRef {
    const { group, version, resource, namespaced } = this.type;
    return { group, version, resource, namespace: namespaced ? ns || undefined : undefined, name, subresource };
  }

  get(ns: string, name: string): Promise<T> { return this.client.get<T>(this.ref(ns, name)); }
  /** `ns` '' lists across all namespaces. */
  list(ns: string, opts?: ListOptions): Promise<ObjectList<T>> { return this.client.list<T>(this.ref(ns), opts); }
  create(ns: string, obj: T, opts?: WriteOptions): Promise<T> { return this.client.create<T>(this.ref(ns), obj, opts); }
  update(ns: string, obj: T & KubeObject, opts?: WriteOptions): Promise<T> {
    return this.client.update<T>(this.ref(ns, obj.metadata?.name), obj, opts);
  }
  updateStatus(ns: string, obj: T & KubeObject, opts?: WriteOptions): Promise<T> {
    return this.client.update<T>(this.ref(ns, obj.metadata?.name, 'status'), obj, opts);
  }
  patch(ns: string, name: string, type: PatchType, patch: unknown, opts?: WriteOptions, subresource?: string): Promise<T> {
    return this.client.patch<T>(this.ref(ns, name, subresource), type, patch, opts);
  }
  delete(ns: string, name: string, opts?: DeleteOptions): Promise<T | Status> { return this.client.delete<T>(this.ref(ns, name), opts); }
  deleteCollection(ns: string, list?: ListOptions, opts?: DeleteOptions): Promise<unknown> { return this.client.deleteCollection(this.ref(ns), list, opts); }
  watch(ns: string, opts?: ListOptions, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> { return this.client.watch<T>(this.ref(ns), opts, signal); }
}
