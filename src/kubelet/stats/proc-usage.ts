// CPU time and working set read from /proc, for what has no cgroup of its own to ask: the
// node as a whole (what cAdvisor reports for the root cgroup) and a host-process
// container (its main process and every descendant).
import fs from 'node:fs';

/** Linux reports times in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface Usage {
  /** Cumulative CPU time in core-seconds. */
  cpuSeconds: number;
  /** Working set in bytes. */
  memoryWorkingSetBytes: number;
  /** When it was read (epoch ms). */
  timestamp: number;
}

/**
 * The node: busy CPU time from /proc/stat's "cpu" line (everything but idle and iowait), and
 * memory in use minus the inactive file cache, as cAdvisor's root-cgroup working set.
 */
export function nodeUsage(procDir = '/proc'): Usage {
  const cpu = fs.readFileSync(`${procDir}/stat`, 'utf8').split('\n').find((l) => l.startsWith('cpu '))!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const busy = cpu[0] + cpu[1] + cpu[2] + (cpu[5] ?? 0) + (cpu[6] ?? 0) + (cpu[7] ?? 0);
  const mem = new Map<string, number>();
  for (const line of fs.readFileSync(`${procDir}/meminfo`, 'utf8').split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m) mem.set(m[1], Number(m[2]) * 1024);
  }
  const used = (mem.get('MemTotal') ?? 0) - (mem.get('MemFree') ?? 0);
  return { cpuSeconds: busy / TICKS_PER_SECOND, memoryWorkingSetBytes: Math.max(0, used - (mem.get('Inactive(file)') ?? 0)), timestamp: Date.now() };
}

interface ProcStat { ppid: number; ticks: number; rssPages: number }

function readStat(procDir: string, pid: string): ProcStat | undefined {
  let text: string;
  try { text = fs.readFileSync(`${procDir}/${pid}/stat`, 'utf8'); } catch { return undefined; }
  // the command name sits in parentheses and may hold spaces: fields count from after it
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // state ppid … utime(11) stime(12) cutime(13) cstime(14) … rss(21)
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]), rssPages: Number(f[21]) };
}

/**
 * A process and all its descendants: CPU time including children they have reaped (a
 * live child's time is not yet in its parent's, so nothing counts twice), and resident memory.
 * Undefined when the process is gone.
 */
export function processTreeUsage(pid: number, procDir = '/proc'): Usage | undefined {
  const stats = new Map<number, ProcStat>();
  for (const name of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(procDir, name);
    if (s) stats.set(Number(name), s);
  }
  if (!stats.has(pid)) return undefined;
  const children = new Map<number, number[]>();
  for (const [p, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  let ticks = 0; let pages = 0;
  const todo = [pid];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    const s = stats.get(p)!;
    ticks += s.ticks; pages += s.rssPages;
    todo.push(...(children.get(p) ?? []));
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, memoryWorkingSetBytes: pages * PAGE_SIZE, timestamp: Date.now() };
}
