// Which store targets a run covers (env STORE_TARGETS, default "etcd,tskube") and whether
// each can run here. Every suite proves its expectations on the real etcd first; the tskube
// target is skipped, visibly, only while its CLI has not been built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REAL_ETCD, type TargetName } from './store-process.js';
import { tskubeMain } from './repo-root.js';

const ALL: TargetName[] = ['etcd', 'tskube'];

export function selectedTargets(): TargetName[] {
  const raw = process.env.STORE_TARGETS ?? 'etcd,tskube';
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!ALL.includes(n as TargetName)) throw new Error(`STORE_TARGETS: unknown target "${n}" (known: ${ALL.join(', ')})`);
  }
  return names as TargetName[];
}

let tskubeStatus: string | false | undefined;

/** Why a target cannot run here, or false when it can. */
export function unavailableReason(target: TargetName): string | false {
  if (target === 'etcd') return existsSync(REAL_ETCD) ? false : `${REAL_ETCD} is not installed`;
  if (tskubeStatus !== undefined) return tskubeStatus;
  if (!existsSync(tskubeMain)) {
    tskubeStatus = `tskube etcd CLI not built yet (${tskubeMain} missing)`;
  } else {
    // The entry point may exist before its etcd subcommand does.
    const r = spawnSync(process.execPath, [tskubeMain, 'etcd', '--help'], { encoding: 'utf8', timeout: 15_000 });
    tskubeStatus = r.status === 0 ? false : `tskube etcd CLI not available yet (\`tskube etcd --help\` exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''})`;
  }
  return tskubeStatus;
}
