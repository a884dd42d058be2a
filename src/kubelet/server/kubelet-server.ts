// The kubelet's HTTPS server (--port, 10250), its read-only plain-HTTP one (--read-only-port,
// 10255 on the bare command line) and its plain /healthz (--healthz-port, 10248).
// On the HTTPS server every request is authenticated and authorized first (kubelet-auth.ts);
// then /healthz[/ping|/log|/syncloop], /metrics, /metrics/resource, /metrics/probes, /stats/summary, /pods,
// /runningpods/, /configz, /logs/ (the node's /var/log), /containerLogs/NS/POD/CONTAINER,
// /run/NS/POD/CONTAINER, and the streaming endpoints the API server's pods/exec, pods/attach
// and pods/portforward proxy to: /exec/NS/POD[/UID]/CONTAINER, /attach/NS/POD[/UID]/CONTAINER,
// /portForward/NS/POD[/UID]. The read-only server serves, without any authentication, what
// upstream installs there (healthz, pods, stats, metrics) and answers the debugging
// endpoints with 405 "Debug endpoints are disabled." as upstream's does.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { streamOptions } from '../../api/httpstream/remotecommand.js';
import { writeRawResponse } from '../../api/httpstream/upgrade.js';
import type { Logger } from '../../client/index.js';
import type { Runtime } from '../runtime/runtime-service.js';
import { servePortForward } from '../streaming/port-forward-server.js';
import { serveRemoteCommand } from '../streaming/remote-command-server.js';
import { proxyUpgrade } from '../../api/httpstream/upgrade-proxy.js';
import { logFile, parseLogQuery, serveLogs } from './container-logs.js';
import type { KubeletAuth } from './kubelet-auth.js';
import { type HealthCheck, logCheck, ping, serveHealthz } from './healthz.js';
import { serveNodeLogs } from './node-logs.js';
import { renderProbeMetrics } from '../probes/probe-metrics.js';

/** A pod this process runs, with what streaming needs to reach it. */
export interface PodTarget {
  pod: Pod;
  nodeName: string;
  runtime: Runtime;
  containerId(name: string): string | undefined;
  sandboxId(): string | undefined;
}

export interface ServerSource {
  rootDir: string;
  /** Where CRI logs live (KubeletConfiguration podLogsDir). */
  podLogsDir: string;
  /** Every pod the process's kubelets run (static pods included). */
  pods(): Pod[];
  metrics(): string;
  /** /metrics/resource: node and container CPU and memory for metrics-server. */
  resourceMetrics(): Promise<string>;
  /** /stats/summary: the stats/v1alpha1 Summary of the node and its measured pods. */
  summary(): Promise<object>;
  /** /runningpods/: what the runtime runs, as bare pods (name, namespace, uid, containers). */
  runningPods(): Promise<Pod[]>;
  /** /configz: {"kubeletconfig": …}. */
  configz(): object;
  /** Why the sync loop is unhealthy (/healthz/syncloop), or undefined. */
  syncLoopError(): string | undefined;
  /** The directory /logs/ serves (upstream's /var/log). */
  nodeLogDir: string;
  findPod(namespace: string, name: string, uid?: string): PodTarget | undefined;
  /** The node requests not about a pod are authorized against. */
  nodeName(): string;
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** Upstream answers authn/authz failures in plain text (http.Error). */
function plain(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${message}\n`);
}

interface StreamPath { kind: 'exec' | 'attach' | 'portForward'; ns: string; pod: string; uid?: string; container?: string }

/** /exec/NS/POD/[UID/]CONTAINER, /attach/… likewise, /portForward/NS/POD[/UID]. */
export function parseStreamPath(p: string): StreamPath | undefined {
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  const kind = parts[0];
  if (kind === 'exec' || kind === 'attach') {
    if (parts.length === 4) return { kind, ns: parts[1], pod: parts[2], container: parts[3] };
    if (parts.length === 5) return { kind, ns: parts[1], pod: parts[2], uid: parts[3], container: parts[4] };
  }
  if (kind === 'portForward' && (parts.length === 3 || parts.length === 4)) return { kind, ns: parts[1], pod: parts[2], uid: parts[3] };
  return undefined;
}

function nodeFor(src: ServerSource, p: string): string {
  const m = /^\/(?:exec|attach|portForward|containerLogs|run)\/([^/]+)\/([^/]+)/.exec(p);
  return (m && src.findPod(decodeURIComponent(m[1]), decodeURIComponent(m[2]))?.nodeName) || src.nodeName();
}

/** Go's ServeMux answer to a subtree asked without its slash. */
function movedPermanently(res: http.ServerResponse, to: string): void {
  res.writeHead(301, { Location: to, 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<a href="${to}">Moved Permanently</a>.\n\n`);
}

