// Query parameters of list and watch: selectors (field names checked per resource), paging.
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';
import { newBadRequest } from '../../api/status/index.js';
import type { ListOptions } from '../registry/registry.js';
import { type RequestContext, query } from './request-context.js';

export function listOptions(ctx: RequestContext): ListOptions {
  const labels = query(ctx, 'labelSelector');
  const fields = query(ctx, 'fieldSelector');
  const limit = query(ctx, 'limit');
  if (limit !== undefined && !/^-?\d+$/.test(limit)) throw newBadRequest(`limit: Invalid value: "${limit}": must be an integer`);
  const rv = query(ctx, 'resourceVersion');
  if (rv && !/^\d+$/.test(rv)) throw newBadRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  const match = query(ctx, 'resourceVersionMatch');
  if (match && !['NotOlderThan', 'Exact'].includes(match)) throw newBadRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  if (match && !rv) throw newBadRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  const supported = Object.keys(ctx.def.fieldSelectors ?? {});
  return {
    labelSelector: labels ? parseLabelSelector(labels) : undefined,
    fieldSelector: fields ? parseFieldSelector(fields, supported) : undefined,
    limit: limit ? Number(limit) : undefined,
    continueToken: query(ctx, 'continue') || undefined,
    resourceVersion: rv,
    resourceVersionMatch: match,
  };
}
