// The REST verbs on a resource and its subresources: get, list, create, update,
// delete, deletecollection; patch and watch live in their own files.
import { stampRequester } from './csr-requester.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { newBadRequest, newMethodNotSupported, newNotFound } from '../../api/status/index.js';
import { toTable, type IncludeObject } from '../../api/tables/to-table.js';
import { wantsTable } from '../http/negotiate.js';
import { sendBuffers, sendJSON, sendRawJSON } from '../http/respond.js';
import { rememberedJSON } from '../storage/object-json.js';
import type { ObjectEntry } from '../registry/registry.js';
import { deleteOptions } from './delete-options.js';
import { listOptions } from './list-options.js';
import { servePatch } from './patch-handler.js';
import { type RequestContext, apiVersionOf, fieldManager, isDryRun, query } from './request-context.js';
import { serveWatch } from './watch-handler.js';
import { readObject, readObjectSource } from './write-body.js';
import { serveBinding, serveScale } from './subresources.js';
import { serveEviction } from './pod-subresources.js';
import { serveExecOrAttach, serveLog, servePortForward } from './pod-streaming.js';
import { serveProxy } from './proxy-subresources.js';

const gr = (ctx: RequestContext) => ({ group: ctx.def.group, resource: ctx.def.plural });

/** Writes one object, or a one-row Table when the client asked for tables. */
export function sendObject(ctx: RequestContext, code: number, obj: KubeObject, json = rememberedJSON(obj)): void {
  const tableVersion = wantsTable(ctx.req.headers.accept);
  if (tableVersion && obj.kind === ctx.def.kind) {
    sendJSON(ctx.res, code, toTable(ctx.def, [obj], { version: tableVersion, includeObject: query(ctx, 'includeObject') as IncludeObject | undefined }));
    return;
  }
  if (json !== undefined) sendRawJSON(ctx.res, code, [json]);
  else sendJSON(ctx.res, code, obj);
}

/** Writes a read entry: its JSON as is, unless the client asked for a table. */
function sendEntry(ctx: RequestContext, entry: ObjectEntry): void {
  if (wantsTable(ctx.req.headers.accept)) sendObject(ctx, 200, entry.obj);
  else if (entry.bytes) sendBuffers(ctx.res, 200, [entry.bytes]);
  else sendRawJSON(ctx.res, 200, [entry.json]);
}

export async function serveResource(ctx: RequestContext): Promise<void> {
  const { info, def, registry } = ctx;
  const ns = def.namespaced ? info.namespace : '';
  if (def.namespaced && !ns && info.name) throw newNotFound(gr(ctx), info.name);
  if (def.namespaced && !ns && info.verb === 'create') throw newNotFound({ group: '', resource: 'namespaces' }, '');
  if (info.subresource) return serveSubresource(ctx, ns);
  switch (info.verb) {
    case 'get': return sendEntry(ctx, await registry.getEntry(def, ns, info.name));
    case 'list': return serveList(ctx, ns);
    case 'watch': return serveWatch(ctx, ns);
    case 'create': {
      const obj = await readObject(ctx);
      if (info.name) throw newMethodNotSupported(gr(ctx), 'create');
      stampRequester(def, obj, ctx.user);
      return sendObject(ctx, 201, await registry.create(def, ns, obj, { dryRun: isDryRun(ctx), fieldManager: fieldManager(ctx), bodyOwned: true }));
    }
    case 'update': {
      const body = await readObjectSource(ctx);
      const { obj: out, created } = await registry.update(def, ns, info.name, body, { dryRun: isDryRun(ctx), fieldManager: fieldManager(ctx) });
      return sendObject(ctx, created ? 201 : 200, out);
    }
    case 'patch': return servePatch(ctx, ns, '');
    case 'delete': {
      const opts = await deleteOptions(ctx);
      const { obj, deleted } = await registry.delete(def, ns, info.name, opts);
      if (!deleted) return sendObject(ctx, 202, obj);
      if (def.returnDeletedObject) return sendObject(ctx, 200, obj);
      return sendJSON(ctx.res, 200, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
        details: { name: info.name, group: def.group || undefined, kind: def.plural, uid: obj.metadata?.uid },
      });
    }
    case 'deletecollection': {
      const opts = await deleteOptions(ctx);
      const list = await registry.list(def, ns, { ...listOptions(ctx), limit: undefined, continueToken: undefined });
      const items: KubeObject[] = [];
      for (const item of list.items) {
        try {
          items.push((await registry.delete(def, item.metadata?.namespace ?? '', item.metadata?.name, opts)).obj);
        } catch (err: any) {
          if (err?.reason !== 'NotFound') throw err;
        }
      }
      return sendJSON(ctx.res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: list.resourceVersion }, items });
    }
    default: throw newMethodNotSupported(gr(ctx), info.verb);
  }
}

async function serveList(ctx: RequestContext, ns: string): Promise<void> {
  const { def } = ctx;
  const result = await ctx.registry.listEntries(def, ns, listOptions(ctx));
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continueToken) listMeta.continue = result.continueToken;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  const tableVersion = wantsTable(ctx.req.headers.accept);
  if (tableVersion) {
    sendJSON(ctx.res, 200, toTable(def, result.entries.map((e) => e.obj), { version: tableVersion, includeObject: query(ctx, 'includeObject') as IncludeObject | undefined, listMeta }));
    return;
  }
  // The items' JSON as stored (no parse, no stringify per object), and for watch-cache objects
  // as encoded by an earlier list: a list of unchanged objects is one copy of their bytes.
  const head = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(def))},"metadata":${JSON.stringify(listMeta)},"items":[`;
  const parts: Buffer[] = [Buffer.from(head)];
  result.entries.forEach((e, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(e.bytes ?? Buffer.from(e.json));
  });
  parts.push(LIST_END);
  sendBuffers(ctx.res, 200, parts);
}

const COMMA = Buffer.from(',');
const LIST_END = Buffer.from(']}');

async function serveSubresource(ctx: RequestContext, ns: string): Promise<void> {
  const { info, def, registry } = ctx;
  const sub = (def.subresources ?? []).find((s) => s.name === info.subresource);
  if (!sub) throw newNotFound(gr(ctx), info.name);
  if (sub.name === 'scale') return serveScale(ctx, ns);
  if (sub.name === 'binding') return serveBinding(ctx, ns);
  if (sub.name === 'eviction') return serveEviction(ctx, ns);
  if (sub.name === 'log') return serveLog(ctx, ns);
  if (sub.name === 'exec' || sub.name === 'attach') return serveExecOrAttach(ctx, ns, sub.name);
  if (sub.name === 'portforward') return servePortForward(ctx, ns);
  if (sub.name === 'proxy') return serveProxy(ctx, ns);
  // status, approval and finalize: the main kind, writing only their part.
  switch (info.verb) {
    case 'get': return sendObject(ctx, 200, await registry.get(def, ns, info.name));
    case 'update': {
      const body = await readObjectSource(ctx);
      const { obj: out } = await registry.update(def, ns, info.name, body, { subresource: sub.name, dryRun: isDryRun(ctx), fieldManager: fieldManager(ctx) });
      return sendObject(ctx, 200, out);
    }
    case 'patch': return servePatch(ctx, ns, sub.name);
    default: throw newMethodNotSupported({ group: def.group, resource: `${def.plural}/${sub.name}` }, info.verb);
  }
}

export function requireName(ctx: RequestContext): string {
  if (!ctx.info.name) throw newBadRequest('name is required');
  return ctx.info.name;
}
