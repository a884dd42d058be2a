// ValidatingAdmissionPolicy: every ValidatingAdmissionPolicyBinding whose policy matches the
// request (matchConstraints, the binding's matchResources, matchConditions) evaluates the
// policy's CEL validations with object, oldObject, request, params, namespaceObject and
// variables. A failed validation is acted on as the binding's validationActions say: Deny
// refuses the request in upstream's words and code (reason Invalid → 422 by default), Warn
// adds a warning, Audit an audit annotation. Errors (bad expressions, missing params) follow
// the policy's failurePolicy (Fail by default).
import type { Catalogue } from '../../../api/resources/catalogue.js';
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { namespaces } from '../../../api/resources/core-v1.js';
import { validatingadmissionpolicies, validatingadmissionpolicybindings } from '../../../api/resources/security-groups.js';
import { ApiError, failureStatus } from '../../../api/status/index.js';
import { CelEvaluationError, evalBool, evalString, fromCel, run } from '../../../api/cel/cel-environment.js';
import { celContext } from '../cel/admission-request.js';
import { celAuthorizer } from '../cel/authorizer.js';
import type { AdmissionPlugin, Attributes, PluginContext, PluginFactory } from '../plugin.js';
import { resourcesMatch } from './match-resources.js';
import { ParamsNotFound, PolicyConfigError, bindingParams } from './policy-params.js';

export const NAME = 'ValidatingAdmissionPolicy';
export const AUDIT_KEY = 'validation.policy.admission.k8s.io/validation_failure';

const CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

interface Decision { policy: string; binding: string; message: string; reason: string; actions: string[]; index?: number }

function denial(a: Attributes, d: Decision): ApiError {
  const message = `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
  const name = a.name || a.object?.metadata?.name || '';
  const gr = a.def.group ? `${a.def.plural}.${a.def.group}` : a.def.plural;
  // As upstream: a Forbidden error whose reason and code are then set from the validation's reason.
  const text = name ? `${gr} "${name}" is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  return new ApiError(failureStatus(CODES[d.reason] ?? 422, d.reason, text, { name, group: a.def.group, kind: a.def.plural, causes: [{ message }] as any }));
}

/** The decisions one binding makes about the request. */
async function evaluate(ctx: PluginContext, catalogue: Catalogue | undefined, policy: any, binding: any, a: Attributes, nsObject: KubeObject | undefined): Promise<Decision[]> {
  const base = { policy: policy.metadata.name, binding: binding.metadata.name, actions: binding.spec?.validationActions ?? [] };
  const spec = policy.spec ?? {};
  const out: Decision[] = [];
  let params: Array<KubeObject | null>;
  try {
    params = await bindingParams(ctx, catalogue, policy, binding, a);
  } catch (err) {
    if (err instanceof ParamsNotFound) return [{ ...base, message: err.message, reason: 'Invalid' }];
    if ((spec.failurePolicy ?? 'Fail') === 'Ignore') return [];
    return [{ ...base, message: `failed to configure binding: ${(err as Error).message}`, reason: 'Invalid' }];
  }
  for (const p of params) {
    try {
      const vars: Record<string, unknown> = {};
      const cel = celContext(a, { params: p, namespaceObject: nsObject ?? null, variables: vars, authorizer: celAuthorizer(ctx, a) });
      for (const v of spec.variables ?? []) {
        try { vars[v.name] = await run(v.expression, cel); } catch (err) { throw new CelEvaluationError(`composited variable "${v.name}" fails to evaluate: ${(err as Error).message.split('\n')[0]}`); }
      }
      let matched = true;
      for (const m of spec.matchConditions ?? []) if (!(await evalBool(m.expression, cel))) { matched = false; break; }
      if (!matched) continue;
      for (const [index, v] of (spec.validations ?? []).entries()) {
        if (await evalBool(v.expression, cel)) continue;
        let message = v.message || `failed expression: ${String(v.expression).trim()}`;
        if (v.messageExpression) {
          try { const m = (await evalString(v.messageExpression, cel)).trim(); if (m && !m.includes('\n')) message = m; } catch { /* upstream falls back to message */ }
        }
        out.push({ ...base, message, reason: v.reason || 'Invalid', index });
      }
      for (const an of spec.auditAnnotations ?? []) {
        let value: unknown;
        try { value = await run(an.valueExpression, cel); } catch (err) { throw new CelEvaluationError(`valueExpression '${an.valueExpression}' resulted in error: ${(err as Error).message.split('\n')[0]}`); }
        if (value !== null && value !== undefined) a.annotate?.(`${base.policy}/${an.key}`, String(fromCel(value)));
      }
    } catch (err) {
      if (!(err instanceof CelEvaluationError) && !(err instanceof PolicyConfigError)) throw err;
      if ((spec.failurePolicy ?? 'Fail') === 'Ignore') continue;
      out.push({ ...base, message: err.message, reason: 'Invalid' });
    }
  }
  return out;
}

export const newValidatingAdmissionPolicy: PluginFactory = (ctx: PluginContext): AdmissionPlugin => {
  const catalogue = ctx.catalogue;
  return {
    name: NAME,
    async validate(a) {
      // Policies never apply to admission configuration itself (no lock-out), as upstream.
      if (a.def.group === 'admissionregistration.k8s.io' || a.operation === 'CONNECT') return;
      const bindings = await ctx.list(validatingadmissionpolicybindings, '');
      if (!bindings.length) return;
      const nsLabels = async (ns: string) => (await ctx.get(namespaces, '', ns))?.metadata?.labels;
      const nsObject = a.def.namespaced && a.namespace ? await ctx.get(namespaces, '', a.namespace) : undefined;
      const decisions: Decision[] = [];
      for (const binding of [...bindings].sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)))) {
        const policy = await ctx.get(validatingadmissionpolicies, '', binding.spec?.policyName ?? '');
        if (!policy) continue;
        if (!(await resourcesMatch(policy.spec?.matchConstraints, a, nsLabels))) continue;
        if (binding.spec?.matchResources && !(await resourcesMatch(binding.spec.matchResources, a, nsLabels, true))) continue;
        decisions.push(...await evaluate(ctx, catalogue, policy, binding, a, nsObject));
      }
      const audits = decisions.filter((d) => d.actions.includes('Audit'));
      if (audits.length) {
        a.annotate?.(AUDIT_KEY, JSON.stringify(audits.map((d) => ({
          message: d.message, policy: d.policy, binding: d.binding, expressionIndex: d.index ?? 0, validationActions: d.actions,
        }))));
      }
      for (const d of decisions) if (d.actions.includes('Warn')) a.warn(`Validation failed for ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}': ${d.message}`);
      const deny = decisions.find((d) => d.actions.includes('Deny'));
      if (deny) throw denial(a, deny);
    },
  };
};
