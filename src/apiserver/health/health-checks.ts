// /healthz, /livez and /readyz as upstream's healthz package serves them: named checks run
// in order; `?verbose` lists `[+]name ok`, `?exclude=name` skips one, a failure answers 500
// with the whole list (`[-]etcd failed: reason withheld`), and /readyz/NAME runs one check.
// /readyz adds etcd-readiness, informer-sync and shutdown, and the post-start hooks report
// the server's bootstrap (namespaces, the kubernetes Service, CRDs, priority classes, RBAC).
import type { ServerResponse } from 'node:http';

export interface HealthCheck { name: string; check(): Promise<void> | void }

export type Endpoint = 'healthz' | 'livez' | 'readyz';

/** A post-start hook: ok once done() is called (upstream's poststarthook/NAME). */
export class PostStartHook implements HealthCheck {
  private finished = false;
  constructor(readonly name: string) {}
  done(): void { this.finished = true; }
  check(): void { if (!this.finished) throw new Error('not finished'); }
}

export class HealthChecks {
  constructor(private readonly checks: Record<Endpoint, HealthCheck[]>) {}

  private async run(c: HealthCheck, timeoutMs: number): Promise<Error | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([c.check(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), timeoutMs); })]);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Serves /ENDPOINT or /ENDPOINT/CHECK; returns false for an unknown path. */
  async serve(endpoint: Endpoint, sub: string, query: URLSearchParams, res: ServerResponse): Promise<boolean> {
    const checks = this.checks[endpoint];
    const text = (code: number, body: string) => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache, private' });
      res.end(body);
    };
    if (sub) {
      const one = checks.find((c) => c.name === sub);
      if (!one) return false;
      const err = await this.run(one, 5000);
      if (err) text(500, `internal server error: ${err.message}\n`); else text(200, 'ok');
      return true;
    }
    const excluded = new Set(query.getAll('exclude'));
    let out = '';
    let failed = false;
    const results = await Promise.all(checks.map((c) => (excluded.has(c.name) ? Promise.resolve('excluded' as const) : this.run(c, 5000))));
    checks.forEach((c, i) => {
      const r = results[i];
      if (r === 'excluded') out += `[+]${c.name} excluded: ok\n`;
      else if (r) { failed = true; out += `[-]${c.name} failed: reason withheld\n`; } else out += `[+]${c.name} ok\n`;
    });
    if (failed) { text(500, `${out}${endpoint} check failed\n`); return true; }
    if (!query.has('verbose')) { text(200, 'ok'); return true; }
    text(200, `${out}${endpoint} check passed\n`);
    return true;
  }
}
