// Reads a container log in CRI's format (`TIMESTAMP STREAM P|F CONTENT` per record, as
// containerd writes them) back into lines for `kubectl logs`: partial records are joined
// with the records that complete them; --tail, --since-time, --timestamps and a stream
// filter apply to whole lines.
import fs from 'node:fs';
import { parseLogLine } from '../cri-log-writer.js';

export interface LogLine { time: string; stream: 'stdout' | 'stderr'; text: string }

export interface ReadLogOptions {
  tail?: number;
  /** RFC 3339 time; lines before it are dropped. */
  sinceTime?: string;
  stream?: 'stdout' | 'stderr';
}

/** Whole lines from CRI log text; a trailing partial record with no end yet is kept as a line. */
export function parseCriLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  const pending: Partial<Record<'stdout' | 'stderr', LogLine>> = {};
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const r = parseLogLine(raw);
    if (!r) continue; // not a CRI record (damaged or foreign): skip it, as the kubelet does
    const p = pending[r.stream];
    const line = p ? { ...p, text: p.text + r.text } : { time: r.time, stream: r.stream, text: r.text };
    if (r.partial) pending[r.stream] = line;
    else {
      delete pending[r.stream];
      out.push(line);
    }
  }
  for (const p of Object.values(pending)) if (p) out.push(p);
  return out;
}

export function selectLogLines(lines: LogLine[], o: ReadLogOptions = {}): LogLine[] {
  let sel = lines;
  if (o.stream) sel = sel.filter((l) => l.stream === o.stream);
  if (o.sinceTime) {
    const since = Date.parse(o.sinceTime);
    sel = sel.filter((l) => Date.parse(l.time) >= since);
  }
  if (o.tail !== undefined && o.tail >= 0) sel = o.tail === 0 ? [] : sel.slice(-o.tail);
  return sel;
}

/** The log as kubectl prints it (with the RFC 3339 timestamp first when asked). */
export function formatLogLines(lines: LogLine[], timestamps = false): string {
  return lines.map((l) => (timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`)).join('');
}

export function readCriLog(file: string, o: ReadLogOptions & { timestamps?: boolean } = {}): string {
  return formatLogLines(selectLogLines(parseCriLog(fs.readFileSync(file, 'utf8')), o), o.timestamps);
}
