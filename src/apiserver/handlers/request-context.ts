// What a resource handler gets: the parsed request, the resource, and the server's parts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeletClient } from '../kubelet/kubelet-client.js';
import type { ResourceDef } from '../../api/resources/resource-def.js';
import type { Registry } from '../registry/registry.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { RequestInfo } from '../request-info.js';
import type { UserInfo } from '../authn/user-info.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: RequestInfo;
  def: ResourceDef;
  registry: Registry;
  store: ObjectStore;
  user: UserInfo;
  log: (level: number, msg: string) => void;
  /** How to reach kubelets (pods/log, exec, attach, portforward, nodes/proxy). */
  kubelet?: KubeletClient;
  /** Set for upgrade requests (SPDY, WebSocket): the connection, handed over by the HTTP server. */
  upgrade?: { socket: Duplex; head: Buffer };
}

export const query = (ctx: RequestContext, name: string) => ctx.url.searchParams.get(name) ?? undefined;
export const isDryRun = (ctx: RequestContext) => ctx.url.searchParams.getAll('dryRun').includes('All');
export const apiVersionOf = (def: ResourceDef) => def.group ? `${def.group}/${def.version}` : def.version;

/** The fieldManager query parameter, else upstream's default: the User-Agent up to its first '/'. */
export function fieldManager(ctx: RequestContext): string {
  const given = query(ctx, 'fieldManager');
  if (given) return given;
  const ua = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return (ua.split('/')[0] || 'unknown').slice(0, 128);
}
