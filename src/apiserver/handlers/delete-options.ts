// DeleteOptions from the body (kubectl sends one) merged with query parameters.
import { goBool } from '../request-info.js';
import { newBadRequest } from '../../api/status/index.js';
import type { DeleteOptions } from '../registry/registry.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { type RequestContext, isDryRun, query } from './request-context.js';

export async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const raw = await readBody(ctx.req);
  const body = raw.length ? decodeObject(raw, mediaType(ctx.req)) : {};
  const graceQ = query(ctx, 'gracePeriodSeconds');
  const grace = body.gracePeriodSeconds ?? (graceQ !== undefined ? Number(graceQ) : undefined);
  if (grace !== undefined && (!Number.isInteger(grace))) throw newBadRequest(`gracePeriodSeconds: Invalid value: must be an integer`);
  const policy = body.propagationPolicy ?? query(ctx, 'propagationPolicy');
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw newBadRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  let orphan = body.orphanDependents ?? (goBool(query(ctx, 'orphanDependents')) ? true : undefined);
  if (orphan && policy) throw newBadRequest('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "' + policy + '": orphanDependents and deletionPropagation cannot be both set');
  orphan = orphan === true;
  return {
    gracePeriodSeconds: grace,
    preconditions: body.preconditions,
    propagationPolicy: orphan ? 'Orphan' : policy,
    dryRun: isDryRun(ctx) || (Array.isArray(body.dryRun) && body.dryRun.includes('All')),
  };
}
