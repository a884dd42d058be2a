// Raw HTTPS calls to the test API server (self-signed certificate, static token): JSON
// requests, and watches read line by line.
import https from 'node:https';
import { TOKEN } from './harness.js';

export interface Reply { status: number; body: any; headers: Record<string, string | string[] | undefined> }

export function api(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request(base + path, {
      method, rejectUnauthorized: false,
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json', ...(data ? { 'Content-Type': contentType, 'Content-Length': data.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

export interface WatchStream { events: any[]; waitFor(n: number, ms?: number): Promise<any[]>; close(): void }

/** Opens a watch and collects its events. */
export function openWatch(base: string, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let waiters: Array<() => void> = [];
    const req = https.get(base + path, { rejectUnauthorized: false, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        const w = waiters;
        waiters = [];
        w.forEach((f) => f());
      });
      res.on('error', () => {});
      resolve({
        events,
        waitFor(n: number, ms = 15_000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${n} events: ${JSON.stringify(events.map((e) => e.type))}`)), ms);
            const check = () => { if (events.length >= n) { clearTimeout(timer); ok(events); } else waiters.push(check); };
            check();
          });
        },
        close() { req.destroy(); },
      });
    });
    req.on('error', (err) => { if (!(err as any).code?.includes('ECONNRESET')) reject(err); });
  });
}

/** A Prometheus gauge's value from a /metrics text (first sample whose line starts with name). */
export function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}
