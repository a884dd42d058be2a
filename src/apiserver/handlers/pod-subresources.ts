// pods/eviction (policy/v1 Eviction: deletes the pod unless a disruption budget forbids it).
// pods/log, exec, attach and portforward reach the pod's kubelet: see pod-streaming.ts.
import { poddisruptionbudgets } from '../../api/resources/policy-v1.js';
import { labelSelectorFromSpec } from '../../api/selectors/index.js';
import { failureStatus, ApiError, newBadRequest, newMethodNotSupported, newTooManyRequests } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { sendJSON } from '../http/respond.js';
import { type RequestContext, isDryRun } from './request-context.js';

export async function serveEviction(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'create') throw newMethodNotSupported({ group: '', resource: 'pods/eviction' }, info.verb);
  const eviction = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  if (eviction.kind && eviction.kind !== 'Eviction') throw newBadRequest(`the kind in the data (${eviction.kind}) does not match the expected kind (Eviction)`);
  if (eviction.metadata?.name && eviction.metadata.name !== info.name) throw newBadRequest(`name in URL does not match name in Eviction object`);
  const pod = await registry.get(def, ns, info.name);
  const phase = pod.status?.phase;
  // Finished, pending or already terminating pods leave without consulting budgets (upstream's canIgnorePDB).
  const ignoreBudgets = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
  if (!ignoreBudgets) {
    const pdbs = (await registry.list(poddisruptionbudgets, ns)).items
      .filter((p) => p.spec?.selector && labelSelectorFromSpec(p.spec.selector).matches(pod.metadata?.labels ?? {}));
    if (pdbs.length > 1) throw new ApiError(failureStatus(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', {}));
    const pdb = pdbs[0];
    if (pdb) {
      if ((pdb.status?.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0) || (pdb.status?.disruptionsAllowed ?? 0) <= 0) {
        const err = newTooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
        err.status.details = { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata?.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }] };
        throw err;
      }
      if (!isDryRun(ctx)) {
        await registry.update(poddisruptionbudgets, ns, pdb.metadata!.name, (cur) => {
          cur.status = { ...(cur.status ?? {}), disruptionsAllowed: (cur.status?.disruptionsAllowed ?? 0) - 1,
            disruptedPods: { ...(cur.status?.disruptedPods ?? {}), [info.name]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } };
          return cur;
        }, { subresource: 'status' });
      }
    }
  }
  const opts = eviction.deleteOptions ?? {};
  await registry.delete(def, ns, info.name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: opts.preconditions, dryRun: isDryRun(ctx) });
  sendJSON(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

