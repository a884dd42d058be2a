// MutatingAdmissionWebhook and ValidatingAdmissionWebhook: the webhooks of every matching
// configuration, mutating ones in order (JSON patches applied), validating ones together;
// a denial or (with failurePolicy Fail) a failed call refuses the request.
import { mutatingwebhookconfigurations, validatingwebhookconfigurations } from '../../../api/resources/security-groups.js';
import { namespaces } from '../../../api/resources/core-v1.js';
import { ApiError, failureStatus, newInternalError } from '../../../api/status/index.js';
import { applyJsonPatch } from '../../../api/patch/json-patch.js';
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { AdmissionPlugin, Attributes, PluginContext, PluginFactory } from '../plugin.js';
import { callWebhook, type AdmissionResponse } from './webhook-call.js';
import { ruleMatches, selectorsMatch } from './webhook-matching.js';

export const MUTATING = 'MutatingAdmissionWebhook';
export const VALIDATING = 'ValidatingAdmissionWebhook';

async function matchingHooks(ctx: PluginContext, kind: 'mutating' | 'validating', a: Attributes): Promise<any[]> {
  // Admission never applies to its own configuration objects (as upstream).
  if (a.def.group === 'admissionregistration.k8s.io') return [];
  const def = kind === 'mutating' ? mutatingwebhookconfigurations : validatingwebhookconfigurations;
  const configs = (await ctx.list(def, '')).sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)));
  const nsLabels = async (ns: string) => (await ctx.get(namespaces, '', ns))?.metadata?.labels;
  const out: any[] = [];
  for (const c of configs) for (const hook of c.webhooks ?? []) {
    if (!(hook.rules ?? []).some((r: any) => ruleMatches(r, a))) continue;
    if (!(await selectorsMatch(hook, a, nsLabels))) continue;
    out.push(hook);
  }
  return out;
}

function denied(hook: any, r: AdmissionResponse): ApiError {
  const code = r.status?.code || 400;
  const msg = r.status?.message
    ? `admission webhook ${JSON.stringify(hook.name)} denied the request: ${r.status.message}`
    : `admission webhook ${JSON.stringify(hook.name)} denied the request without explanation`;
  return new ApiError(failureStatus(code, r.status?.reason ?? (code === 400 ? 'BadRequest' : ''), msg));
}

async function call(ctx: PluginContext, hook: any, a: Attributes): Promise<AdmissionResponse | undefined> {
  if (a.dryRun && !['None', 'NoneOnDryRun'].includes(hook.sideEffects)) {
    throw new ApiError(failureStatus(400, 'BadRequest', `admission webhook ${JSON.stringify(hook.name)} does not support dry run`));
  }
  try {
    return await callWebhook(hook, a);
  } catch (err) {
    if ((hook.failurePolicy ?? 'Fail') === 'Ignore') { ctx.log(`webhook ${hook.name} failed, ignored: ${(err as Error).message}`); return undefined; }
    throw newInternalError(`failed calling webhook ${JSON.stringify(hook.name)}: ${(err as Error).message}`);
  }
}

export const newMutatingWebhook: PluginFactory = (ctx): AdmissionPlugin => ({
  name: MUTATING,
  async admit(a) {
    for (const hook of await matchingHooks(ctx, 'mutating', a)) {
      const r = await call(ctx, hook, a);
      if (!r) continue;
      for (const w of r.warnings ?? []) a.warn(w);
      if (!r.allowed) throw denied(hook, r);
      if (r.patch && a.object) {
        if (r.patchType && r.patchType !== 'JSONPatch') throw newInternalError(`unsupported patch type "${r.patchType}"`);
        a.object = applyJsonPatch(a.object, Buffer.from(r.patch, 'base64')) as KubeObject;
      }
    }
  },
  async validate(a) {
    // DELETE is only validated; mutating webhooks on DELETE are still asked, with no patch.
    if (a.operation !== 'DELETE') return;
    for (const hook of await matchingHooks(ctx, 'mutating', a)) {
      const r = await call(ctx, hook, a);
      if (r && !r.allowed) throw denied(hook, r);
    }
  },
});

export const newValidatingWebhook: PluginFactory = (ctx): AdmissionPlugin => ({
  name: VALIDATING,
  async validate(a) {
    const hooks = await matchingHooks(ctx, 'validating', a);
    const results = await Promise.all(hooks.map(async (hook) => ({ hook, r: await call(ctx, hook, a) })));
    for (const { hook, r } of results) {
      if (!r) continue;
      for (const w of r.warnings ?? []) a.warn(w);
      if (!r.allowed) throw denied(hook, r);
    }
  },
});
