// httpGet: a GET to scheme://host:port/path; 200 ≤ status < 400 is success (redirects are
// not followed, so a 3xx counts as success, as upstream).
import http from 'node:http';
import https from 'node:https';
import { type ProbeHandler, resolvePort } from './probe-handler.js';

export const httpGetProbe = {
  kind: 'httpGet',
  run(probe, target, timeoutMs) {
    const g = probe.httpGet!;
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const host = g.host || target.host;
    const port = resolvePort(g.port, target);
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    const lib = scheme === 'https' ? https : http;
    return new Promise((resolve) => {
      const req = lib.request({ host, port, path: g.path || '/', method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve({ ok: code >= 200 && code < 400, output: `HTTP probe failed with statuscode: ${code}` });
      });
      req.on('timeout', () => req.destroy(new Error(`Get "${scheme}://${host}:${port}${g.path || '/'}": context deadline exceeded`)));
      req.on('error', (err) => resolve({ ok: false, output: err.message }));
      req.end();
    });
  },
} satisfies ProbeHandler;
