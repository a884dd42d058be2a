// GET /containerLogs/NS/POD/CONTAINER: a container's CRI log file as plain text, with
// the pods/log options — tailLines, sinceSeconds, sinceTime, timestamps, limitBytes,
// previous (the attempt before the current one) and follow (stream until the container
// stops or the client goes away).
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podLogDir } from '../kubelet-paths.js';
import { parseLogLine } from '../runtime/cri-log-writer.js';

export interface LogQuery { follow: boolean; tailLines?: number; sinceMs?: number; timestamps: boolean; previous: boolean; limitBytes?: number }

export function parseLogQuery(q: URLSearchParams): LogQuery {
  const num = (k: string) => { const v = q.get(k); if (v === null || v === '') return undefined; const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`${k}: must be a non-negative integer`); return n; };
  const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const since = num('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  return {
    follow: bool('follow'), tailLines: num('tailLines'), timestamps: bool('timestamps'), previous: bool('previous'), limitBytes: num('limitBytes'),
    sinceMs: since !== undefined ? Date.now() - since * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
  };
}

/** The log file of the current (or previous) attempt, or an error message as upstream words it. */
export function logFile(podLogsDir: string, pod: Pod, container: string, previous: boolean): string | { error: string } {
  const m = pod.metadata!;
  const dir = path.join(podLogDir(podLogsDir, m.namespace!, m.name!, m.uid!), container);
  let attempts: number[] = [];
  try { attempts = fs.readdirSync(dir).map((f) => /^(\d+)\.log$/.exec(f)).filter(Boolean).map((x) => Number(x![1])).sort((a, b) => a - b); } catch { /* none */ }
  const want = previous ? attempts.at(-2) : attempts.at(-1);
  if (want === undefined) {
    return { error: previous ? `previous terminated container "${container}" in pod "${m.name}" not found` : `container "${container}" in pod "${m.name}" is waiting to start: ContainerCreating` };
  }
  return path.join(dir, `${want}.log`);
}

function render(lines: string[], q: LogQuery): string {
  let out = '';
  for (const line of lines) {
    const r = parseLogLine(line);
    if (!r) continue;
    if (q.sinceMs !== undefined && Date.parse(r.time) < q.sinceMs) continue;
    out += (q.timestamps ? `${r.time} ` : '') + r.text + (r.partial ? '' : '\n');
  }
  return out;
}

export function serveLogs(res: http.ServerResponse, file: string, q: LogQuery, stillRunning: () => boolean): void {
  let text = fs.readFileSync(file, 'utf8');
  let offset = Buffer.byteLength(text);
  let lines = text.split('\n').filter(Boolean);
  if (q.tailLines !== undefined) lines = q.tailLines === 0 ? [] : lines.slice(-q.tailLines);
  let sent = 0;
  const write = (s: string): boolean => {
    if (q.limitBytes !== undefined) {
      if (sent >= q.limitBytes) return false;
      s = Buffer.from(s).subarray(0, q.limitBytes - sent).toString('utf8');
    }
    sent += Buffer.byteLength(s);
    if (s) res.write(s);
    return q.limitBytes === undefined || sent < q.limitBytes;
  };
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  const more = write(render(lines, q));
  if (!q.follow || !more) { res.end(); return; }
  let partial = '';
  const timer = setInterval(() => {
    let st: fs.Stats;
    try { st = fs.statSync(file); } catch { clearInterval(timer); res.end(); return; }
    if (st.size > offset) {
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(st.size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      fs.closeSync(fd);
      offset = st.size;
      text = partial + buf.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop()!;
      if (!write(render(parts, q))) { clearInterval(timer); res.end(); return; }
    } else if (!stillRunning()) {
      clearInterval(timer);
      res.end();
    }
  }, 200);
  res.on('close', () => clearInterval(timer));
}
