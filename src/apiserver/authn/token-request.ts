// POST serviceaccounts/NAME/token (authentication.k8s.io/v1 TokenRequest): a bound token
// for the service account, optionally tied to a Pod or Secret that must still exist.
import { newBadRequest, newInvalid, newNotFound } from '../../api/status/index.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { sendJSON } from '../http/respond.js';
import type { RequestContext } from '../handlers/request-context.js';
import { nowTimestamp } from '../registry/object-meta.js';
import type { ObjectLookup } from './object-lookup.js';
import type { SigningKey } from './service-account-keys.js';
import { issueBoundToken, type BoundRef } from './service-account-token.js';

export interface TokenRequestDeps { signingKey: SigningKey; issuer: string; audiences: string[]; lookup: ObjectLookup }

const MIN_SECONDS = 600;

export async function serveTokenRequest(ctx: RequestContext, d: TokenRequestDeps): Promise<void> {
  const { namespace: ns, name } = ctx.info;
  if (ctx.info.verb !== 'create') throw newBadRequest(`${ctx.info.verb} is not supported on serviceaccounts/token`);
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  if (body.kind && body.kind !== 'TokenRequest') throw newBadRequest(`the kind in the data (${body.kind}) does not match the expected kind (TokenRequest)`);
  const sa = await d.lookup('serviceaccounts', ns, name);
  if (!sa) throw newNotFound({ group: '', resource: 'serviceaccounts' }, name);
  const spec = body.spec ?? {};
  const seconds = spec.expirationSeconds ?? 3600;
  const gk = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
  if (seconds < MIN_SECONDS) throw newInvalid(gk, name, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: seconds, detail: 'may not specify a duration less than 10 minutes' }]);
  if (seconds > 2 ** 32) throw newInvalid(gk, name, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: seconds, detail: 'may not specify a duration larger than 2^32 seconds' }]);
  // Admission sees a create of serviceaccounts/token (NodeRestriction: a node asks only for its pods' tokens).
  const admit = { operation: 'CREATE' as const, def: ctx.def, namespace: ns, name, subresource: 'token', object: body, dryRun: false };
  if (ctx.registry.admission) Object.assign(body, await ctx.registry.admission.mutate(admit));
  await ctx.registry.admission?.validate(admit);
  let bound: BoundRef | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    const kinds: Record<string, 'pods' | 'secrets' | 'nodes'> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };
    const resource = kinds[ref.kind];
    if (!resource) throw newBadRequest(`cannot bind token to object of type ${ref.kind}`);
    const obj = await d.lookup(resource, resource === 'nodes' ? '' : ns, ref.name);
    if (!obj) throw newNotFound({ group: '', resource }, ref.name);
    if (ref.uid && ref.uid !== obj.metadata?.uid) {
      throw newBadRequest(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    bound = { kind: ref.kind, name: ref.name, uid: obj.metadata?.uid ?? '' };
  }
  const audiences: string[] = spec.audiences?.length ? spec.audiences : d.audiences;
  const { token, expires } = await issueBoundToken(d.signingKey, {
    namespace: ns, serviceAccount: { name, uid: sa.metadata?.uid ?? '' }, audiences, expirationSeconds: seconds, bound, issuer: d.issuer,
  });
  sendJSON(ctx.res, 201, {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: nowTimestamp() },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: ref ? { ...ref, uid: bound?.uid } : null },
    status: { token, expirationTimestamp: nowTimestamp(expires) },
  });
}