/** What the read-only server (no authentication) turns away, as upstream's InstallDebuggingDisabledHandlers. */
const DEBUG_PREFIXES = ['/run/', '/exec/', '/attach/', '/portForward/', '/containerLogs/', '/runningpods/', '/debug/pprof/', '/logs/'];
export const isDebugPath = (p: string): boolean => DEBUG_PREFIXES.some((d) => p.startsWith(d));

/** /stats/summary?only_cpu_and_memory=true: the node's and pods' CPU and memory, as upstream's GetCPUAndMemoryStats. */
function cpuAndMemoryOnly(summary: object): object {
  const pick = (o: Record<string, unknown> | undefined, keys: string[]) => (o ? Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) : undefined);
  const s = summary as { node?: Record<string, unknown>; pods?: Record<string, unknown>[] };
  return {
    node: pick(s.node, ['nodeName', 'systemContainers', 'startTime', 'cpu', 'memory']),
    pods: (s.pods ?? []).map((p) => ({
      ...pick(p, ['podRef', 'startTime']),
      containers: ((p.containers as Record<string, unknown>[]) ?? []).map((c) => pick(c, ['name', 'startTime', 'cpu', 'memory'])),
      ...pick(p, ['cpu', 'memory']),
    })),
  };
}

function json(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** `auth` undefined: the read-only server. */
function handler(src: ServerSource, auth: KubeletAuth | undefined, log: Logger) {
  const readOnly = !auth;
  const checks: HealthCheck[] = [ping, logCheck, { name: 'syncloop', check: () => src.syncLoopError() }];
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const p = url.pathname;
    if (serveHealthz(res, url, checks)) return;
    if (p === '/stats' || p === '/logs' || p === '/runningpods') return movedPermanently(res, `${p}/`);
    if (readOnly && isDebugPath(p)) return plain(res, 405, 'Debug endpoints are disabled.');
    if (parseStreamPath(p)) return plain(res, 400, 'Upgrade request required');
    const run = /^\/run\/([^/]+)\/([^/]+)\/(?:([^/]+)\/)?([^/]+)\/?$/.exec(p);
    if (run) return serveRun(src, req, res, url, run.slice(1).map((x) => x && decodeURIComponent(x)));
    // upstream's stats web service takes POST as well as GET
    if (p === '/stats/summary' || p === '/stats/summary/') {
      if (req.method !== 'GET' && req.method !== 'POST') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
      const summary = await src.summary();
      return json(res, url.searchParams.get('only_cpu_and_memory') === 'true' ? cpuAndMemoryOnly(summary) : summary);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
    if (p === '/metrics') { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(src.metrics()); return; }
    if (p === '/metrics/probes') { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(renderProbeMetrics()); return; }
    if (p === '/metrics/resource') { const text = await src.resourceMetrics(); res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(text); return; }
    if (p === '/pods' || p === '/pods/') return json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: src.pods() });
    if (!readOnly && p === '/runningpods/') return json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: await src.runningPods() });
    if (!readOnly && p === '/configz') return json(res, src.configz());
    if (!readOnly && p.startsWith('/logs/')) return serveNodeLogs(req, res, url, decodeURIComponent(p.slice('/logs'.length)), src.nodeLogDir);
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(p);
    if (m) {
      const [ns, name, container] = m.slice(1).map(decodeURIComponent);
      const pod = src.pods().find((x) => x.metadata?.namespace === ns && x.metadata?.name === name);
      if (!pod) return status(res, 404, 'NotFound', `pod "${name}" not found`);
      const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
      if (!all.some((c) => c.name === container)) return status(res, 400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
      let q;
      try { q = parseLogQuery(url.searchParams); } catch (err) { return status(res, 400, 'BadRequest', (err as Error).message); }
      const running = () => {
        const cur = src.pods().find((x) => x.metadata?.uid === pod.metadata?.uid);
        const cs = [...(cur?.status?.containerStatuses ?? []), ...(cur?.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
        return !!cs?.state?.running;
      };
      const file = logFile(src.podLogsDir, pod, container, q.previous);
      if (typeof file !== 'string') {
        // a running container that never wrote (a hollow one) has an empty log
        if (!q.previous && running()) { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(); return; }
        return status(res, 400, 'BadRequest', file.error);
      }
      return serveLogs(res, file, q, running);
    }
    if (readOnly) return plain(res, 404, '404 page not found');
    status(res, 404, 'NotFound', `the server could not find the requested resource (${p})`);
  };
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const verdict = auth ? auth.check(req, nodeFor(src, url.pathname)) : Promise.resolve({ ok: true as const });
    verdict.then((v) => {
      if (!v.ok) return plain(res, v.code, v.message);
      return serve(req, res, url);
    }).catch((err: Error) => {
      log(`kubelet: error serving ${req.method} ${url.pathname}: ${err.message}`);
      if (!res.headersSent) status(res, 500, 'InternalError', err.message); else res.destroy();
    });
  };
}

