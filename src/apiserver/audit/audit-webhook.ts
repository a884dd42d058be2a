// --audit-webhook-config-file: a kubeconfig naming the server audit events are POSTed to as
// an audit.k8s.io/v1 EventList (client certificate, token and CA from the kubeconfig). A
// failed POST is retried with upstream's backoff (--audit-webhook-initial-backoff, ×1.5,
// five tries) before the batch is given up.
import https from 'node:https';
import http from 'node:http';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import type { ClientConfig } from '../../client/client-config.js';
import type { AuditBackend } from './audit-backend.js';

export class WebhookBackend implements AuditBackend {
  private readonly config: ClientConfig;
  private inflight = new Set<Promise<void>>();

  constructor(file: string, private readonly version: string, private readonly initialBackoffMs: number, private readonly log: (msg: string) => void = () => {}) {
    try { this.config = loadKubeconfig(file); } catch (err) { throw new Error(`--audit-webhook-config-file: ${(err as Error).message}`); }
    if (!['audit.k8s.io/v1'].includes(version)) throw new Error(`--audit-webhook-version: unsupported version ${JSON.stringify(version)}, want audit.k8s.io/v1`);
  }

  process(events: unknown[]): Promise<void> {
    const p = this.send(events).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    return p;
  }

  private async send(events: unknown[]): Promise<void> {
    const body = Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: this.version, metadata: {}, items: events }));
    let wait = this.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try { await this.post(body); return; } catch (err) {
        if (attempt >= 5) throw new Error(`audit webhook: giving up ${events.length} events: ${(err as Error).message}`);
        this.log(`audit webhook: ${(err as Error).message}; retrying in ${wait} ms`);
        await new Promise((r) => setTimeout(r, wait * (0.8 + Math.random() * 0.4)));
        wait *= 1.5;
      }
    }
  }

  private post(body: Buffer): Promise<void> {
    const c = this.config;
    const url = new URL(c.server);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        method: 'POST', ca: c.ca, cert: c.clientCert, key: c.clientKey, rejectUnauthorized: !c.insecureSkipTLSVerify, servername: c.tlsServerName,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, ...(c.token ? { Authorization: `Bearer ${c.token}` } : {}) },
        timeout: 30_000,
      }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`the server responded ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  async shutdown(): Promise<void> { await Promise.allSettled([...this.inflight]); }
}
