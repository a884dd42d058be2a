// The audit filter: for each request, the policy's level decides what is recorded; events
// (audit.k8s.io/v1 Event) are written at RequestReceived and ResponseComplete unless the
// policy omits the stage. Request bodies are kept for Request and RequestResponse, response
// bodies for RequestResponse.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../authn/user-info.js';
import { decodeObject, mediaType, readBodyEarly } from '../http/body.js';
import type { RequestInfo } from '../request-info.js';
import { AuditLog } from './audit-log.js';
import { type AuditBackend, type BatchOptions, BufferedBackend, checkMode } from './audit-backend.js';
import { WebhookBackend } from './audit-webhook.js';
import { levelFor, loadPolicy, type Level, type Policy } from './audit-policy.js';

export interface AuditOptions {
  auditPolicyFile?: string; auditLogPath?: string; auditLogMaxAge?: number; auditLogMaxBackup?: number; auditLogMaxSize?: number;
  /** blocking (default), batch or blocking-strict. */
  auditLogMode?: string; auditLogBatchBufferSize?: number; auditLogBatchMaxSize?: number; auditLogBatchMaxWaitSeconds?: number;
  auditWebhookConfigFile?: string; auditWebhookMode?: string; auditWebhookVersion?: string; auditWebhookInitialBackoffSeconds?: number;
  auditWebhookBatchBufferSize?: number; auditWebhookBatchMaxSize?: number; auditWebhookBatchMaxWaitSeconds?: number;
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
  constructor(private readonly policy: Policy, private readonly backends: AuditBackend[]) {}

  private emit(event: unknown): void {
    for (const b of this.backends) {
      const r = b.process([event]);
      if (r instanceof Promise) r.catch(() => { /* the backend logs its own failures */ });
    }
  }

  async shutdown(): Promise<void> { await Promise.all(this.backends.map((b) => b.shutdown())); }

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
      if (level !== 'None' && !omit.includes('ResponseComplete')) this.emit(event('ResponseComplete'));
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
        if (!omit.includes('RequestReceived')) this.emit(event('RequestReceived'));
      },
    };
  }
}

/** Reads the body, kept for the handler's readBody. */
async function bufferBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBodyEarly(req);
  try { return decodeObject(body, mediaType(req)); } catch { return undefined; }
}

/** One backend in its mode: blocking hands events over at once, batch through a buffer. */
function inMode(b: AuditBackend, flag: string, mode: string, batch: BatchOptions, log: (m: string) => void): AuditBackend {
  checkMode(flag, mode);
  if (batch.bufferSize <= 0) throw new Error(`invalid audit ${flag} batch buffer size ${batch.bufferSize}, must be a positive number`);
  if (batch.maxBatchSize <= 0) throw new Error(`invalid audit ${flag} batch max size ${batch.maxBatchSize}, must be a positive number`);
  return mode === 'batch' ? new BufferedBackend(b, batch, log) : b;
}

export function buildAudit(o: AuditOptions, log: (m: string) => void = () => {}): Audit | undefined {
  if (!o.auditPolicyFile || (!o.auditLogPath && !o.auditWebhookConfigFile)) return undefined;
  const policy = loadPolicy(o.auditPolicyFile);
  const backends: AuditBackend[] = [];
  if (o.auditLogPath) {
    const file = new AuditLog({ path: o.auditLogPath, maxAgeDays: o.auditLogMaxAge, maxBackups: o.auditLogMaxBackup, maxSizeMB: o.auditLogMaxSize });
    backends.push(inMode(file, 'log', o.auditLogMode ?? 'blocking', {
      bufferSize: o.auditLogBatchBufferSize ?? 10000, maxBatchSize: o.auditLogBatchMaxSize ?? 1, maxBatchWaitMs: (o.auditLogBatchMaxWaitSeconds ?? 0) * 1000,
    }, log));
  }
  if (o.auditWebhookConfigFile) {
    const hook = new WebhookBackend(o.auditWebhookConfigFile, o.auditWebhookVersion ?? 'audit.k8s.io/v1', (o.auditWebhookInitialBackoffSeconds ?? 10) * 1000, log);
    backends.push(inMode(hook, 'webhook', o.auditWebhookMode ?? 'batch', {
      bufferSize: o.auditWebhookBatchBufferSize ?? 10000, maxBatchSize: o.auditWebhookBatchMaxSize ?? 400, maxBatchWaitMs: (o.auditWebhookBatchMaxWaitSeconds ?? 30) * 1000,
    }, log));
  }
  return new Audit(policy, backends);
}