/** POST /run/NS/POD/[UID/]CONTAINER?cmd=…: runs a command and answers with its output. */
async function serveRun(src: ServerSource, req: http.IncomingMessage, res: http.ServerResponse, url: URL, [ns, name, uid, container]: (string | undefined)[]): Promise<void> {
  if (req.method !== 'POST') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
  const target = src.findPod(ns!, name!, uid);
  if (!target) return plain(res, 404, 'pod does not exist');
  const id = target.containerId(container!);
  if (!id) return plain(res, 404, `container not found (${JSON.stringify(container)})`);
  const cmd = (url.searchParams.get('cmd') ?? '').split(' ').filter(Boolean);
  const r = await target.runtime.execSync(id, cmd, 0);
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(Buffer.concat([r.stdout, r.stderr]));
}

/** Upgrade requests: exec, attach and port-forward, after the same authn/authz. */
function upgradeHandler(src: ServerSource, auth: KubeletAuth, log: Logger) {
  return (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    socket.on('error', () => undefined);
    const fail = (code: number, message: string) => writeRawResponse(socket, code, { 'Content-Type': 'text/plain; charset=utf-8' }, `${message}\n`);
    auth.check(req, nodeFor(src, url.pathname)).then(async (v) => {
      if (!v.ok) return fail(v.code, v.message);
      const sp = parseStreamPath(url.pathname);
      if (!sp) return fail(404, `the server could not find the requested resource (${url.pathname})`);
      const target = src.findPod(sp.ns, sp.pod, sp.uid);
      if (!target) return fail(404, 'pod does not exist');
      const rt = target.runtime;
      const podName = `${sp.pod}_${sp.ns}`;
      if (sp.kind === 'portForward') {
        const sandbox = target.sandboxId();
        if (!sandbox) return fail(500, `pod ${podName} has no sandbox yet`);
        if (rt.portForwardUrl) {
          // CRI: the ports travel in the SPDY stream headers, so the runtime is asked for all of them
          return proxyUpgrade(req, socket, head, { url: new URL(await rt.portForwardUrl(sandbox, [])) });
        }
        if (!rt.portForward) return fail(500, 'this runtime does not support port forwarding');
        return servePortForward(req, socket, head, podName, (port, conn) => rt.portForward!(sandbox, port, conn), log);
      }
      const id = target.containerId(sp.container!);
      if (!id) return fail(404, `container not found (${JSON.stringify(sp.container)})`);
      const opts = streamOptions(url.searchParams);
      const cmd = url.searchParams.getAll('command');
      if (sp.kind === 'exec') {
        if (!cmd.length) return fail(400, 'you must specify at least 1 command');
        if (rt.execUrl) return proxyUpgrade(req, socket, head, { url: new URL(await rt.execUrl(id, cmd, opts)) });
        if (!rt.exec) return fail(500, 'this runtime does not support exec');
        return serveRemoteCommand(req, socket, head, opts, (io) => rt.exec!(id, cmd, io), log);
      }
      if (rt.attachUrl) return proxyUpgrade(req, socket, head, { url: new URL(await rt.attachUrl(id, opts)) });
      if (!rt.attach) return fail(500, 'this runtime does not support attach');
      return serveRemoteCommand(req, socket, head, opts, (io) => rt.attach!(id, io), log);
    }).catch((err: Error) => {
      log(`kubelet: error serving ${req.method} ${url.pathname}: ${err.message}`);
      fail(500, err.message);
    });
  };
}

