// The pod-level cgroup that runc creates as the parent of a pod's containers (cgroupfs
// driver) is the kubelet's to remove once the pod is gone, as upstream's pod container
// manager does. Works on cgroup v1 (one hierarchy per controller) and v2 (one tree).
import fs from 'node:fs';
import path from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

/** Hierarchy roots: /sys/fs/cgroup itself (v2) and its controller mounts (v1, hybrid). */
function hierarchies(): string[] {
  const out = [CGROUP_FS];
  try {
    for (const e of fs.readdirSync(CGROUP_FS, { withFileTypes: true })) if (e.isDirectory()) out.push(path.join(CGROUP_FS, e.name));
  } catch { /* no cgroupfs */ }
  return out;
}

/** Removes the (empty) pod cgroup `parent` (a cgroupfs path like /kubepods/burstable/pod<uid>) everywhere. */
export function removePodCgroup(parent: string): void {
  if (!parent.startsWith('/') || parent.includes('..')) return;
  for (const h of hierarchies()) {
    const dir = path.join(h, parent);
    try {
      fs.rmdirSync(dir);
    } catch { /* absent, or a process still in it */ }
  }
}
