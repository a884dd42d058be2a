// Query parameters of list and watch: selectors (field names checked per resource), paging.
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';
import { type FieldError, forbidden, newBadRequest, newInvalid, notSupported } from '../../api/status/index.js';
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
  const cont = query(ctx, 'continue');
  // upstream's ValidateListOptions: every violation at once, as 422 Invalid ListOptions.meta.k8s.io.
  const errs: FieldError[] = [];
  if (match) {
    if (ctx.info.verb === 'watch') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch'));
    if (!rv) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (cont) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (!['NotOlderThan', 'Exact'].includes(match)) errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (errs.length) throw newInvalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
  const supported = Object.keys(ctx.def.fieldSelectors ?? {});
  return {
    labelSelector: labels ? parseLabelSelector(labels) : undefined,
    fieldSelector: fields ? parseFieldSelector(fields, supported) : undefined,
    limit: limit ? Number(limit) : undefined,
    continueToken: cont || undefined,
    resourceVersion: rv,
    resourceVersionMatch: match,
  };
}
