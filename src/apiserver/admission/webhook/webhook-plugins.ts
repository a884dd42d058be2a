// MutatingAdmissionWebhook and ValidatingAdmissionWebhook: the webhooks of every matching
// configuration (rules, selectors, matchConditions), mutating ones in order (JSON patches
// applied), validating ones together; a denial or (with failurePolicy Fail) a failed call
// refuses the request. Mutating webhooks with reinvocationPolicy IfNeeded are called once
// more when a later webhook or plugin changed the object after them.
import { mutatingwebhookconfigurations, validatingwebhookconfigurations } from '../../../api/resources/security-groups.js';
import { namespaces } from '../../../api/resources/core-v1.js';
import { ApiError, failureStatus, newInternalError } from '../../../api/status/index.js';
import { applyJsonPatch } from '../../../api/patch/json-patch.js';
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { AdmissionPlugin, Attributes, PluginContext, PluginFactory } from '../plugin.js';
import { callWebhook, type AdmissionResponse } from './webhook-call.js';
import { matchConditionsHold } from './match-conditions.js';
import { ruleMatches, selectorsMatch } from './webhook-matching.js';
import { resolveService } from './service-resolver.js';

export const MUTATING = 'MutatingAdmissionWebhook';
export const VALIDATING = 'ValidatingAdmissionWebhook';

interface Hook { key: string; spec: any }

const failClosed = (spec: any) => (spec.failurePolicy ?? 'Fail') !== 'Ignore';

async function matchingHooks(ctx: PluginContext, kind: 'mutating' | 'validating', a: Attributes): Promise<Hook[]> {
  // Admission never applies to its own configuration objects (as upstream).
  if (a.def.group === 'admissionregistration.k8s.io') return [];
  const def = kind === 'mutating' ? mutatingwebhookconfigurations : validatingwebhookconfigurations;
  const configs = (await ctx.list(def, '')).sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)));
  const nsLabels = async (ns: string) => (await ctx.get(namespaces, '', ns))?.metadata?.labels;
  const out: Hook[] = [];
  for (const c of configs) for (const spec of c.webhooks ?? []) {
    if (!(spec.rules ?? []).some((r: any) => ruleMatches(r, a))) continue;
    if (!(await selectorsMatch(spec, a, nsLabels))) continue;
    out.push({ key: `${c.metadata?.name}/${spec.name}`, spec });
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

/** Calls one webhook: undefined when it is skipped (conditions false) or failed and is ignored. */
async function call(ctx: PluginContext, hook: any, a: Attributes): Promise<AdmissionResponse | undefined> {
  const failed = (err: Error) => {
    if (!failClosed(hook)) { ctx.log(`webhook ${hook.name} failed, ignored: ${err.message}`); return undefined; }
    throw newInternalError(`failed calling webhook ${JSON.stringify(hook.name)}: ${err.message}`);
  };
  try {
    if (!(await matchConditionsHold(ctx, hook, a))) return undefined;
  } catch (err) { return failed(err as Error); }
  if (a.dryRun && !['None', 'NoneOnDryRun'].includes(hook.sideEffects)) {
    throw new ApiError(failureStatus(400, 'BadRequest', `admission webhook ${JSON.stringify(hook.name)} does not support dry run`));
  }
  try {
    const svc = hook.clientConfig?.service;
    const dial = svc && !hook.clientConfig?.url ? await resolveService(ctx, svc).catch((err) => { throw new Error(`failed to call webhook: ${err.message}`); }) : undefined;
    return await callWebhook(hook, a, dial);
  } catch (err) { return failed(err as Error); }
}

/** Per-request bookkeeping of which IfNeeded webhooks ran and must run again. */
interface Reinvocation { invoked: Hook[]; again: Set<string>; objectAfter: string }
const reinvocations = new WeakMap<object, Reinvocation>();
const snapshot = (o: KubeObject | undefined) => JSON.stringify(o ?? null);

async function mutateWith(ctx: PluginContext, hook: Hook, a: Attributes): Promise<boolean> {
  const r = await call(ctx, hook.spec, a);
  if (!r) return false;
  for (const w of r.warnings ?? []) a.warn(w);
  if (!r.allowed) throw denied(hook.spec, r);
  if (!r.patch || !a.object) return false;
  if (r.patchType && r.patchType !== 'JSONPatch') throw newInternalError(`unsupported patch type "${r.patchType}"`);
  const before = snapshot(a.object);
  try {
    a.object = applyJsonPatch(a.object, Buffer.from(r.patch, 'base64')) as KubeObject;
  } catch (err) {
    throw newInternalError(`JSON Patch from webhook ${JSON.stringify(hook.spec.name)} could not be applied: ${(err as Error).message}`);
  }
  return snapshot(a.object) !== before;
}

export const newMutatingWebhook: PluginFactory = (ctx): AdmissionPlugin => ({
  name: MUTATING,
  async admit(a) {
    const state = reinvocations.get(a.reinvocationKey ?? a);
    if (a.reinvoking && state) {
      // Upstream: only webhooks that ran already, asked IfNeeded, and saw the object change after them.
      if (snapshot(a.object) !== state.objectAfter) for (const h of state.invoked) state.again.add(h.key);
      for (const hook of await matchingHooks(ctx, 'mutating', a)) if (state.again.has(hook.key)) await mutateWith(ctx, hook, a);
      return;
    }
    const st: Reinvocation = { invoked: [], again: new Set(), objectAfter: '' };
    for (const hook of await matchingHooks(ctx, 'mutating', a)) {
      const changed = await mutateWith(ctx, hook, a);
      if (changed) for (const h of st.invoked) st.again.add(h.key);
      if (hook.spec.reinvocationPolicy === 'IfNeeded') st.invoked.push(hook);
    }
    // Only reinvocation needs the object as the first pass left it (no JSON of every write when no webhook asked IfNeeded).
    if (st.invoked.length) { st.objectAfter = snapshot(a.object); reinvocations.set(a.reinvocationKey ?? a, st); }
  },
  shouldReinvoke(a) {
    const st = reinvocations.get(a.reinvocationKey ?? a);
    return !!st && (st.again.size > 0 || snapshot(a.object) !== st.objectAfter);
  },
  async validate(a) {
    // DELETE is only validated; mutating webhooks on DELETE are still asked, with no patch.
    if (a.operation !== 'DELETE') return;
    for (const hook of await matchingHooks(ctx, 'mutating', a)) {
      const r = await call(ctx, hook.spec, a);
      if (r && !r.allowed) throw denied(hook.spec, r);
    }
  },
});

export const newValidatingWebhook: PluginFactory = (ctx): AdmissionPlugin => ({
  name: VALIDATING,
  async validate(a) {
    const hooks = await matchingHooks(ctx, 'validating', a);
    const results = await Promise.all(hooks.map(async (hook) => ({ hook: hook.spec, r: await call(ctx, hook.spec, a) })));
    for (const { hook, r } of results) {
      if (!r) continue;
      for (const w of r.warnings ?? []) a.warn(w);
      if (!r.allowed) throw denied(hook, r);
    }
  },
});