export interface RunningServers { port: number; healthzPort: number; readOnlyPort: number; close(): Promise<void> }

const listen = (srv: net.Server, port: number, host: string): Promise<number> => new Promise((resolve, reject) => {
  srv.once('error', reject);
  srv.listen(port, host, () => resolve((srv.address() as net.AddressInfo).port));
});

export interface KubeletServerOptions {
  address: string; port: number; healthzAddress: string; healthzPort: number;
  /** --read-only-port: plain HTTP without authentication on `address` (0 = none, as upstream). */
  readOnlyPort?: number;
  cert: string; key: string;
  /** --client-ca-file: client certificates are requested and checked against it. */
  clientCA?: string;
  auth: KubeletAuth;
  log: Logger;
}

export async function startKubeletServer(src: ServerSource, o: KubeletServerOptions): Promise<RunningServers> {
  // requestCert without rejectUnauthorized: a missing or foreign certificate falls through to
  // token or anonymous authentication, as upstream's optional client-certificate auth.
  const main = https.createServer({ cert: o.cert, key: o.key, ca: o.clientCA, requestCert: !!o.clientCA, rejectUnauthorized: false }, handler(src, o.auth, o.log));
  // upgraded connections leave the server's bookkeeping: keep them to end them on close
  const upgraded = new Set<Duplex>();
  const onUpgrade = upgradeHandler(src, o.auth, o.log);
  main.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    onUpgrade(req, socket, head);
  });
  // upstream's healthz port has the ping check only
  const health = http.createServer((req, res) => {
    if (serveHealthz(res, new URL(req.url ?? '/', 'http://x'), [ping])) return;
    plain(res, 404, '404 page not found');
  });
  const readOnly = http.createServer(handler(src, undefined, o.log));
  readOnly.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const [code, text] = isDebugPath(p) ? [405, 'Debug endpoints are disabled.'] : [404, '404 page not found'];
    writeRawResponse(socket, code, { 'Content-Type': 'text/plain; charset=utf-8' }, `${text}\n`);
  });
  const servers: net.Server[] = [];
  const closeAll = async () => {
    main.closeAllConnections();
    for (const s of upgraded) s.destroy();
    health.closeAllConnections();
    readOnly.closeAllConnections();
    await Promise.all([main, ...servers].map((srv) => new Promise((r) => (srv.listening ? srv.close(r) : r(undefined)))));
  };
  let port = 0; let healthzPort = 0; let readOnlyPort = 0;
  try {
    port = await listen(main, o.port, o.address);
    if (o.healthzPort >= 0) { servers.push(health); healthzPort = await listen(health, o.healthzPort, o.healthzAddress); }
    if (o.readOnlyPort) { servers.push(readOnly); readOnlyPort = await listen(readOnly, o.readOnlyPort, o.address); }
  } catch (err) {
    await closeAll();
    throw new Error(`kubelet server: ${(err as Error).message}`);
  }
  o.log(`kubelet: serving on https://${o.address}:${port}, healthz on http://${o.healthzAddress}:${healthzPort}/healthz${readOnlyPort ? `, read-only on http://${o.address}:${readOnlyPort}` : ''}`);
  return { port, healthzPort, readOnlyPort, close: closeAll };
}
