// /healthz as upstream installs it (k8s.io/apiserver's healthz.InstallHandler): /healthz runs
// every check — `ok`, or on a failure 500 with the list ("[-]syncloop failed: reason
// withheld") and "healthz check failed"; `?verbose` lists "[+]ping ok" lines and "healthz
// check passed"; `?exclude=NAME` skips one; /healthz/NAME runs one check ("ok", or 500
// "internal server error: …"). The kubelet's HTTPS server has ping, log and syncloop; the
// plain --healthz-port server only ping.
import type http from 'node:http';

export interface HealthCheck { name: string; check(): string | undefined }

export const ping: HealthCheck = { name: 'ping', check: () => undefined };
/** Upstream's LogHealthz fails when the logger has not flushed for a minute; our logs are written at once. */
export const logCheck: HealthCheck = { name: 'log', check: () => undefined };

function text(res: http.ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

/** Answers a /healthz request; false when the path is not one of them. */
export function serveHealthz(res: http.ServerResponse, url: URL, checks: HealthCheck[]): boolean {
  const p = url.pathname.replace(/\/$/, '');
  if (p === '/healthz') {
    const excluded = new Set(url.searchParams.getAll('exclude').flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean));
    let failed = false;
    let out = '';
    for (const c of checks) {
      if (excluded.has(c.name)) { out += `[+]${c.name} excluded: ok\n`; excluded.delete(c.name); continue; }
      const err = c.check();
      if (err === undefined) out += `[+]${c.name} ok\n`;
      else { failed = true; out += `[-]${c.name} failed: reason withheld\n`; }
    }
    if (excluded.size) out += `warn: some health checks cannot be excluded: no matches for ${[...excluded].map((x) => JSON.stringify(x)).join(',')}\n`;
    if (failed) { text(res, 500, `${out}healthz check failed\n`); return true; }
    if (url.searchParams.has('verbose')) text(res, 200, `${out}healthz check passed\n`);
    else text(res, 200, 'ok');
    return true;
  }
  const m = /^\/healthz\/([^/]+)$/.exec(p);
  const c = m && checks.find((x) => x.name === m[1]);
  if (!c) return false;
  const err = c.check();
  if (err === undefined) text(res, 200, 'ok');
  else text(res, 500, `internal server error: ${err}\n`);
  return true;
}
