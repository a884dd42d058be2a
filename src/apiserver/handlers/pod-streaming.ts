// The pod subresources served by the pod's kubelet, as upstream's pod REST storage does:
// pods/log (GET, streamed from /containerLogs), pods/exec and pods/attach (SPDY passed
// through to /exec and /attach, WebSocket v5 translated to SPDY), pods/portforward (SPDY
// passed through to /portForward, SPDY-over-WebSocket unwrapped). Options are checked here
// first, with upstream's messages, so bad requests never reach a kubelet.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodes } from '../../api/resources/core-v1.js';
import { streamOptions } from '../../api/httpstream/remotecommand.js';
import { proxyUpgrade } from '../../api/httpstream/upgrade-proxy.js';
import { isSpdyRequest, isWebSocketRequest, writeRawResponse } from '../../api/httpstream/upgrade.js';
import { ApiError, failureStatus, invalid, newBadRequest, newInvalid, newMethodNotSupported } from '../../api/status/index.js';
import { translateRemoteCommand } from '../streaming/stream-translator.js';
import { tunnelPortForward } from '../streaming/stream-tunnel.js';
import type { KubeletClient } from '../kubelet/kubelet-client.js';
import { type RequestContext, query } from './request-context.js';

const containerNames = (pod: Pod, kinds: ('init' | 'main' | 'ephemeral')[] = ['init', 'main', 'ephemeral']): string[] => [
  ...(kinds.includes('init') ? pod.spec?.initContainers ?? [] : []),
  ...(kinds.includes('main') ? pod.spec?.containers ?? [] : []),
  ...(kinds.includes('ephemeral') ? pod.spec?.ephemeralContainers ?? [] : []),
].map((c) => c.name);

