// The audit filter: for each request, the policy's level decides what is recorded; events
// (audit.k8s.io/v1 Event) are written at RequestReceived and ResponseComplete unless the
// policy omits the stage. Request bodies are kept for Request and RequestResponse, response
// bodies for RequestResponse.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../authn/user-info.js';
import { decodeObject, mediaType } from '../http/body.js';
import type { RequestInfo } from '../request-info.js';
import { AuditLog } from './audit-log.js';
import { levelFor, loadPolicy, type Level, type Policy } from './audit-policy.js';

export interface AuditOptions {
  auditPolicyFile?: string; auditLogPath?: string; auditLogMaxAge?: number; auditLogMaxBackup?: number; auditLogMaxSize?: number;
}

export interface AuditTracker {
  /** Called once the caller is known; may buffer the request body for the event. */
  identify(user: UserInfo, info: RequestInfo, impersonatedBy?: UserInfo): Promise<void>;
  annotate(key: string, value: string): void;
}

const micro = (d = new Date()) => d.toISOString().replace('Z', '000Z');
const wireUser = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });
const atLeast = (l: Level, min: Level) => ['None', 'Metadata', 'Request', 'RequestResponse'].indexOf(l) >= ['None', 'Metadata', 'Request', 'RequestResponse'].indexOf(min);

export class Audit {
  constructor(private readonly policy: Policy, private readonly log: AuditLog) {}

  track(req: IncomingMessage, res: ServerResponse): AuditTracker {
    const received = new Date();
    const auditID = String(req.headers['audit-id'] ?? randomUUID());
    res.setHeader('Audit-Id', auditID);
    let user: UserInfo | undefined;
    let impersonator: UserInfo | undefined;
    let info: RequestInfo | undefined;
    let level: Level = 'None';
    let omit: string[] = [];
    let requestObject: unknown;
    let responseBody: Buffer | undefined;
    const annotations: Record<string, string> = {};
    const event = (stage: string) => {
      const objectRef = info?.isResourceRequest ? {
        resource: info.resource, ...(info.namespace ? { namespace: info.namespace } : {}), ...(info.name ? { name: info.name } : {}),
        ...(info.group ? { apiGroup: info.group } : {}), apiVersion: info.version, ...(info.subresource ? { subresource: info.subresource } : {}),
      } : undefined;
      const e: Record<string, unknown> = {
        kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID, stage, requestURI: req.url, verb: info?.verb ?? String(req.method).toLowerCase(),
        user: user ? wireUser(impersonator ?? user) : {}, ...(impersonator && user ? { impersonatedUser: wireUser(user) } : {}),
        sourceIPs: [req.socket.remoteAddress ?? ''].filter(Boolean), userAgent: req.headers['user-agent'], objectRef,
      };
      if (stage !== 'RequestReceived') {
        e.responseStatus = { metadata: {}, code: res.statusCode };
        if (responseBody && res.statusCode >= 400) {
          try { const s = JSON.parse(responseBody.toString('utf8')); Object.assign(e.responseStatus as object, { status: s.status, message: s.message, reason: s.reason }); } catch { /* not a Status */ }
        }
      }
      if (atLeast(level, 'Request') && requestObject !== undefined) e.requestObject = requestObject;
      if (level === 'RequestResponse' && stage === 'ResponseComplete' && responseBody) {
        try { e.responseObject = JSON.parse(responseBody.toString('utf8')); } catch { /* not JSON */ }
      }
      e.requestReceivedTimestamp = micro(received);
      e.stageTimestamp = micro();
      if (Object.keys(annotations).length) e.annotations = annotations;
      return e;
    };
    const evaluate = () => {
      const r = levelFor(this.policy, {
        user: user?.name ?? '', groups: user?.groups ?? [], verb: info?.verb ?? String(req.method).toLowerCase(), isResourceRequest: !!info?.isResourceRequest,
        group: info?.group ?? '', resource: info?.resource ?? '', subresource: info?.subresource ?? '', name: info?.name ?? '', namespace: info?.namespace ?? '',
        path: info?.path ?? new URL(req.url ?? '/', 'https://x').pathname,
      });
      level = r.level; omit = r.omitStages;
    };
    // Keep what is sent, for the status message and the RequestResponse body.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as unknown as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
      if (Buffer.isBuffer(args[0]) || typeof args[0] === 'string') responseBody = Buffer.from(args[0] as Buffer);
      return end(...args);
    };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (!info) evaluate();
      if (level !== 'None' && !omit.includes('ResponseComplete')) this.log.write(event('ResponseComplete'));
    };
    res.once('finish', finish);
    res.once('close', finish);
    return {
      annotate: (k, v) => { annotations[k] = v; },
      identify: async (u, i, by) => {
        user = u; info = i; impersonator = by;
        evaluate();
        if (level === 'None') return;
        if (atLeast(level, 'Request') && ['create', 'update', 'patch'].includes(i.verb)) requestObject = await bufferBody(req);
        if (!omit.includes('RequestReceived')) this.log.write(event('RequestReceived'));
      },
    };
  }
}

/** Reads the body and puts it back, so the handlers still read it as a stream. */
async function bufferBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  Object.defineProperty(req, Symbol.asyncIterator, { value: async function* () { if (body.length) yield body; }, configurable: true });
  try { return decodeObject(body, mediaType(req)); } catch { return undefined; }
}

export function buildAudit(o: AuditOptions): Audit | undefined {
  if (!o.auditPolicyFile || !o.auditLogPath) return undefined;
  const policy = loadPolicy(o.auditPolicyFile);
  return new Audit(policy, new AuditLog({ path: o.auditLogPath, maxAgeDays: o.auditLogMaxAge, maxBackups: o.auditLogMaxBackup, maxSizeMB: o.auditLogMaxSize }));
}
