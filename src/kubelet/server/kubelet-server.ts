// The kubelet's HTTPS server (--port, 10250) and its plain /healthz (--healthz-port, 10248).
// Every request is authenticated and authorized first (kubelet-auth.ts); then /healthz,
// /metrics, /metrics/resource, /pods, /containerLogs/NS/POD/CONTAINER, /run/NS/POD/CONTAINER, and the
// streaming endpoints the API server's pods/exec, pods/attach and pods/portforward proxy to:
// /exec/NS/POD[/UID]/CONTAINER, /attach/NS/POD[/UID]/CONTAINER, /portForward/NS/POD[/UID].
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

function handler(src: ServerSource, auth: KubeletAuth, log: Logger) {
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const p = url.pathname;
    if (p === '/healthz' || p === '/healthz/ping' || p === '/healthz/syncloop') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
    if (parseStreamPath(p)) return plain(res, 400, 'Upgrade request required');
    const run = /^\/run\/([^/]+)\/([^/]+)\/(?:([^/]+)\/)?([^/]+)\/?$/.exec(p);
    if (run) return serveRun(src, req, res, url, run.slice(1).map((x) => x && decodeURIComponent(x)));
    if (req.method !== 'GET' && req.method !== 'HEAD') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
    if (p === '/metrics') { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(src.metrics()); return; }
    if (p === '/metrics/resource') { const text = await src.resourceMetrics(); res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(text); return; }
    if (p === '/stats/summary' || p === '/stats/summary/') {
      const body = JSON.stringify(await src.summary());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
      return;
    }
    if (p === '/pods' || p === '/pods/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: src.pods() }));
      return;
    }
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
    status(res, 404, 'NotFound', `the server could not find the requested resource (${p})`);
  };
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    auth.check(req, nodeFor(src, url.pathname)).then((v) => {
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

export interface RunningServers { port: number; healthzPort: number; close(): Promise<void> }

const listen = (srv: net.Server, port: number, host: string): Promise<number> => new Promise((resolve, reject) => {
  srv.once('error', reject);
  srv.listen(port, host, () => resolve((srv.address() as net.AddressInfo).port));
});

export interface KubeletServerOptions {
  address: string; port: number; healthzAddress: string; healthzPort: number;
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
  const health = http.createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
    res.writeHead(404); res.end('404 page not found\n');
  });
  const port = await listen(main, o.port, o.address);
  let healthzPort = 0;
  if (o.healthzPort >= 0) healthzPort = await listen(health, o.healthzPort, o.healthzAddress);
  o.log(`kubelet: serving on https://${o.address}:${port}, healthz on http://${o.healthzAddress}:${healthzPort}/healthz`);
  return {
    port, healthzPort,
    close: async () => {
      main.closeAllConnections();
      for (const s of upgraded) s.destroy();
      health.closeAllConnections();
      await Promise.all([new Promise((r) => main.close(r)), new Promise((r) => (health.listening ? health.close(r) : r(undefined)))]);
    },
  };
}