/** The container a request names, or the pod's only one (upstream's message otherwise). */
function pickContainer(pod: Pod, given: string | undefined): string {
  const name = pod.metadata?.name;
  if (given) {
    if (!containerNames(pod).includes(given)) throw newBadRequest(`container ${given} is not valid for pod ${name}`);
    return given;
  }
  const main = containerNames(pod, ['main']);
  if (main.length === 1) return main[0];
  const init = containerNames(pod, ['init']);
  throw newBadRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`);
}

function kubeletOf(ctx: RequestContext): KubeletClient {
  if (!ctx.kubelet) throw new ApiError(failureStatus(503, 'ServiceUnavailable', 'this API server has no kubelet client', {}));
  return ctx.kubelet;
}

async function podNode(ctx: RequestContext, pod: Pod): Promise<Node> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw newBadRequest(`pod ${pod.metadata?.name} does not have a host assigned`);
  return ctx.registry.get(nodes, '', nodeName) as Promise<Node>;
}

const enc = encodeURIComponent;

// ---- pods/log ----

const LOG_PARAMS = ['follow', 'previous', 'timestamps', 'sinceSeconds', 'sinceTime', 'tailLines', 'limitBytes'];

function validateLogOptions(q: URLSearchParams): void {
  const errs = [];
  const int = (k: string, min: number) => {
    const v = q.get(k);
    if (v === null || v === '') return;
    const n = Number(v);
    if (!Number.isInteger(n)) throw newBadRequest(`${k}: invalid value ${JSON.stringify(v)}`);
    if (n < min) errs.push(invalid(k, n, min === 0 ? 'must be greater than or equal to 0' : 'must be greater than 0'));
  };
  int('tailLines', 0);
  int('limitBytes', 1);
  int('sinceSeconds', 1);
  if (q.get('sinceSeconds') && q.get('sinceTime')) errs.push({ type: 'FieldValueForbidden' as const, field: '', badValue: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  const t = q.get('sinceTime');
  if (t && Number.isNaN(Date.parse(t))) throw newBadRequest(`sinceTime: invalid time ${JSON.stringify(t)}`);
  if (errs.length) throw newInvalid({ group: '', kind: 'PodLogOptions' }, '', errs);
}

export async function serveLog(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'get') throw newMethodNotSupported({ group: '', resource: 'pods/log' }, info.verb);
  const pod = await registry.get(def, ns, info.name) as Pod;
  const container = pickContainer(pod, query(ctx, 'container'));
  validateLogOptions(ctx.url.searchParams);
  // A pod not on a node yet has no log: upstream answers with an empty stream.
  if (!pod.spec?.nodeName) {
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    ctx.res.end();
    return;
  }
  const kubelet = kubeletOf(ctx);
  const url = kubelet.url(await podNode(ctx, pod), `/containerLogs/${enc(ns)}/${enc(info.name)}/${enc(container)}`);
  for (const k of LOG_PARAMS) { const v = ctx.url.searchParams.get(k); if (v !== null) url.searchParams.set(k, v); }
  const res = await kubelet.get(url);
  if ((res.statusCode ?? 500) >= 300) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let status;
    try { status = JSON.parse(body); } catch { /* plain text */ }
    if (status?.kind === 'Status') throw new ApiError(status);
    throw new ApiError(failureStatus(res.statusCode ?? 500, res.statusCode === 401 ? 'Unauthorized' : res.statusCode === 403 ? 'Forbidden' : 'InternalError',
      `the kubelet answered ${res.statusCode}: ${body.trim()}`, {}));
  }
  ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.pipe(ctx.res);
  // a client that stops following ends the kubelet stream too
  ctx.res.on('close', () => res.destroy());
  await new Promise<void>((resolve) => { res.once('end', resolve); res.once('close', resolve); });
}

// ---- exec, attach, portforward ----

/** Takes the upgraded connection from the HTTP server, or answers 400 as upstream does for a plain request. */
function takeUpgrade(ctx: RequestContext): { socket: import('node:stream').Duplex; head: Buffer } {
  if (!ctx.upgrade) throw newBadRequest('Upgrade request required');
  ctx.res.detachSocket(ctx.upgrade.socket as import('node:net').Socket);
  return ctx.upgrade;
}

/**
 * Runs a kubelet upgrade proxy on a connection already taken over: a kubelet that cannot be
 * dialled is answered with upstream's 500 Status ("error dialing backend: …", which kubectl
 * prints after "error upgrading connection:"), not a dropped connection kubectl sees as EOF.
 */
async function toKubelet(socket: import('node:stream').Duplex, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if ((socket as import('node:net').Socket).bytesWritten || socket.destroyed) throw err;
    const status = failureStatus(500, '', `error dialing backend: ${(err as Error).message}`);
    writeRawResponse(socket, 500, { 'Content-Type': 'application/json' }, JSON.stringify(status));
  }
}

export async function serveExecOrAttach(ctx: RequestContext, ns: string, kind: 'exec' | 'attach'): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'get' && info.verb !== 'create') throw newMethodNotSupported({ group: '', resource: `pods/${kind}` }, info.verb);
  const pod = await registry.get(def, ns, info.name) as Pod;
  const q = ctx.url.searchParams;
  const container = pickContainer(pod, query(ctx, 'container'));
  const opts = streamOptions(q);
  const command = q.getAll('command');
  if (kind === 'exec' && !command.length) throw newBadRequest('you must specify at least 1 command');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw newBadRequest('you must specify at least one of stdin, stdout, stderr');
  const kubelet = kubeletOf(ctx);
  const url = kubelet.url(await podNode(ctx, pod), `/${kind}/${enc(ns)}/${enc(info.name)}/${enc(container)}`);
  for (const c of command) url.searchParams.append('command', c);
  if (opts.stdin) url.searchParams.set('input', '1');
  if (opts.stdout) url.searchParams.set('output', '1');
  if (opts.stderr) url.searchParams.set('error', '1');
  if (opts.tty) url.searchParams.set('tty', '1');
  if (!isWebSocketRequest(ctx.req) && ctx.upgrade && !isSpdyRequest(ctx.req)) throw newBadRequest(`unsupported upgrade ${JSON.stringify(ctx.req.headers.upgrade)}`);
  const { socket, head } = takeUpgrade(ctx);
  if (isWebSocketRequest(ctx.req)) return toKubelet(socket, () => translateRemoteCommand(ctx.req, socket, head, kubelet.dialTarget(url), opts));
  return toKubelet(socket, () => proxyUpgrade(ctx.req, socket, head, kubelet.dialTarget(url)));
}

export async function servePortForward(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'get' && info.verb !== 'create') throw newMethodNotSupported({ group: '', resource: 'pods/portforward' }, info.verb);
  const pod = await registry.get(def, ns, info.name) as Pod;
  for (const p of ctx.url.searchParams.getAll('ports')) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw newBadRequest(`ports: invalid port ${JSON.stringify(p)} (1-65535)`);
  }
  const kubelet = kubeletOf(ctx);
  const url = kubelet.url(await podNode(ctx, pod), `/portForward/${enc(ns)}/${enc(info.name)}`);
  const { socket, head } = takeUpgrade(ctx);
  if (isWebSocketRequest(ctx.req)) return toKubelet(socket, () => tunnelPortForward(ctx.req, socket, head, kubelet.dialTarget(url)));
  return toKubelet(socket, () => proxyUpgrade(ctx.req, socket, head, kubelet.dialTarget(url)));
}
