// pods/eviction (policy/v1 Eviction: deletes the pod unless a disruption budget forbids it),
// as upstream's EvictionREST: the budget is checked and its status decremented with the
// budget's resourceVersion; when the disruption controller (or another eviction) wrote the
// budget in between, the budget is read again and checked again, never a 409 to the client.
// pods/log, exec, attach and portforward reach the pod's kubelet: see pod-streaming.ts.
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { poddisruptionbudgets } from '../../api/resources/policy-v1.js';
import { labelSelectorFromSpec } from '../../api/selectors/index.js';
import { failureStatus, ApiError, hasReason, newBadRequest, newConflict, newForbidden, newMethodNotSupported, newTooManyRequests } from '../../api/status/index.js';
import type { ResourceDef } from '../../api/resources/resource-def.js';
import type { Registry } from '../registry/registry.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { sendJSON } from '../http/respond.js';
import { type RequestContext, isDryRun } from './request-context.js';

/** Upstream's EvictionsRetry: 20 tries, 500 ms apart (10% jitter). */
const RETRIES = 20;
const retryPause = () => new Promise((r) => setTimeout(r, 500 * (1 + 0.1 * Math.random())));
/** Upstream's MaxDisruptedPodSize: evictions the disruption controller has not yet confirmed. */
const MAX_DISRUPTED_PODS = 2000;
const PDB_GR = { group: 'policy', resource: 'poddisruptionbudget' };
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const isConflict = (err: unknown) => hasReason(err, 'Conflict');

type Preconditions = { uid?: string; resourceVersion?: string };

const isReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
/** Finished, pending or terminating pods leave without consulting budgets (upstream's canIgnorePDB). */
const canIgnoreBudgets = (pod: Pod) => ['Succeeded', 'Failed', 'Pending'].includes(pod.status?.phase ?? '') || !!pod.metadata?.deletionTimestamp;
/** Terminal or terminating pods need no resourceVersion guard against turning healthy meanwhile. */
const guardVersion = (pod: Pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') && !pod.metadata?.deletionTimestamp;

function tooManyRequests(message: string): ApiError {
  const err = newTooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
  err.status.details = { ...(err.status.details ?? {}), causes: [{ reason: 'DisruptionBudget', message }] };
  return err;
}
const stillProcessing = (pdb: string) => tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`);

export async function serveEviction(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'create') throw newMethodNotSupported({ group: '', resource: 'pods/eviction' }, info.verb);
  const eviction = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  if (eviction.kind && eviction.kind !== 'Eviction') throw newBadRequest(`the kind in the data (${eviction.kind}) does not match the expected kind (Eviction)`);
  if (eviction.metadata?.name && eviction.metadata.name !== info.name) throw newBadRequest(`name in URL does not match name in Eviction object`);
  const dryRun = isDryRun(ctx);
  // Admission sees the eviction as a create of pods/eviction (NodeRestriction: a node evicts only its own pods).
  const admit = { operation: 'CREATE' as const, def, namespace: ns, name: info.name, subresource: 'eviction', object: eviction, dryRun };
  if (registry.admission) Object.assign(eviction, await registry.admission.mutate(admit));
  await registry.admission?.validate(admit);
  const requested = eviction.deleteOptions ?? {};
  const clientPre: Preconditions = requested.preconditions ?? {};
  const evict = (pre: Preconditions) => deleteWithCondition(registry, def, ns, info.name, { gracePeriodSeconds: requested.gracePeriodSeconds, preconditions: pre, dryRun });
  const done = () => sendJSON(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });

  // A pod that may ignore budgets is deleted at once; a conflict (it changed meanwhile) means look again.
  let pod!: Pod;
  for (let attempt = 1; ; attempt++) {
    pod = await registry.get(def, ns, info.name) as Pod;
    if (!canIgnoreBudgets(pod)) break;
    const pre = guardVersion(pod) && !clientPre.resourceVersion ? { ...clientPre, resourceVersion: pod.metadata!.resourceVersion } : clientPre;
    try {
      await evict(pre);
      return done();
    } catch (err) {
      if (!isConflict(err) || attempt >= RETRIES) throw err;
      await retryPause();
    }
  }

  const budgets = (await registry.list(poddisruptionbudgets, ns)).items as PodDisruptionBudget[];
  // A budget with an empty selector selects nothing here (upstream's eviction rule).
  const matching = budgets.filter((b) => {
    const sel = b.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return false;
    return labelSelectorFromSpec(sel).matches(pod.metadata?.labels ?? {});
  });
  if (matching.length > 1) throw new ApiError(failureStatus(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', {}));
  let pinPod = false;
  if (matching.length === 1) {
    let pdb = matching[0];
    const pdbName = pdb.metadata!.name!;
    if (!isReady(pod) && pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') {
      pinPod = true;
    } else {
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1) pdb = await registry.get(poddisruptionbudgets, ns, pdbName) as PodDisruptionBudget;
        // An unready pod does not count as healthy: while the budget is met it goes without a decrement (IfHealthyBudget).
        const st: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
        if (!isReady(pod) && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) { pinPod = true; break; }
        try {
          await checkAndDecrement(registry, ns, info.name, pdb, dryRun);
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= RETRIES) throw err;
          await retryPause();
        }
      }
    }
  }
  // The pod as checked is the pod that goes: if it changed meanwhile, the client tries again (429).
  const pre = pinPod && !clientPre.resourceVersion ? { ...clientPre, resourceVersion: pod.metadata!.resourceVersion } : clientPre;
  try {
    await evict(pre);
  } catch (err) {
    if (isConflict(err) && pinPod && !clientPre.resourceVersion) throw stillProcessing(matching[0].metadata!.name!);
    throw err;
  }
  done();
}

/** Upstream's checkAndDecrement: refuse, or take one disruption and note the pod for the disruption controller. */
async function checkAndDecrement(registry: Registry, ns: string, podName: string, pdb: PodDisruptionBudget, dryRun: boolean): Promise<void> {
  const name = pdb.metadata!.name!;
  const st: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw newForbidden(PDB_GR, name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw newForbidden(PDB_GR, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  if (dryRun) return;
  const status: Partial<PodDisruptionBudgetStatus> = { ...st, disruptionsAllowed: allowed - 1, disruptedPods: { ...(st.disruptedPods ?? {}), [podName]: now() } };
  if (status.disruptionsAllowed === 0) {
    const old = (st.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
    const cond = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: old?.observedGeneration,
      lastTransitionTime: old && old.status === 'False' ? old.lastTransitionTime : now() };
    status.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'), cond];
  }
  // The budget's resourceVersion rides along: a write in between is a conflict, and the caller reads again.
  await registry.update(poddisruptionbudgets, ns, name, () => ({ ...pdb, status }), { subresource: 'status' });
}

/** Marks the pod DisruptionTarget (EvictionByEvictionAPI), then deletes it, as upstream's addConditionAndDeletePod. */
async function deleteWithCondition(registry: Registry, def: ResourceDef, ns: string, name: string, opts: { gracePeriodSeconds?: number; preconditions: Preconditions; dryRun: boolean }): Promise<void> {
  let pre = opts.preconditions;
  if (!opts.dryRun) {
    const { obj } = await registry.update(def, ns, name, (cur) => {
      if (pre.uid && pre.uid !== cur.metadata?.uid) throw newConflict({ group: '', resource: 'pods' }, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata?.uid ?? ''}`);
      if (pre.resourceVersion && pre.resourceVersion !== cur.metadata?.resourceVersion) {
        throw newConflict({ group: '', resource: 'pods' }, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata?.resourceVersion ?? ''}`);
      }
      const status: PodStatus = { ...((cur as Pod).status ?? {}) };
      const conds = status.conditions ?? [];
      const old = conds.find((c) => c.type === 'DisruptionTarget');
      const cond = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
        lastProbeTime: old?.lastProbeTime, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now() };
      // Written on the latest pod: others' writes in between are not conflicts.
      const { resourceVersion: _rv, ...metadata } = cur.metadata ?? {};
      return { ...cur, metadata, status: { ...status, conditions: [...conds.filter((c) => c.type !== 'DisruptionTarget'), cond] } };
    }, { subresource: 'status' });
    // Our own write moved the version the client (or we) pinned.
    if (pre.resourceVersion) pre = { ...pre, resourceVersion: obj.metadata!.resourceVersion };
  }
  await registry.delete(def, ns, name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: pre, dryRun: opts.dryRun });
}
