// The settings of one tskube etcd member, as the CLI flags give them (etcd's names and defaults).
import type { LogLevel } from './log.js';

export interface EtcdConfig {
  name: string;
  dataDir: string;
  listenClientUrls: URL[];
  advertiseClientUrls: string[];
  listenPeerUrls: string[];
  initialAdvertisePeerUrls: string[];
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  certFile?: string;
  keyFile?: string;
  trustedCaFile?: string;
  clientCertAuth: boolean;
  quotaBackendBytes: number;
  maxRequestBytes: number;
  autoCompactionMode: 'periodic' | 'revision';
  /** periodic: milliseconds; revision: revisions to keep; 0 disables */
  autoCompactionRetention: number;
  logLevel: LogLevel;
  snapshotCount: number;
  enableV2: boolean;
  /** --experimental-watch-progress-notify-interval, in ms (default 10 minutes) */
  watchProgressNotifyIntervalMs?: number;
}

export const DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** etcd's --auto-compaction-retention: a Go duration ("1h", "5m30s") or a bare number
 * (hours in periodic mode, revisions in revision mode). Returns ms or revisions. */
export function parseRetention(text: string, mode: 'periodic' | 'revision'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return mode === 'periodic' ? Number(t) * 3600_000 : Number(t);
  if (mode === 'revision') throw new Error(`invalid --auto-compaction-retention "${text}" for revision mode: want a number of revisions`);
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 3600_000);
  return parseDuration('--auto-compaction-retention', t, 'a duration like 1h, 30m or a number of hours');
}

/** a Go duration ("10m", "1h30m", "250ms") in milliseconds */
export function parseDuration(flag: string, text: string, want = 'a duration like 10m, 30s or 500ms'): number {
  const t = text.trim();
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) throw new Error(`invalid ${flag} "${text}": want ${want}`);
    ms += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (t.length === 0) throw new Error(`empty ${flag}`);
  return Math.round(ms);
}

/** "a=http://x:2380,b=http://y:2380" → [[name, url], ...] */
export function parseInitialCluster(text: string): [string, string][] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new Error(`invalid --initial-cluster entry "${entry}": want NAME=PEER-URL`);
      return [entry.slice(0, eq), entry.slice(eq + 1)] as [string, string];
    });
}

export function parseUrlList(flag: string, text: string): URL[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0) throw new Error(`${flag} must list at least one URL`);
  return list.map((s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new Error(`invalid URL "${s}" in ${flag}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Error(`URL scheme must be http or https: ${s} (${flag})`);
    }
    if (u.port === '') {
      throw new Error(`URL address does not have the form "host:port": ${s} (${flag})`);
    }
    return u;
  });
}
