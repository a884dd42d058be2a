// The annotations the deployment controller keeps on Deployments and their ReplicaSets.
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Deployment annotations never copied onto its ReplicaSets (upstream's skipCopyAnnotation). */
const SKIP_COPY = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);
export const copyable = (k: string): boolean => !SKIP_COPY.has(k);

export const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }): number => {
  const n = Number(o.metadata?.annotations?.[REVISION] ?? '0');
  return Number.isFinite(n) ? n : 0;
};
