// The numbers a rollout is computed from (upstream's deployment/util): maxSurge and
// maxUnavailable resolved against spec.replicas, and the new ReplicaSet's next size.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DESIRED_REPLICAS, MAX_REPLICAS } from './annotations.js';

function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: "${x}"`);
  }
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/** [maxSurge, maxUnavailable]; both zero would deadlock, so maxUnavailable becomes 1. */
export function resolveFenceposts(d: Deployment): [number, number] {
  const ru = d.spec?.strategy?.rollingUpdate;
  const replicas = d.spec?.replicas ?? 1;
  const surge = scaledValue(ru?.maxSurge, replicas, true, '25%');
  let unavailable = scaledValue(ru?.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export const maxSurge = (d: Deployment): number => (d.spec?.strategy?.type === 'Recreate' ? 0 : resolveFenceposts(d)[0]);
export const maxUnavailable = (d: Deployment): number => {
  if (d.spec?.strategy?.type !== 'RollingUpdate' && d.spec?.strategy?.type !== undefined) return 0;
  const replicas = d.spec?.replicas ?? 1;
  return replicas === 0 ? 0 : Math.min(resolveFenceposts(d)[1], replicas);
};

export const specReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((s, r) => s + (r?.spec?.replicas ?? 0), 0);
export const actualReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((s, r) => s + (r?.status?.replicas ?? 0), 0);
export const readyReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((s, r) => s + (r?.status?.readyReplicas ?? 0), 0);
export const availableReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((s, r) => s + (r?.status?.availableReplicas ?? 0), 0);

/**
 * Available pods to weigh a scale-down against, at most spec.replicas per ReplicaSet. A
 * ReplicaSet just scaled down still reports the pods it is deleting as available: until its
 * controller observes the new generation, and even after, since that controller (as upstream's)
 * computes the status from the pods it listed before deleting. Counting those pods would scale
 * the old ReplicaSets down a second time, below minAvailable.
 */
export const availableForScaleDown = (rss: (ReplicaSet | undefined)[]): number =>
  rss.reduce((s, r) => s + Math.min(r?.status?.availableReplicas ?? 0, r?.spec?.replicas ?? 0), 0);

/** How big the new ReplicaSet may be now (NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate') return replicas;
  const [surge] = resolveFenceposts(d);
  const current = specReplicas(all);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return newRS.spec?.replicas ?? 0;
  const up = Math.min(maxTotal - current, replicas - (newRS.spec?.replicas ?? 0));
  return (newRS.spec?.replicas ?? 0) + up;
}

/** The ReplicaSet already has the deployment's size, and all of it is available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata?.annotations?.[DESIRED_REPLICAS]);
  const replicas = d.spec?.replicas ?? 1;
  return rs.spec?.replicas === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Proportional share of `toAdd` for one ReplicaSet during a scale in mid-rollout (GetProportion). */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (toAdd === 0) return 0;
  const replicas = d.spec?.replicas ?? 1;
  const rsReplicas = rs.spec?.replicas ?? 0;
  let fraction: number;
  if (replicas === 0) fraction = -rsReplicas;
  else {
    const deploymentReplicas = replicas + maxSurge(d);
    const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS]);
    const base = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
    fraction = base ? Math.round((rsReplicas * deploymentReplicas) / base) - rsReplicas : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
