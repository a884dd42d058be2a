// The critical path of one `tskube up`, from the timestamps its processes log: when the
// control-plane kubelet served, each static pod was started and served, the nodes
// registered, the mirror pods appeared, leaders were elected, the add-ons went in (up's own
// progress lines, timed as they arrived). Seconds from the moment `up` was spawned.
import fs from 'node:fs';
import path from 'node:path';

/** One progress line of `up` and when it arrived (epoch ms). */
export interface TimedLine { at: number; line: string }

function stamp(line: string): number {
  // kubelet logs 2026-…T…Z; CRI pod logs carry nanoseconds, which Date.parse does not take
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z/.exec(line);
  return m ? Date.parse(`${m[1]}${(m[2] ?? '.000').slice(0, 4)}Z`) : NaN;
}

function lines(file: string): string[] {
  try { return fs.readFileSync(file, 'utf8').split('\n'); } catch { return []; }
}

/** The first line since t0 matching re in these files, as epoch ms (the last match with last). */
function when(t0: number, files: string[], re: RegExp, last = false): number {
  const hits = files.flatMap(lines).filter((l) => re.test(l)).map(stamp).filter((t) => t >= t0);
  return hits.length ? (last ? Math.max(...hits) : Math.min(...hits)) : NaN;
}

function podLog(dataDir: string, node: string, pod: string): string[] {
  const dir = path.join(dataDir, 'nodes', node, 'logs', 'pods');
  let entries: string[] = [];
  try { entries = fs.readdirSync(dir).filter((d) => d.startsWith(`kube-system_${pod}-${node}_`)); } catch { /* none yet */ }
  return entries.flatMap((d) => {
    const cdir = path.join(dir, d);
    return fs.readdirSync(cdir).flatMap((c) => fs.readdirSync(path.join(cdir, c)).map((f) => path.join(cdir, c, f)));
  });
}

export function upTimeline(dataDir: string, cluster: string, t0: number, upLines: TimedLine[]): [string, number][] {
  const cp = `${cluster}-control-plane`;
  const kubelets = fs.readdirSync(path.join(dataDir, 'logs')).filter((f) => f.startsWith('kubelet-')).map((f) => path.join(dataDir, 'logs', f));
  const cpLog = [path.join(dataDir, 'logs', `kubelet-${cp}.log`)];
  const upAt = (re: RegExp) => upLines.find((l) => re.test(l.line))?.at ?? NaN;
  const phases: [string, number][] = [
    ['PKI and manifests written', upAt(/Started the kubelet of/)],
    ['control-plane kubelet serving', when(t0, cpLog, /kubelet: serving on/)],
    ['etcd spawned', when(t0, cpLog, /host-process: started etcd /)],
    ['kube-apiserver spawned', when(t0, cpLog, /host-process: started kube-apiserver /)],
    ['etcd serving', when(t0, podLog(dataDir, cp, 'etcd'), /serving client requests/)],
    ['kube-apiserver serving', when(t0, podLog(dataDir, cp, 'kube-apiserver'), /serving securely/)],
    ['API server ready (up saw /readyz 200)', upAt(/API server ready/)],
    ['all nodes registered', when(t0, kubelets, /successfully registered node/, true)],
    ['controller-manager leader', when(t0, podLog(dataDir, cp, 'kube-controller-manager'), /became leader/)],
    ['scheduler leader', when(t0, podLog(dataDir, cp, 'kube-scheduler'), /is the leader/)],
    ['kube-system mirror pods created', when(t0, cpLog, /created mirror pod/, true)],
    ['nodes Ready (up)', upAt(/nodes Ready/)],
    ['kube-system pods Running (up)', upAt(/kube-system pods Running/)],
    ['kube-proxy add-on applied', upAt(/Applied essential addon: kube-proxy/)],
    ['kube-dns add-on applied', upAt(/Applied essential addon: kube-dns/)],
    ['cluster up', upAt(/Cluster "[^"]+" is up/)],
  ];
  return phases.filter(([, t]) => !Number.isNaN(t)).map(([name, t]) => [name, (t - t0) / 1000] as [string, number]).sort((a, b) => a[1] - b[1]);
}
