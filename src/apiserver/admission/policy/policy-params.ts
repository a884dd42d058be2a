// The params a binding hands its policy (paramKind + paramRef): one object by name, or every
// object a selector picks, in the binding's namespace or, for a namespaced kind without one,
// the request's. None found: parameterNotFoundAction Deny refuses, Allow skips the binding.
import type { Catalogue } from '../../../api/resources/catalogue.js';
import type { KubeObject, ResourceDef } from '../../../api/resources/resource-def.js';
import { specMatchesLabels } from '../../../api/selectors/index.js';
import type { Attributes, PluginContext } from '../plugin.js';

export class PolicyConfigError extends Error {}
export class ParamsNotFound extends Error {}

function paramDef(catalogue: Catalogue | undefined, paramKind: any): ResourceDef {
  const [group, version] = String(paramKind.apiVersion ?? '').includes('/') ? String(paramKind.apiVersion).split('/') : ['', String(paramKind.apiVersion ?? '')];
  const def = catalogue?.inGroupVersion(group, version).find((d) => d.kind === paramKind.kind && !d.plural.includes('/'));
  if (!def) throw new PolicyConfigError(`failed to find resource referenced by paramKind: '${paramKind.apiVersion}, Kind=${paramKind.kind}'`);
  return def;
}

/** [null] when the policy takes no params; throws ParamsNotFound / PolicyConfigError. */
export async function bindingParams(ctx: PluginContext, catalogue: Catalogue | undefined, policy: any, binding: any, a: Attributes): Promise<Array<KubeObject | null>> {
  const paramKind = policy.spec?.paramKind;
  if (!paramKind) return [null];
  const ref = binding.spec?.paramRef;
  if (!ref) throw new PolicyConfigError('no paramRef specified in the binding of a policy with paramKind');
  const def = paramDef(catalogue, paramKind);
  let ns = '';
  if (def.namespaced) {
    ns = ref.namespace || a.namespace;
    if (!ns) throw new PolicyConfigError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  }
  let found: KubeObject[];
  if (ref.name) {
    const one = await ctx.get(def, ns, ref.name);
    found = one ? [one] : [];
  } else {
    found = (await ctx.list(def, ns)).filter((o) => specMatchesLabels(ref.selector ?? {}, o.metadata?.labels ?? {}));
  }
  if (found.length) return found;
  if ((ref.parameterNotFoundAction ?? 'Deny') === 'Allow') return [];
  throw new ParamsNotFound('no params found for policy binding with `Deny` parameterNotFoundAction');
}
